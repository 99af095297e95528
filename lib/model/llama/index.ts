/**
 * model/llama/: the Llama family's building blocks (RMSNorm, rotary embeddings, SwiGLU, grouped-query attention)
 * and their initialisation. The sub-folder's only door (rule (e) of test/house/imports.test.ts).
 */
export { rmsNorm, silu, swiglu, ropeTables, ropeArrays, applyRope, rotateHalf } from './layers.ts';
export { attendGrouped, type GroupedInputs } from './attention.ts';
export { initLlamaWeights } from './init.ts';
