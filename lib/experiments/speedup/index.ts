/**
 * speedup/: the `speedup` kind (the 3.7× claim): recipes and their factors, throughput, the factorial
 * decomposition, aggregation and the report section. Other kinds (scale, qlora, the cost model) reuse the
 * recipe, factor, decomposition and ratio pieces through this door.
 */
export { speedupKind, runSpeedup } from './kind.ts';
export type { QualityResult } from './kind.ts';
export { SpeedupSchema, RecipeSchema, DEFAULT_FAST, DEFAULT_SLOW } from './config.ts';
export type { SpeedupConfig, Recipe } from './config.ts';
export { recipeFactors, cellRecipe, gridCells, matchedRecipe, FACTORS, MIN_PREFIX } from './factors.ts';
export type { Factor } from './factors.ts';
export { decompose, waterfall } from './decompose.ts';
export type { Decomposition, WaterfallStep } from './decompose.ts';
export { pairedShares, switchedKey, cellFor } from './paired-shares.ts';
export { trainArms, fixedBatches } from './timed-cells.ts';
export type { TrainArmSpec, TrainArmSet, BatchShape } from './timed-cells.ts';
export { aggregateSpeedup, ratioCI, verdictOf } from './aggregate.ts';
export type { SpeedupAggregate, RecipeQuality, RunSummary as SpeedupRunSummary } from './aggregate.ts';
export { speedupReport, speedupSections, speedupCharts, CLAIM as SPEEDUP_CLAIM, SPEEDUP_LIMITS } from './report.ts';
