/** model/: the tiny GPT-style decoder on tfjs, its initialisation, loss, checkpoints and GPT-2 name mapping. */
export { GptConfigSchema, REFERENCE_CONFIG, baseParamCount, headDim } from './config.ts';
export type { GptConfig } from './config.ts';
export { initWeights } from './init.ts';
export type { Weights } from './init.ts';
export { Gpt, isAdapterName } from './gpt.ts';
export type { ForwardOptions, ForwardResult, ForwardExtras, KvPrefix, ModelOptions, LinearRole } from './gpt.ts';
export { DenseLinear, PackedLinear, layerNorm, gelu } from './layers.ts';
export type { Linear, ApplyContext } from './layers.ts';
export { lmLoss } from './loss.ts';
export * from './safetensors.ts';
export * from './gpt2-names.ts';
