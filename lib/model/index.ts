/** model/: the decoder on tfjs (GPT-2 and Llama-family blocks), its initialisation, loss, checkpoints, and Hugging Face checkpoint loading. */
export { GptConfigSchema, REFERENCE_CONFIG, CHATGLM2_TINY, PRESETS, baseParamCount, headDim, kvHeads, ffnWidth, normEps, ropeTheta, isLlama, checkShape } from './config.ts';
export { expectedShapes, linearRoles, isLinearTensor, GPT2_LINEARS, LLAMA_LINEARS } from './shapes.ts';
export { rmsNorm, silu, swiglu, ropeTables, ropeArrays, applyRope, rotateHalf, attendGrouped } from './llama/index.ts';
export * from './hf/index.ts';
export type { GptConfig } from './config.ts';
export { initWeights } from './init.ts';
export type { Weights } from './init.ts';
export { Gpt, isAdapterName } from './gpt.ts';
export type { ForwardOptions, ForwardResult, ForwardExtras, KvPrefix, ModelOptions, LinearRole, WeightSource } from './gpt.ts';
export { DenseLinear, PackedLinear, layerNorm, gelu } from './layers.ts';
export type { Linear, ApplyContext } from './layers.ts';
export { lmLoss, fusedHeadLoss, LOSS_CHUNK_BYTES } from './loss.ts';
export type { FrozenHead } from './loss.ts';
export * from './safetensors.ts';
export * from './gpt2-names.ts';
export { FROZEN_LAYOUTS, FROZEN_JS_BYTES, frozenInJs, blockLinearBytes } from './frozen-layout.ts';
export type { FrozenLayout } from './frozen-layout.ts';
