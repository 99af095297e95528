/** scale/: the `scale` experiment kind (issue 17): a model-size ladder, interleaved measurement, the cost-model fit and the ChatGLM2-6B/A100 prediction. */
export type { Est, ScaleCell, QualityArm, ScaleRung, ScaleSummary } from './summary.ts';
export { scaleKind, runScale } from './kind.ts';
export { ScaleSchema, RungSchema, MeasurementSchema, checkScaleConfig } from './config.ts';
export type { ScaleConfig, RungConfig, MeasurementConfig } from './config.ts';
export { buildLadder, rungModel, loraRankFor, prefixFor, costShape, costRecipe, LORA_RANK_AT_4096, PREFIX_PER_1024, FFN_RATIO } from './ladder.ts';
export type { Rung } from './ladder.ts';
export { runRounds, roundOrder, shouldStop, iqrRel, medianSpread } from './rounds.ts';
export type { RoundOptions, RoundsResult } from './rounds.ts';
export { fitLadder, meanCounts } from './fit.ts';
export type { FitCell, LadderFit } from './fit.ts';
export { bootstrapShares, ratioAndShares } from './intervals.ts';
export { chatglm2A100 } from './prediction.ts';
export { isDegenerate, DEGENERATE_RULE } from './quality.ts';
export { pinnedLabel } from './measure.ts';
export { parseCpuList, allowedCpus } from '../cpus.ts';
export { scaleRuns, loadScaleRuns } from './runs.ts';
export type { ScaleRunEntry } from './runs.ts';
