/**
 * The paired estimator of the timing engine: a figure measured once per round (a log-ratio of two arms timed
 * in the same round, or one arm's log-throughput) is summarised by the median over rounds, with a percentile
 * interval from a seeded bootstrap of that median, and reported back on the ratio scale (exp). Working on logs
 * means a ratio and its inverse get mirrored intervals and no figure or bound can be zero or negative — the
 * "6.02 [−0.97, 13.01] samples/s" of a t-interval on four seeds cannot happen here.
 *
 * @example
 * logInterval([Math.log(1.5), Math.log(2), Math.log(4)], 'x')   // { mean: 2, lo: 1.5, hi: 4, level: 0.95, n: 3 }
 * relHalfWidth({ mean: 2, lo: 1.9, hi: 2.1 })                     // ≈ 0.05
 */
import { LedgerLabError } from '../errors.ts';
import { Rng } from '../util/index.ts';
import { median, quantileOf } from './order-stats.ts';
import type { Interval } from './stats.ts';

/** Median of the logs and its bootstrap percentile interval, exponentiated. No values: NaN figures. */
export function logInterval(logs: readonly number[], seed: number | string, o: { resamples?: number; level?: number } = {}): Interval {
  const level = o.level ?? 0.95;
  const n = logs.length;
  if (n === 0) return { mean: NaN, lo: NaN, hi: NaN, level, n };
  const mid = median(logs);
  if (n === 1) return { mean: Math.exp(mid), lo: Math.exp(mid), hi: Math.exp(mid), level, n };
  const rng = new Rng(`${seed}:paired-bootstrap:${n}`);
  const medians = Array.from({ length: o.resamples ?? 2000 }, () => median(Array.from({ length: n }, () => logs[rng.int(n)]!)));
  const a = (1 - level) / 2;
  return { mean: Math.exp(mid), lo: Math.exp(quantileOf(medians, a)), hi: Math.exp(quantileOf(medians, 1 - a)), level, n };
}

/** Paired log-ratios of two arms' per-round values (a / b, round by round; both arrays in round order). */
export function pairedLogRatios(a: readonly number[], b: readonly number[]): number[] {
  if (a.length !== b.length) throw new LedgerLabError({ kind: 'usage', code: 'usage.paired_rounds', problem: `paired values need equal rounds (${a.length} vs ${b.length})`, where: 'pairedLogRatios' });
  return a.map((x, i) => Math.log(x / b[i]!));
}

/**
 * Half the interval's width on the log scale, as a relative figure: (hi / lo)^(1/2) − 1. Infinity when the
 * interval is unknown or degenerate for lack of data (n < 2).
 */
export function relHalfWidth(iv: Interval): number {
  if (!(iv.lo > 0) || !(iv.hi > 0) || (iv.n !== undefined && iv.n < 2)) return Infinity;
  return Math.sqrt(iv.hi / iv.lo) - 1;
}

/** True when an interval has no impossible value for a ratio or a throughput: finite, positive, lo ≤ mean ≤ hi. */
export function isPossibleInterval(iv: Interval): boolean {
  return [iv.mean, iv.lo, iv.hi].every((x) => Number.isFinite(x) && x > 0) && iv.lo <= iv.mean && iv.mean <= iv.hi;
}
