/**
 * Quantiles and the median (numpy's default linear interpolation): a leaf module with no imports, so the timing
 * engine, the paired estimator and the noise check can use them without importing timing.ts (which imports the
 * engine).
 */

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
