/** The cost model: counts per training step, step time on a device, a device fit, peak memory, the ChatGLM2-6B/A100 prediction. */
export { blockLinears, kvDim, validateInputs } from './shape.ts';
export type { ModelShape, CostRecipe, CostMethod, BatchStats as CostBatchStats, Storage, Compute, LinearName, Arch } from './shape.ts';
export { countStep, parameterCounts, stashPerPosition, storageBytesPerElement, ADAM_BYTES_PER_PARAM } from './count.ts';
export type { StepCounts } from './count.ts';
export { peakMemory } from './memory.ts';
export type { MemoryEstimate } from './memory.ts';
export { DEVICES, predictStepTime, fitDevice } from './device.ts';
export type { Device, DeviceName, Cell as CostCell, DeviceFit } from './device.ts';
export { CHATGLM2_6B, PUBLISHED as CHATGLM2_PUBLISHED, BENCH as CHATGLM2_BENCH, LORA_RECIPE as CHATGLM2_LORA_RECIPE, PTUNING_RECIPE as CHATGLM2_PTUNING_RECIPE, lengthStats, advertiseGenLengths, benchBatches, predictChatglm2 } from './chatglm2.ts';
export type { LengthStats, Chatglm2Prediction, Interval as PredictionInterval } from './chatglm2.ts';
