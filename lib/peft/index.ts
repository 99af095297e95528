/** peft/: parameter-efficient fine-tuning methods that wrap a frozen base Gpt — LoRA, P-Tuning v1/v2, prompt tuning. */
export { applyLora, LoraLinear, loraParamCount, LORA_TARGETS } from './lora.ts';
export type { LoraOptions, LoraTarget } from './lora.ts';
export { applyPrefix, prefixParamCount } from './prefix.ts';
export type { PrefixOptions } from './prefix.ts';
export { applyPromptTuning, applyPTuningV1, promptParamCount } from './prompt.ts';
export type { PromptTuningOptions, PTuningV1Options } from './prompt.ts';
export { MethodSchema, buildModel, methodParamCount, virtualTokens, METHOD_NAMES } from './method.ts';
export type { MethodSpec, MethodName } from './method.ts';
export { targetsFromModules, MODULE_TARGETS, LORA_ALIASES, PREFIX_ALIASES, PTUNING_V1_ALIASES, PROMPT_TUNING_ALIASES, METHOD_TAG_ALIASES } from './aliases.ts';
export { memoryBreakdown, OPTIMIZER_SLOTS } from './memory.ts';
export type { MemoryBreakdown } from './memory.ts';
export * from './hf-adapter/index.ts';
export { adapterBytes, readAdapter, loadAdapterInto, ADAPTER_FORMAT } from './adapter-file.ts';
export type { AdapterInfo } from './adapter-file.ts';
