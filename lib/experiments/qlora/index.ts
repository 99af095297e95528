/**
 * experiments/qlora: LoRA on a base stored in each weight format (fp32 … NF4 + double quantization):
 * exact frozen bytes, step time and peak memory, quality with a QLoRA-vs-fp16 equivalence test, a scaling
 * ladder with a labelled projection to 7B/13B/65B, and the report section.
 */
export { qloraKind, runQlora, timingBatch } from './kind.ts';
export type { DtypeResult, DtypeQuality } from './kind.ts';
export { QloraSchema, ScalingSchema, LadderRungSchema, DEFAULT_LADDER, DEFAULT_LORA } from './config.ts';
export type { QloraConfig, ScalingConfig, LadderRung } from './config.ts';
export { storageOf, bufferBytes, linearWeightBytes, layerQuantErrors, dequantMs, resetDequantCost } from './bytes.ts';
export type { LinearBytes, LayerQuantError } from './bytes.ts';
export { measureStep, randomBatch, measureLadder, projectMemory, timeExponent, PUBLISHED_MEMORY, PUBLISHED_BITS, LLAMA_SIZES } from './scaling.ts';
export type { StepBatch, StepMeasure, LadderRow, ProjectionRow } from './scaling.ts';
export { aggregateQlora, equivalence, qloraVerdict } from './aggregate.ts';
export type { QloraAggregate, DtypeAggregate, Equivalence } from './aggregate.ts';
export { qloraReport, qloraSections, qloraCharts, QLORA_CLAIM, QLORA_LIMITS } from './report.ts';
