/**
 * estimate/: plan a fine-tuning run before paying for it — trainable parameters exactly as PEFT counts them,
 * memory by part against a device, step time and samples/s with an interval, from a config.json alone (no
 * weights, nothing allocated). Counts and times come from the scale kind's cost model (experiments/cost-model).
 * See docs/estimate.md.
 */
export { estimate, DEFAULT_BATCH, DEFAULT_DEVICE, type TrainingEstimate, type EstimateInput, type MethodEstimate, type BatchSpec } from './estimate.ts';
export { archFromConfig, FAMILIES, type ModelArch, type Family } from './arch.ts';
export { moduleTree, baseParams, type ModuleInfo, type ModuleTree } from './modules.ts';
export { resolveMethod, parseSets, methodNames, methodTakes, METHOD_ALIASES, PEFT_METHODS, type MethodConfig, type PeftMethod } from './method.ts';
export { countParams, loraTargets, prefixParams, prefixTokenDim, pTuningParams, peftLine, DEFAULT_LORA_TARGETS, type ParamCount } from './params.ts';
export { weightBytes, memoryParts, type MemoryParts } from './memory.ts';
export { stepEstimate, throughputRatio, type StepEstimate } from './step.ts';
export { DEVICE_PRESETS, devicePreset, type DevicePreset } from './devices.ts';
export { WEIGHT_STORAGES, type WeightStorage } from './recipe.ts';
export { readModelConfig, measureLengths, type ModelConfigFile } from './io.ts';
export { formatEstimate } from './format.ts';
export { launchEstimateInput, hfConfigOf, type LaunchEstimateInput } from './launch.ts';
