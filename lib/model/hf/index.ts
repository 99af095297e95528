/** model/hf/: transformers checkpoint directories (config.json + safetensors) → the decoder's config and weights. */
export { loadPretrained, materialize, sha256File, checkpointDigests } from './load.ts';
export type { Pretrained, FileDigest } from './load.ts';
export { hfToConfig, HF_MODEL_TYPES } from './config.ts';
export type { HfConfig, HfModelType } from './config.ts';
export { SafetensorsReader } from './reader.ts';
export { saveHfCheckpoint, neutralToHf, configToHf } from './save.ts';
export { recipeFor, isIgnoredSource } from './names.ts';
export type { Recipe as HfWeightRecipe } from './names.ts';
