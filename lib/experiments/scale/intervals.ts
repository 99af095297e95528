/**
 * Superseded in the scale kind by the paired decomposition (../speedup/paired-shares.ts, issue 28: the same
 * resampled rounds for every cell); kept as the unpaired reference.
 *
 * A rung's measured ratio (fast recipe's samples/s over the slow one's) and its Shapley split into the
 * recipe factors (lib/experiments/speedup/decompose.ts), with percentile intervals from a bootstrap over the
 * rounds: each resample draws every cell's round times with replacement (seeded) and takes their median.
 * Within one run this is the measurement's uncertainty; across seeds the report aggregates.
 */
import { Rng } from '../../util/index.ts';
import { decompose } from '../speedup/index.ts';
import { quantileOf, median } from '../../measure/index.ts';
import type { Est } from './summary.ts';
import { LedgerLabError } from '../../errors.ts';

export interface RatioCell { switched: readonly string[]; times: readonly number[] }

/** A key of a set of switched factors (order-free). */
const keyOf = (s: Iterable<string>) => [...s].sort().join('+');

/**
 * The ratio and Shapley shares (×) from per-cell seconds. Cells absent from the grid (it is deduplicated: a
 * prefix length under LoRA changes nothing) take the cell that the speedup kind's cellRecipe maps them to,
 * which here is: drop 'prefix' when 'method' is not switched.
 */
export function ratioAndShares(factors: readonly string[], seconds: ReadonlyMap<string, number>): { ratio: number; shapley: Record<string, number> } {
  const lookup = (s: ReadonlySet<string>) => {
    const k = s.has('method') ? keyOf(s) : keyOf([...s].filter((f) => f !== 'prefix'));
    const v = seconds.get(k);
    if (v === undefined) throw new LedgerLabError({ kind: 'data', problem: `no measured cell for {${k}}`, hint: 'the scale ladder measures every factor combination it decomposes; was a cell dropped from the timings?' });
    return 1 / v; // samples/s ∝ 1 / seconds per step (same batch size everywhere)
  };
  const d = decompose(factors, lookup);
  return { ratio: Math.exp(d.total), shapley: Object.fromEntries(Object.entries(d.shapley).map(([f, v]) => [f, Math.exp(v)])) };
}

export function bootstrapShares(factors: readonly string[], cells: readonly RatioCell[], resamples: number, seed: number | string, level = 0.95): { ratio: Est; shapley: Record<string, Est> } {
  const point = ratioAndShares(factors, new Map(cells.map((c) => [keyOf(c.switched), median(c.times)])));
  if (resamples <= 0) return { ratio: { value: point.ratio }, shapley: Object.fromEntries(Object.entries(point.shapley).map(([f, v]) => [f, { value: v }])) };
  const rng = new Rng(`${seed}:bootstrap`);
  const ratios: number[] = [];
  const shares: Record<string, number[]> = Object.fromEntries(factors.map((f) => [f, []]));
  for (let b = 0; b < resamples; b++) {
    const m = new Map(cells.map((c) => [keyOf(c.switched), median(Array.from({ length: c.times.length }, () => c.times[rng.int(c.times.length)]))]));
    const r = ratioAndShares(factors, m);
    ratios.push(r.ratio);
    for (const f of factors) shares[f].push(r.shapley[f]);
  }
  const a = (1 - level) / 2;
  const est = (value: number, xs: number[]): Est => ({ value, lo: quantileOf(xs, a), hi: quantileOf(xs, 1 - a) });
  return { ratio: est(point.ratio, ratios), shapley: Object.fromEntries(factors.map((f) => [f, est(point.shapley[f], shares[f])])) };
}
