/**
 * estimate/: plan a fine-tuning run before paying for it — trainable parameters exactly as PEFT counts them,
 * memory by part against a device, step time and samples/s with an interval, from a config.json alone (no
 * weights, nothing allocated). Counts and times come from the scale kind's cost model (experiments/cost-model).
 * See docs/estimate.md.
 */
export { estimate, DEFAULT_BATCH, DEFAULT_DEVICE } from './estimate.ts';
export type { TrainingEstimate, EstimateInput, MethodEstimate, BatchSpec } from './estimate.ts';
export { archFromConfig, FAMILIES } from './arch.ts';
export type { ModelArch, Family } from './arch.ts';
export { moduleTree, baseParams } from './modules.ts';
export type { ModuleInfo, ModuleTree } from './modules.ts';
export { resolveMethod, parseSets, methodNames, methodTakes, METHOD_ALIASES, PEFT_METHODS } from './method.ts';
export type { MethodConfig, PeftMethod } from './method.ts';
export { countParams, loraTargets, prefixParams, prefixTokenDim, pTuningParams, peftLine, DEFAULT_LORA_TARGETS } from './params.ts';
export type { ParamCount } from './params.ts';
export { weightBytes, memoryParts } from './memory.ts';
export type { MemoryParts } from './memory.ts';
export { stepEstimate, throughputRatio } from './step.ts';
export type { StepEstimate } from './step.ts';
export { DEVICE_PRESETS, devicePreset } from './devices.ts';
export type { DevicePreset } from './devices.ts';
export { WEIGHT_STORAGES } from './recipe.ts';
export type { WeightStorage } from './recipe.ts';
export { readModelConfig, measureLengths } from './io.ts';
export type { ModelConfigFile } from './io.ts';
export { formatEstimate } from './format.ts';
