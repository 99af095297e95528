/**
 * Corpus scores with uncertainty: the corpus value is the mean of per-item scores, and its 95% interval is
 * a percentile bootstrap over items (1,000 resamples by default, seeded `Rng`, so the same input and seed
 * give the same interval everywhere). `pairedBootstrap` resamples the SAME item indices for systems A and B
 * — the item-to-item variation cancels, which is what makes "A beats B by 0.8 ROUGE-L" testable.
 *
 * Percentiles use linear interpolation between order statistics (numpy's default), as lib/measure does.
 *
 * @example
 * const ci = bootstrapCI([0.2, 0.4, 0.9], { seed: 1 });  // { mean: 0.5, lo, hi, ... }
 * const d = pairedBootstrap(scoresA, scoresB);            // d.diff, d.lo, d.hi, d.pAGreater
 */
import { LedgerLabError } from '../errors.ts';
import { Rng } from '../util/index.ts';
import { quantile, type Interval } from '../measure/index.ts';

export interface BootstrapOptions {
  /** Number of resamples (default 1000). */
  resamples?: number;
  /** Seed for the resampling stream (default 0). */
  seed?: number | string;
  /** Confidence level (default 0.95). */
  level?: number;
}

/** A percentile bootstrap interval over examples: an Interval with its level, resample count and sample size. */
export interface BootstrapCI extends Interval {
  level: number;
  resamples: number;
  n: number;
}

export interface PairedBootstrap {
  meanA: number;
  meanB: number;
  /** mean(A) − mean(B) on the full data. */
  diff: number;
  /** Percentile interval of mean(A) − mean(B) over paired resamples. */
  lo: number;
  hi: number;
  /** Share of resamples in which A's mean exceeds B's (1 − this is the usual one-sided bootstrap p for "A > B"). */
  pAGreater: number;
  level: number;
  resamples: number;
  n: number;
}

function mean(xs: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < xs.length; i++) s += xs[i];
  return s / xs.length;
}

/** A caller's bad argument (`path` names it), as the house error: code "metrics.bad_input". */
const badInput = (path: string, problem: string) => new LedgerLabError({ kind: 'data', code: 'metrics.bad_input', problem, issues: [{ path: [path], message: problem }] });

function check(n: number, opts: BootstrapOptions): { resamples: number; level: number; seed: number | string } {
  const resamples = opts.resamples ?? 1000;
  const level = opts.level ?? 0.95;
  if (n === 0) throw badInput('values', 'bootstrap needs at least one value');
  if (!Number.isInteger(resamples) || resamples < 1) throw badInput('resamples', `resamples must be a positive integer, got ${resamples}`);
  if (!(level > 0 && level < 1)) throw badInput('level', `level must be in (0, 1), got ${level}`);
  return { resamples, level, seed: opts.seed ?? 0 };
}

/**
 * Resample index sets, drawn once so several metrics of one corpus share them (their intervals then
 * describe the same bootstrap replicates).
 */
export function bootstrapIndices(n: number, resamples: number, seed: number | string): Int32Array[] {
  const rng = new Rng(seed);
  const out: Int32Array[] = [];
  for (let b = 0; b < resamples; b++) {
    const idx = new Int32Array(n);
    for (let i = 0; i < n; i++) idx[i] = rng.int(n);
    out.push(idx);
  }
  return out;
}

function resampledMeans(values: ArrayLike<number>, indices: Int32Array[]): number[] {
  return indices.map((idx) => {
    let s = 0;
    for (let i = 0; i < idx.length; i++) s += values[idx[i]];
    return s / idx.length;
  });
}

/** Mean with a percentile-bootstrap confidence interval. Pass `indices` to reuse resamples across metrics. */
export function bootstrapCI(values: ArrayLike<number>, opts: BootstrapOptions = {}, indices?: Int32Array[]): BootstrapCI {
  const { resamples, level, seed } = check(values.length, opts);
  const idx = indices ?? bootstrapIndices(values.length, resamples, seed);
  const means = resampledMeans(values, idx).sort((a, b) => a - b);
  const alpha = (1 - level) / 2;
  return { mean: mean(values), lo: quantile(means, alpha), hi: quantile(means, 1 - alpha), level, resamples: idx.length, n: values.length };
}

/** Paired bootstrap of mean(A) − mean(B) over the same items. */
export function pairedBootstrap(a: ArrayLike<number>, b: ArrayLike<number>, opts: BootstrapOptions = {}): PairedBootstrap {
  if (a.length !== b.length) throw badInput('b', `paired bootstrap needs equal lengths, got ${a.length} and ${b.length}`);
  const { resamples, level, seed } = check(a.length, opts);
  const idx = bootstrapIndices(a.length, resamples, seed);
  const d = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) d[i] = a[i] - b[i];
  const diffs = resampledMeans(d, idx);
  const greater = diffs.filter((x) => x > 0).length;
  diffs.sort((x, y) => x - y);
  const alpha = (1 - level) / 2;
  return {
    meanA: mean(a), meanB: mean(b), diff: mean(a) - mean(b),
    lo: quantile(diffs, alpha), hi: quantile(diffs, 1 - alpha),
    pAGreater: greater / resamples, level, resamples, n: a.length,
  };
}
