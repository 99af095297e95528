/** scale/: the `scale` experiment kind (issue 17): a model-size ladder, interleaved measurement, the cost-model fit and the ChatGLM2-6B/A100 prediction. */
// The verdict, pooling and report section (were exported from experiments/index.ts past this door).
export { scaleVerdict, factorShares, ratioTrend, formatParams, COST_MODEL_TARGETS } from './verdict.ts';
export { combineScaleSummaries } from './combine.ts';
export type { ScaleNumbers } from './combine.ts';
export { scaleReport, scaleSections, scaleCharts, scaleGroups, latestScaleGroup, readScaleSummary, deviceText, ladderTable, ratioTable, costModelTable, predictionTable, predictedShapleyTable, qualityTable, measurementTable, SCALE_LIMITS } from './report.ts';
export type { ScaleGroup, ScaleCharts } from './report.ts';
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
export { chatglm2A100 } from './prediction.ts';
export { isDegenerate, DEGENERATE_RULE } from './quality.ts';
export { pinnedLabel } from './measure.ts';
export { parseCpuList, allowedCpus } from '../cpus.ts';
export { scaleRuns, loadScaleRuns } from './runs.ts';
export type { ScaleRunEntry } from './runs.ts';
export { FROZEN_FIT, HELD_OUT_RUNG, frozenDevice, predictCells, heldOutCheck } from './frozen.ts';
export type { FrozenConstants, CellToPredict } from './frozen.ts';
export { fixedBatches } from '../speedup/index.ts';
