/**
 * Change detection on a quality series over cycles: where does the held-out score start to fall?
 *
 * `cusumDetect` is Page's one-sided lower CUSUM on the per-cycle mean, standardized by the first `baseline`
 * cycles: S_t = max(0, S_{t−1} + (μ − x_t)/σ − k), alarm at the first S_t > h, change point = the cycle
 * after the last S = 0 before the alarm (where the accumulated drop began). σ is the larger of the spread
 * of the baseline cycle means and the standard error of a cycle mean over its examples, so a short baseline
 * that happens to be flat does not make every wobble an alarm.
 *
 * `bootstrapDetect` is the paired alternative: the held-out examples are the same every cycle, so each
 * cycle's per-example scores are compared with each example's baseline mean by a paired bootstrap; the
 * alarm is the first of `persist` consecutive cycles whose whole interval lies below zero.
 *
 * @example
 * const d = cusumDetect(series.map((c) => ({ cycle: c.cycle, mean: c.mean, values: c.perExample })), { baseline: 4, k: 0.5, h: 5 });
 * d.alarm        // first cycle the detector fires (undefined: no degradation found)
 * d.changePoint  // estimated cycle where the drop began
 */
import { LedgerLabError } from '../../errors.ts';
import { pairedBootstrap } from '../../metrics/index.ts';

export interface CyclePoint {
  cycle: number;
  /** Mean score of the cycle (e.g. held-out ROUGE-L ×100). */
  mean: number;
  /** Per-example scores, same examples in the same order every cycle (optional for CUSUM). */
  values?: readonly number[];
}

export interface CusumOptions {
  /** Cycles (the first ones of the series) that define the reference level. */
  baseline: number;
  /** Slack in σ units: drifts smaller than k·σ are not accumulated. */
  k: number;
  /** Alarm threshold in σ units. */
  h: number;
}

export interface ChangeDetection {
  method: 'cusum' | 'bootstrap';
  /** Reference level and scale from the baseline cycles. */
  mu: number;
  sigma: number;
  /** Per cycle after the baseline: the CUSUM statistic (σ units) or the paired difference to the baseline. */
  trace: { cycle: number; value: number; lo?: number; hi?: number }[];
  /** First cycle at which the detector fires. */
  alarm?: number;
  /** Estimated first cycle of the degradation. */
  changePoint?: number;
}

function sd(xs: readonly number[]): number {
  if (xs.length < 2) return 0;
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

function checkSeries(series: readonly CyclePoint[], baseline: number): void {
  if (baseline < 2) throw new LedgerLabError({ kind: 'config', problem: `the baseline needs at least 2 cycles, got ${baseline}`, where: 'detect.baseline' });
  series.forEach((p, i) => {
    if (!Number.isFinite(p.mean)) throw new LedgerLabError({ kind: 'data', problem: `cycle ${p.cycle} has a non-finite mean (${p.mean})`, where: `change detection, series[${i}]` });
    if (i > 0 && p.cycle <= series[i - 1]!.cycle) throw new LedgerLabError({ kind: 'data', problem: 'cycles must be increasing', where: `change detection, series[${i}] (cycle ${p.cycle})` });
  });
}

/** Reference level μ and scale σ of the first `baseline` points (σ never below 1e-6). */
export function baselineStats(series: readonly CyclePoint[], baseline: number): { mu: number; sigma: number } {
  const b = series.slice(0, baseline);
  const mu = b.reduce((a, p) => a + p.mean, 0) / b.length;
  const withValues = b.filter((p) => p.values && p.values.length > 1);
  const se = withValues.length ? withValues.reduce((a, p) => a + sd(p.values!) / Math.sqrt(p.values!.length), 0) / withValues.length : 0;
  return { mu, sigma: Math.max(sd(b.map((p) => p.mean)), se, 1e-6) };
}

/**
 * Lower one-sided CUSUM (Page 1954). A series no longer than the baseline yields no alarm.
 *
 * @example
 * cusumDetect([50, 51, 49, 50, 50, 44, 43, 42].map((mean, cycle) => ({ cycle, mean })), { baseline: 4, k: 0.5, h: 4 }).alarm // 5
 */
export function cusumDetect(series: readonly CyclePoint[], o: CusumOptions): ChangeDetection {
  checkSeries(series, o.baseline);
  if (series.length < o.baseline) return { method: 'cusum', mu: NaN, sigma: NaN, trace: [] };
  const { mu, sigma } = baselineStats(series, o.baseline);
  const trace: ChangeDetection['trace'] = [];
  let S = 0;
  let lastZero = series[o.baseline - 1]!.cycle;
  let alarm: number | undefined;
  let changePoint: number | undefined;
  for (let i = o.baseline; i < series.length; i++) {
    const p = series[i]!;
    S = Math.max(0, S + (mu - p.mean) / sigma - o.k);
    trace.push({ cycle: p.cycle, value: S });
    if (alarm === undefined) {
      if (S === 0) lastZero = p.cycle;
      else if (S > o.h) {
        alarm = p.cycle;
        changePoint = series.find((q) => q.cycle > lastZero)!.cycle;
      }
    }
  }
  return { method: 'cusum', mu, sigma, trace, ...(alarm !== undefined ? { alarm, changePoint } : {}) };
}

export interface BootstrapDetectOptions {
  baseline: number;
  /** Consecutive significant cycles needed for an alarm (default 2). */
  persist?: number;
  /** Only drops larger than this (score units) count (default 0). */
  margin?: number;
  resamples?: number;
  seed?: number | string;
}

/** Paired bootstrap of each cycle against the per-example baseline mean. Needs `values` on every point. */
export function bootstrapDetect(series: readonly CyclePoint[], o: BootstrapDetectOptions): ChangeDetection {
  checkSeries(series, o.baseline);
  const n = series[0]?.values?.length ?? 0;
  series.forEach((p, i) => {
    if (p.values?.length !== n || n === 0) throw new LedgerLabError({ kind: 'data', problem: `bootstrap detection needs the same examples every cycle (cycle ${p.cycle} has ${p.values?.length ?? 0}, the first ${n})`, where: `change detection, series[${i}]` });
  });
  if (series.length < o.baseline) return { method: 'bootstrap', mu: NaN, sigma: NaN, trace: [] };
  const { mu, sigma } = baselineStats(series, o.baseline);
  const base = Array.from({ length: n }, (_, j) => series.slice(0, o.baseline).reduce((a, p) => a + p.values![j]!, 0) / o.baseline);
  const persist = o.persist ?? 2;
  const margin = o.margin ?? 0;
  const trace: ChangeDetection['trace'] = [];
  let run = 0;
  let alarm: number | undefined;
  let changePoint: number | undefined;
  for (let i = o.baseline; i < series.length; i++) {
    const p = series[i]!;
    const b = pairedBootstrap(p.values!, base, { resamples: o.resamples ?? 1000, seed: `${o.seed ?? 0}:${p.cycle}` });
    trace.push({ cycle: p.cycle, value: b.diff, lo: b.lo, hi: b.hi });
    run = b.hi < -margin ? run + 1 : 0;
    if (alarm === undefined && run >= persist) {
      alarm = p.cycle;
      changePoint = series[i - persist + 1]!.cycle;
    }
  }
  return { method: 'bootstrap', mu, sigma, trace, ...(alarm !== undefined ? { alarm, changePoint } : {}) };
}
