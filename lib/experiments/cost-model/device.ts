/**
 * From counts to seconds: step time = FLOPs / (peak · efficiency) + bytes / (bandwidth · efficiency)
 * + kernels × per-kernel overhead. The terms are summed, not max'ed as in a roofline: small models on a CPU
 * do not overlap compute with memory traffic, and a sum keeps the model linear in its constants, so they can
 * be fitted by least squares. A handful of constants per device, never one per cell.
 */
import { LedgerLabError } from '../../errors.ts';
import { median } from '../../measure/index.ts';
import type { Compute } from './shape.ts';
import type { StepCounts } from './count.ts';

export interface Device {
  name: string;
  /** peak FLOP/s by compute dtype. */
  peakFlops: Record<Compute, number>;
  /** memory bandwidth, bytes/s. */
  bandwidth: number;
  /** seconds per kernel launch (launch latency + tail), independent of size. */
  kernelOverhead: number;
  /**
   * seconds per weight value dequantized outside the matmul kernels (tfjs-wasm here: JavaScript, per value).
   * Absent (0) where dequantization is fused into the kernels and costs only its bytes (GPUs).
   */
  secondsPerDequantValue?: number;
  /** fraction of peak FLOP/s and bandwidth actually reached: predictions are intervals over [lo, hi]. */
  efficiency: { lo: number; hi: number };
  /** false for a placeholder whose constants are guesses awaiting fitDevice on measured cells. */
  fitted: boolean;
  source: string;
}

/**
 * Published figures (NVIDIA A100 datasheet): 312 TFLOP/s dense fp16/bf16 on tensor cores, 19.5 TFLOP/s fp32
 * without TF32 (PyTorch ≥ 1.12 disables TF32 for matmuls by default); HBM2 1,555 GB/s (40GB SXM), HBM2e
 * 2,039 GB/s (80GB SXM). The 5 µs per kernel is a typical launch + tail figure, not a published one. Efficiency
 * 0.3–0.6 of peak: the range in which well-tuned transformer training (MFU reports) usually lands.
 */
const A100_PEAK: Record<Compute, number> = { fp32: 19.5e12, fp16: 312e12, bf16: 312e12 };
export const DEVICES = {
  'a100-40gb': { name: 'a100-40gb', peakFlops: A100_PEAK, bandwidth: 1.555e12, kernelOverhead: 5e-6, efficiency: { lo: 0.3, hi: 0.6 }, fitted: false, source: 'NVIDIA A100 datasheet (SXM4 40GB)' },
  'a100-80gb': { name: 'a100-80gb', peakFlops: A100_PEAK, bandwidth: 2.039e12, kernelOverhead: 5e-6, efficiency: { lo: 0.3, hi: 0.6 }, fitted: false, source: 'NVIDIA A100 datasheet (SXM4 80GB)' },
  /** Placeholder guesses (2 shared cores, fp32 only); replace with fitDevice() on this machine's measured cells. */
  'cpu-this-machine': { name: 'cpu-this-machine', peakFlops: { fp32: 2e10, fp16: 2e10, bf16: 2e10 }, bandwidth: 5e9, kernelOverhead: 2e-5, efficiency: { lo: 1, hi: 1 }, fitted: false, source: 'placeholder, not measured' },
} satisfies Record<string, Device>;
export type DeviceName = keyof typeof DEVICES;

/** Seconds for one step at the given efficiency (default: the device's; fitted devices use 1). */
export function predictStepTime(c: StepCounts, d: Device, efficiency = 1): number {
  return c.flops.total / (d.peakFlops[c.compute] * efficiency) + c.bytes.total / (d.bandwidth * efficiency) + c.kernels * d.kernelOverhead + c.dequantValues * (d.secondsPerDequantValue ?? 0);
}

export interface Cell { counts: StepCounts; seconds: number }
export interface DeviceFit {
  device: Device;
  /** seconds per FLOP, per byte, per kernel, per dequantized value (the fitted non-negative coefficients). */
  coefficients: [number, number, number, number];
  relErrors: number[];
  relErrorMedian: number;
}

/**
 * Non-negative least squares on relative error (each row divided by its measured seconds, so a 10 ms cell
 * weighs as much as a 1 s one). Four unknowns (s/FLOP, s/byte, s/kernel, s/dequantized value; the last is 0
 * when no cell dequantizes), so the active set is found exactly by trying all 15 non-empty subsets of free
 * coefficients and keeping the feasible one with the smallest residual.
 */
export function fitDevice(cells: readonly Cell[], name = 'fitted'): DeviceFit {
  if (cells.length < 3) throw new LedgerLabError({ kind: 'data', problem: `fitting 3 device constants needs at least 3 cells, got ${cells.length}`, where: 'fitDevice(cells)' });
  const compute = cells[0].counts.compute;
  cells.forEach((c, i) => {
    if (c.counts.compute !== compute) throw new LedgerLabError({ kind: 'data', problem: `cell ${i} computes in ${c.counts.compute}, cell 0 in ${compute}: fit one compute dtype at a time`, where: `fitDevice(cells[${i}])` });
    if (!(c.seconds > 0)) throw new LedgerLabError({ kind: 'data', problem: `cell ${i} has non-positive seconds ${c.seconds}`, where: `fitDevice(cells[${i}]).seconds` });
  });
  const rows = cells.map((c) => [c.counts.flops.total, c.counts.bytes.total, c.counts.kernels, c.counts.dequantValues ?? 0].map((x) => x / c.seconds));
  let best: { x: number[]; sse: number } | undefined;
  for (let mask = 1; mask < 16; mask++) {
    const free = [0, 1, 2, 3].filter((j) => mask & (1 << j));
    const x = solveSubset(rows, free);
    if (!x || x.some((v) => v < 0)) continue;
    const sse = rows.reduce((a, row) => a + (row.reduce((s, v, j) => s + v * x[j], 0) - 1) ** 2, 0);
    if (!best || sse < best.sse - 1e-15) best = { x, sse };
  }
  if (!best) throw new LedgerLabError({ kind: 'data', problem: 'no non-negative fit exists for these cells', where: 'fitDevice(cells)' });
  const [sFlop, sByte, sKernel, sDequant] = best.x;
  const peak = sFlop > 0 ? 1 / sFlop : Infinity;
  const device: Device = {
    name, peakFlops: { fp32: peak, fp16: peak, bf16: peak }, bandwidth: sByte > 0 ? 1 / sByte : Infinity, kernelOverhead: sKernel, secondsPerDequantValue: sDequant,
    efficiency: { lo: 1, hi: 1 }, fitted: true, source: `fitDevice on ${cells.length} ${compute} cells`,
  };
  const relErrors = cells.map((c) => Math.abs(predictStepTime(c.counts, device) - c.seconds) / c.seconds);
  return { device, coefficients: [sFlop, sByte, sKernel, sDequant], relErrors, relErrorMedian: median(relErrors) };
}

/** Least squares for rows·x ≈ 1 with only the `free` coefficients non-zero (normal equations, Gaussian elimination). */
function solveSubset(rows: number[][], free: number[]): number[] | undefined {
  const k = free.length;
  // scale columns to comparable magnitude first: FLOPs and kernels differ by ~10 orders of magnitude
  const scale = free.map((j) => Math.sqrt(rows.reduce((a, r) => a + r[j] * r[j], 0)) || 1);
  const A = Array.from({ length: k }, (_, i) => [
    ...free.map((j, jj) => rows.reduce((a, r) => a + (r[free[i]] / scale[i]) * (r[j] / scale[jj]), 0)),
    rows.reduce((a, r) => a + r[free[i]] / scale[i], 0),
  ]);
  for (let c = 0; c < k; c++) {
    let p = c;
    for (let i = c + 1; i < k; i++) if (Math.abs(A[i][c]) > Math.abs(A[p][c])) p = i;
    if (Math.abs(A[p][c]) < 1e-12) return undefined;
    [A[c], A[p]] = [A[p], A[c]];
    for (let i = 0; i < k; i++) {
      if (i === c) continue;
      const f = A[i][c] / A[c][c];
      for (let j = c; j <= k; j++) A[i][j] -= f * A[c][j];
    }
  }
  const x = [0, 0, 0, 0];
  free.forEach((j, i) => { x[j] = A[i][k] / A[i][i] / scale[i]; });
  return x;
}
