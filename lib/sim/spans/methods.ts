/**
 * Attribution methods on the text Datanet, each turning one model output into an attribution event's item
 * weights (uint32, as the ledger logs them):
 *   spans       — span matching over the suffix array (match.ts), credit normalised to WEIGHT_UNIT per output;
 *   retrieval   — the existing top-k usage method, with the output as the query: items ranked by cosine of
 *                 hashed token-bigram vectors, each of the top k gets one unit;
 *   knn-shapley — the existing exact KNN-Shapley over the `candidates` nearest, gain = the item's quality
 *                 (1 for real records and their copies, 0.05 for boilerplate and stuffing).
 */
import { knnShapley } from '../attribution/index.ts';
import { WEIGHT_UNIT, type Weighted } from '../oracle.ts';
import { spanCredit, type SpanIndex, type SpanOptions } from './match.ts';

export { TEXT_METHODS, type TextMethod } from './config.ts';

const UINT32_MAX = 4_294_967_295;

function toWeights(values: Map<number, number> | Float64Array, ids?: readonly number[]): Weighted[] {
  const out: Weighted[] = [];
  const push = (item: number, v: number) => {
    const w = Math.min(UINT32_MAX, Math.round(v));
    if (w > 0) out.push({ item, weight: w });
  };
  if (values instanceof Map) for (const [i, v] of [...values.entries()].sort((a, b) => a[0] - b[0])) push(i, v);
  else values.forEach((v, j) => push(ids![j], v));
  return out;
}

/** Span credit scaled so an output's weights sum to WEIGHT_UNIT (what each output pays is its fee). */
export function spanWeights(idx: SpanIndex, out: ArrayLike<number>, o: SpanOptions = {}): Weighted[] {
  const credit = spanCredit(idx, out, o);
  let total = 0;
  for (const v of credit.values()) total += v;
  if (total === 0) return [];
  const scaled = new Map([...credit].map(([i, v]) => [i, (v / total) * WEIGHT_UNIT] as const));
  return toWeights(scaled);
}

/** Unit-norm hashed token-bigram (and unigram) counts: a bag-of-n-grams embedding of a token sequence. */
export function hashedEmbedding(tokens: ArrayLike<number>, dim = 512): Float64Array {
  const v = new Float64Array(dim);
  for (let i = 0; i < tokens.length; i++) {
    v[(Math.imul(tokens[i] + 1, 0x9e3779b1) >>> 0) % dim] += 1;
    if (i + 1 < tokens.length) v[(Math.imul(tokens[i] * 65_599 + tokens[i + 1] + 7, 0x85ebca6b) >>> 0) % dim] += 1;
  }
  let n = 0;
  for (let d = 0; d < dim; d++) n += v[d] * v[d];
  n = Math.sqrt(n) || 1;
  for (let d = 0; d < dim; d++) v[d] /= n;
  return v;
}

/** Top-m item indices by cosine (ties: lower index first), with their similarities. */
export function nearestItems(emb: readonly Float64Array[], q: Float64Array, m: number): { ids: number[]; sims: number[] } {
  const scored = emb.map((e, i) => {
    let s = 0;
    for (let d = 0; d < q.length; d++) s += e[d] * q[d];
    return { i, s };
  });
  scored.sort((a, b) => b.s - a.s || a.i - b.i);
  const top = scored.slice(0, m);
  return { ids: top.map((t) => t.i), sims: top.map((t) => t.s) };
}

export function retrievalWeights(emb: readonly Float64Array[], out: ArrayLike<number>, k: number): Weighted[] {
  const { ids } = nearestItems(emb, hashedEmbedding(out, emb[0]?.length ?? 512), k);
  return toWeights(new Map(ids.map((i) => [i, WEIGHT_UNIT] as const)));
}

export function knnShapleyWeights(emb: readonly Float64Array[], quality: readonly number[], out: ArrayLike<number>, k: number, candidates: number): Weighted[] {
  const { ids, sims } = nearestItems(emb, hashedEmbedding(out, emb[0]?.length ?? 512), Math.max(k, candidates));
  const v = knnShapley(sims, ids.map((i) => quality[i]), k);
  return toWeights(Float64Array.from(v, (x) => x * k * WEIGHT_UNIT), ids);
}
