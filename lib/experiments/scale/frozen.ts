/**
 * The cost model's held-out check, made honest: the four device constants were fitted on the lower rungs only
 * (r0–r2 of scale-quick's quiet run, 2026-12-01, commit 9f77994; docs/measurements/2026-12-01-scale-quick.md) and
 * are frozen here, before the rung they predict (HELD_OUT_RUNG, larger than r3) has ever been measured. The
 * count code may change later; the constants may not, and the committed prediction
 * (docs/measurements/2026-12-07-held-out-rung.md) is what the measurement is compared against
 * (scripts/held-out-check.ts on `ledgerlab run experiments/scale-heldout.json`).
 *
 * @example
 * const p = predictCells(cells, FROZEN_FIT.seeds.s0);   // per-cell seconds, the fast/slow ratio, Shapley split
 */
import { predictStepTime, type Device } from '../cost-model/index.ts';
import { cellFor, decompose, switchedKey } from '../speedup/index.ts';
import { meanCounts, type FitCell } from './fit.ts';
import { median } from '../../measure/index.ts';

export interface FrozenConstants { flopsPerSecond: number; bytesPerSecond: number; secondsPerKernel: number; secondsPerDequantValue: number }

/** As published in the quiet run's page (rounded there; these rounded values are the frozen ones). */
export const FROZEN_FIT = {
  fittedOn: ['r0', 'r1', 'r2'],
  source: 'scale-quick quiet run 2026-12-01, commit 9f77994, fitted on r0–r2 (docs/measurements/2026-12-01-scale-quick.md)',
  seeds: {
    s0: { flopsPerSecond: 86.4e9, bytesPerSecond: 2.40e9, secondsPerKernel: 96e-6, secondsPerDequantValue: 6.0e-9 },
    s1: { flopsPerSecond: 70.8e9, bytesPerSecond: 3.51e9, secondsPerKernel: 100e-6, secondsPerDequantValue: 5.6e-9 },
  } satisfies Record<string, FrozenConstants>,
} as const;

/** The rung never measured before its prediction was committed: 10 layers × d 768 (scale-quick's r3 is 8 × 512). */
export const HELD_OUT_RUNG = { name: 'r4', layers: 10, d: 768 } as const;

export function frozenDevice(c: FrozenConstants): Device {
  return {
    name: 'cpu-frozen', peakFlops: { fp32: c.flopsPerSecond, fp16: c.flopsPerSecond, bf16: c.flopsPerSecond }, bandwidth: c.bytesPerSecond,
    kernelOverhead: c.secondsPerKernel, secondsPerDequantValue: c.secondsPerDequantValue, efficiency: { lo: 1, hi: 1 }, fitted: true, source: FROZEN_FIT.source,
  };
}

export type CellToPredict = Omit<FitCell, 'times'>;

/** Predicted seconds per cell, the fast/slow ratio and its Shapley split (×), from frozen constants. */
export function predictCells(cells: readonly CellToPredict[], c: FrozenConstants, factors: readonly string[]) {
  const device = frozenDevice(c);
  const seconds = cells.map((x) => predictStepTime(meanCounts(x.shape, x.recipe, x.batches), device));
  const bySet = new Map(cells.map((x, i) => [switchedKey(x.switched), seconds[i]!]));
  const d = decompose(factors, (s) => 1 / bySet.get(cellFor(s, bySet))!);
  return { seconds, ratio: Math.exp(d.total), shapley: Object.fromEntries(factors.map((f) => [f, Math.exp(d.shapley[f]!)])) };
}

/** The measured rung against the frozen prediction: per-cell relative errors, their median, both ratios. */
export function heldOutCheck(measured: readonly FitCell[], c: FrozenConstants, factors: readonly string[]) {
  const p = predictCells(measured, c, factors);
  const seconds = measured.map((x) => median(x.times));
  const relErrors = seconds.map((s, i) => Math.abs(p.seconds[i]! - s) / s);
  const bySet = new Map(measured.map((x, i) => [switchedKey(x.switched), seconds[i]!]));
  const d = decompose(factors, (s) => 1 / bySet.get(cellFor(s, bySet))!);
  return { predicted: p, measuredSeconds: seconds, relErrors, relErrorMedian: median(relErrors), measuredRatio: Math.exp(d.total) };
}
