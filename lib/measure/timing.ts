/**
 * Honest timing: warm-up runs (JIT, wasm compile, allocator) are discarded, then each timed repeat is kept,
 * and we report the median and interquartile range rather than a mean that one GC pause can move.
 *
 * @example
 * const t = await timeRepeats(() => step(), { warmup: 2, repeats: 10 });
 * console.log(formatStat(t, 'ms'));   // "412.3 ms (IQR 405.1–420.8, n=10)"
 */

export interface Stat {
  median: number;
  q1: number;
  q3: number;
  iqr: number;
  min: number;
  max: number;
  mean: number;
  n: number;
  samples: number[];
}

/** Quantile by linear interpolation between order statistics (numpy's default). */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Quantile of unsorted values (the same linear interpolation); NaN for none. */
export function quantileOf(xs: readonly number[], q: number): number {
  return quantile([...xs].sort((a, b) => a - b), q);
}

/** Median of unsorted values; NaN for none. */
export const median = (xs: readonly number[]): number => quantileOf(xs, 0.5);

export function summarize(samples: readonly number[]): Stat {
  const s = [...samples].sort((a, b) => a - b);
  const q1 = quantile(s, 0.25);
  const q3 = quantile(s, 0.75);
  return {
    median: quantile(s, 0.5),
    q1,
    q3,
    iqr: q3 - q1,
    min: s[0] ?? NaN,
    max: s[s.length - 1] ?? NaN,
    mean: s.reduce((a, b) => a + b, 0) / (s.length || 1),
    n: s.length,
    samples: [...samples],
  };
}

/** Times `fn` (sync or async) `repeats` times after `warmup` untimed runs; returns milliseconds. */
export async function timeRepeats(fn: () => unknown, opts: { warmup?: number; repeats?: number } = {}): Promise<Stat> {
  const { warmup = 1, repeats = 5 } = opts;
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return summarize(samples);
}

export function formatStat(s: Stat, unit: string, digits = 1): string {
  return `${s.median.toFixed(digits)} ${unit} (IQR ${s.q1.toFixed(digits)}–${s.q3.toFixed(digits)}, n=${s.n})`;
}
