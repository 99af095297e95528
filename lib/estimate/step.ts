/**
 * Step time and throughput from the cost model's counts on a device preset: seconds =
 * FLOPs / (peak · e) + bytes / (bandwidth · e) + kernels × overhead (+ dequantized values × s/value where the
 * engine dequantizes outside its kernels), with e over the preset's efficiency range. The interval is that
 * range, not a confidence level: the mean is at the middle of the range, lo/hi at its ends.
 */
import { predictStepTime, type StepCounts } from '../experiments/index.ts';
import type { Interval } from '../measure/index.ts';
import type { DevicePreset } from './devices.ts';

export interface StepEstimate {
  device: string;
  /** seconds per optimizer step (one batch). */
  seconds: Interval;
  samplesPerSecond: Interval;
  tokensPerSecond: Interval;
  efficiency: { lo: number; hi: number };
  counts: { flops: number; bytes: number; kernels: number; dequantValues: number; paddingPositions: number };
}

const efficiencies = (d: DevicePreset) => ({ lo: d.efficiency.lo, mid: (d.efficiency.lo + d.efficiency.hi) / 2, hi: d.efficiency.hi });

export function stepEstimate(c: StepCounts, d: DevicePreset, batchSize: number, tokensPerStep: number): StepEstimate {
  const e = efficiencies(d);
  // the slow end of the interval is the low-efficiency end
  const seconds: Interval = { mean: predictStepTime(c, d, e.mid), lo: predictStepTime(c, d, e.hi), hi: predictStepTime(c, d, e.lo) };
  const per = (n: number): Interval => ({ mean: n / seconds.mean, lo: n / seconds.hi, hi: n / seconds.lo });
  return {
    device: d.name, seconds, samplesPerSecond: per(batchSize), tokensPerSecond: per(tokensPerStep), efficiency: d.efficiency,
    counts: { flops: c.flops.total, bytes: c.bytes.total, kernels: c.kernels, dequantValues: c.dequantValues, paddingPositions: c.padding.positions },
  };
}

/**
 * Throughput ratio of method A over method B (A's samples/s ÷ B's) on one device: both at the same efficiency,
 * since they share the card; lo/hi over the efficiency range.
 */
export function throughputRatio(a: StepCounts, b: StepCounts, d: DevicePreset, batchA: number, batchB: number): Interval {
  const e = efficiencies(d);
  const at = (x: number) => (batchA / predictStepTime(a, d, x)) / (batchB / predictStepTime(b, d, x));
  const ends = [at(e.lo), at(e.hi)];
  return { mean: at(e.mid), lo: Math.min(...ends), hi: Math.max(...ends) };
}
