/** peft/hf-adapter/: adapters in PEFT's on-disk format (adapter_config.json + adapter_model.safetensors), written and loaded. */
export { peftAdapter, writePeftAdapter, ADAPTER_CONFIG, ADAPTER_WEIGHTS } from './export.ts';
export type { PeftAdapter, PeftExportOptions } from './export.ts';
export { loadPeftAdapter, readPeftConfig, unknownTargetModules, PEFT_TYPES } from './load.ts';
export type { LoadedAdapter, PeftType } from './load.ts';
