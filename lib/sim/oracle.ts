/**
 * The attribution oracle: turns one retrieval into an attribution event's item weights (uint32 > 0) by the
 * design's method. 'retrieval' is plain usage (each of the top-k gets one unit); the valuation methods value
 * the `candidates` nearest items under the top-k utility U(S) = (1/k)·Σ gains of S's k nearest, and an item
 * with a value ≤ 0 is left out of the event (it made the answer no better).
 */
import type { Rng } from '../util/index.ts';
import type { AttributionKey } from './keys.ts';
import { type Item, type Retrieval, dot } from './world.ts';
import { knnGame, knnShapley, leaveOneOut, monteCarloBanzhaf, monteCarloShapley, clusterBySimilarity } from './attribution/index.ts';

/** Weight units per unit of utility·k: one retrieved item of gain 1 is worth WEIGHT_UNIT in every method. */
export const WEIGHT_UNIT = 1_000_000;
const UINT32_MAX = 4_294_967_295;

export interface OracleOptions {
  method: AttributionKey;
  k: number;
  permutations: number;
  samples: number;
  dupThreshold: number;
}

export interface Weighted { item: number; weight: number }

/** Values of the candidates (same order as r.candidates) by the method. */
export function candidateValues(r: Retrieval, items: readonly Item[], o: OracleOptions, rng: Rng): Float64Array {
  const { similarity, gain } = r;
  const k = o.k;
  switch (o.method) {
    case 'retrieval':
      return Float64Array.from(r.candidates, (_, j) => (j < k ? 1 / k : 0));
    case 'knn-shapley':
      return knnShapley(similarity, gain, k);
    case 'loo':
      return leaveOneOut(knnGame(similarity, gain, k));
    case 'mc-shapley':
      return monteCarloShapley(knnGame(similarity, gain, k), { permutations: o.permutations, rng, antithetic: true });
    case 'banzhaf':
      return monteCarloBanzhaf(knnGame(similarity, gain, k), { samples: o.samples, rng });
    case 'quotient':
      return quotientKnn(r, items, o);
  }
}

/**
 * Quotient KNN-Shapley over near-duplicate clusters: each cluster enters the top-k game once, through its
 * earliest-registered member, which also receives the cluster's whole value (copies get nothing).
 * Equal to quotientShapley(knnGame, groups, { represent: 'first', split: 'first' }) — tested — but exact
 * in O(N log N) because the quotient of a KNN game on representatives is again a KNN game.
 */
export function quotientKnn(r: Retrieval, items: readonly Item[], o: Pick<OracleOptions, 'k' | 'dupThreshold'>): Float64Array {
  const m = r.candidates.length;
  const groups = clusterBySimilarity(m, (a, b) => dot(items[r.candidates[a]].embedding, items[r.candidates[b]].embedding) >= o.dupThreshold)
    .map((g) => g.slice().sort((a, b) => r.candidates[a] - r.candidates[b]));
  const reps = groups.map((g) => g[0]);
  const v = knnShapley(reps.map((j) => r.similarity[j]), reps.map((j) => r.gain[j]), o.k);
  const out = new Float64Array(m);
  reps.forEach((j, g) => (out[j] = v[g]));
  return out;
}

/** Event weights: round(value · k · WEIGHT_UNIT), positive ones only, clamped to uint32. */
export function eventWeights(r: Retrieval, items: readonly Item[], o: OracleOptions, rng: Rng): Weighted[] {
  const values = candidateValues(r, items, o, rng);
  const out: Weighted[] = [];
  for (let j = 0; j < values.length; j++) {
    const w = Math.min(UINT32_MAX, Math.round(values[j] * o.k * WEIGHT_UNIT));
    if (w > 0) out.push({ item: r.candidates[j], weight: w });
  }
  return out;
}
