/**
 * Small-sample statistics for figures across seeds: mean with a Student-t 95% interval. (Bootstrap
 * intervals over examples live in metrics/; this is for "the same config, N seeds".)
 *
 * @example
 * meanCI([21.1, 21.9, 22.4])   // { mean: 21.8, lo: 20.18…, hi: 23.41…, n: 3, sd: 0.656… }
 */

// Two-sided 95% Student-t quantiles t_{0.975, df} for df = 1..30.
const T975 = [
  12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.306, 2.2622, 2.2281, 2.201, 2.1788, 2.1604, 2.1448, 2.1314,
  2.1199, 2.1098, 2.1009, 2.093, 2.086, 2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
];

/** t_{0.975, df}; beyond the table, the Cornish–Fisher expansion around z = 1.959964 (error < 1e-4 for df > 30). */
export function t975(df: number): number {
  if (df < 1) return NaN;
  if (df <= 30) return T975[Math.round(df) - 1];
  const z = 1.959964;
  return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2);
}

/**
 * The one interval type of LedgerLab: a figure (`mean`) and its interval [lo, hi] — every mean/lo/hi in the
 * library is one of these (a t-interval over seeds, a bootstrap interval over examples, a report cell).
 */
export interface Interval {
  mean: number;
  lo: number;
  hi: number;
  /** Confidence level of [lo, hi], e.g. 0.95; absent: the house default, 95%. */
  level?: number;
  /** Number of values behind the figure. */
  n?: number;
}

/** A figure whose interval may be absent (one run has none): what chart rows carry. */
export type Estimate = Omit<Interval, 'lo' | 'hi'> & Partial<Pick<Interval, 'lo' | 'hi'>>;

/** A Student-t interval over seeds (meanCI): an Interval with its sample size and standard deviation. */
export interface MeanCI extends Interval {
  sd: number;
  n: number;
}

/** Mean and two-sided 95% t-interval. One value: the interval is [mean, mean] with sd NaN (not enough data). */
export function meanCI(xs: readonly number[]): MeanCI {
  const n = xs.length;
  if (n === 0) return { mean: NaN, lo: NaN, hi: NaN, sd: NaN, n: 0 };
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { mean, lo: mean, hi: mean, sd: NaN, n };
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (n - 1));
  const half = t975(n - 1) * (sd / Math.sqrt(n));
  return { mean, lo: mean - half, hi: mean + half, sd, n };
}

/** "21.80 [20.18, 23.41]" — the house format for a figure with its interval. */
export function formatCI(ci: MeanCI, digits = 2): string {
  if (ci.n === 0) return '—';
  if (ci.n === 1) return `${ci.mean.toFixed(digits)} (n=1)`;
  return `${ci.mean.toFixed(digits)} [${ci.lo.toFixed(digits)}, ${ci.hi.toFixed(digits)}]`;
}
