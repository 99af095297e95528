/** sim/scale/: fast mode for a million items, identities and queries — typed arrays, a k-means tree, streamed epochs. */
export { KMeansTree } from './kmeans-tree.ts';
export type { TreeOptions } from './kmeans-tree.ts';
export { generateScaleWorld, buildScaleIndex, runScaleQueries, settleScale, benchScale } from './engine.ts';
export type { ScaleOptions, ScaleWorld, ScaleEpoch, ScaleBench, PhaseStat } from './engine.ts';
