/**
 * Device presets: published peaks and memory, plus the few assumed constants (per-kernel overhead, efficiency
 * range, framework overhead) — one set per device, written down before any comparison (docs/estimate.md) and
 * never tuned per case. Peaks are dense (no 2:4 sparsity); fp16/bf16 peaks are tensor-core peaks with fp32
 * accumulation, what PyTorch's half-precision matmuls use.
 */
import { DEVICES, type Device } from '../experiments/index.ts';
import { LedgerLabError } from '../errors.ts';

export interface DevicePreset extends Device {
  /** memory a training run may use, bytes. */
  memoryBytes: number;
  /** framework overhead resident besides the tensors (CUDA context + allocator slack; a Node process's baseline). */
  overheadBytes: number;
  /**
   * live activation bytes per byte of the cost model's backward stash: 1 for PyTorch-style engines, which keep
   * what the backward needs; more for an engine whose tape keeps every primitive op's output (tfjs here).
   */
  activationFactor: number;
  /** 'ledgerlab': memory follows LedgerLab's own engine layout (engine-memory.ts) instead of the cost model's stash. */
  engine?: 'ledgerlab';
  label: string;
}

const GiB = 2 ** 30;
const GB = 1e9;
const nvidia = (name: string, label: string, fp16: number, fp32: number, bandwidth: number, memoryGB: number, source: string): DevicePreset => ({
  name, label, peakFlops: { fp16, bf16: fp16, fp32 }, bandwidth, kernelOverhead: 5e-6, efficiency: { lo: 0.3, hi: 0.6 }, fitted: false, source,
  memoryBytes: memoryGB * GB,
  // CUDA context + cuBLAS workspace + caching-allocator slack of a PyTorch process: ~0.5 GiB (assumed, not fitted)
  overheadBytes: 0.5 * GiB, activationFactor: 1,
});
const apple = (name: string, label: string, fp32: number, bandwidth: number, memoryGB: number, source: string): DevicePreset => ({
  // Apple GPUs run fp16 at the fp32 rate; MPS kernel launches cost more than CUDA's (20 µs assumed)
  name, label, peakFlops: { fp16: fp32, bf16: fp32, fp32 }, bandwidth, kernelOverhead: 2e-5, efficiency: { lo: 0.25, hi: 0.5 }, fitted: false, source,
  memoryBytes: memoryGB * GB, overheadBytes: 0.5 * GiB, activationFactor: 1,
});

/**
 * "This machine": the constants the scale kind fitted here (docs/scale.md, scale-quick 2026-12-01, seed 0:
 * 86.4 GFLOP/s, 2.40 GB/s, 96 µs per kernel, 6.0 ns per dequantized value), the 2-core VM's 24 GiB, and a Node
 * process's resident baseline (~176 MB before any tensor, measured by bench load). Efficiency 0.8–1.2 spans the
 * two seeds' fits (70.8 vs 86.4 GFLOP/s) and the fit's 7% median error.
 */
const CPU: DevicePreset = {
  name: 'cpu', label: 'this machine (2-core VM, tfjs-wasm + ORT MatMul, fitted)', peakFlops: { fp32: 86.4e9, fp16: 86.4e9, bf16: 86.4e9 }, bandwidth: 2.4e9,
  kernelOverhead: 96e-6, secondsPerDequantValue: 6.0e-9, efficiency: { lo: 0.8, hi: 1.2 }, fitted: true,
  source: 'fitDevice on scale-quick (docs/scale.md, 2026-12-01, seed 0)', memoryBytes: 24 * GiB, overheadBytes: 176e6,
  // memory from the engine's layout (engine-memory.ts: what the training loop's gradient function keeps per
  // op, where weights live, the chunked loss, ONNX Runtime's copy at evaluation), not a factor on the stash
  activationFactor: 1, engine: 'ledgerlab',
};

export const DEVICE_PRESETS: Readonly<Record<string, DevicePreset>> = {
  'a100-40gb': { ...DEVICES['a100-40gb'], label: 'NVIDIA A100 SXM4 40GB', memoryBytes: 40 * GB, overheadBytes: 0.5 * GiB, activationFactor: 1 },
  'a100-80gb': { ...DEVICES['a100-80gb'], label: 'NVIDIA A100 SXM4 80GB', memoryBytes: 80 * GB, overheadBytes: 0.5 * GiB, activationFactor: 1 },
  h100: nvidia('h100', 'NVIDIA H100 SXM5 80GB', 989.4e12, 66.9e12, 3.35e12, 80, 'NVIDIA H100 datasheet (SXM5): 989 TFLOP/s dense fp16/bf16, 67 TFLOP/s fp32, 3.35 TB/s HBM3'),
  l40s: nvidia('l40s', 'NVIDIA L40S 48GB', 362.05e12, 91.6e12, 0.864e12, 48, 'NVIDIA L40S datasheet: 362 TFLOP/s dense fp16/bf16 tensor, 91.6 TFLOP/s fp32, 864 GB/s GDDR6'),
  'rtx-4090': nvidia('rtx-4090', 'NVIDIA GeForce RTX 4090 24GB', 165.2e12, 82.6e12, 1.008e12, 24, 'NVIDIA Ada whitepaper: 165.2 TFLOP/s fp16 tensor with fp32 accumulate (dense), 82.6 TFLOP/s fp32, 1,008 GB/s GDDR6X'),
  'm2-max': apple('m2-max', 'Apple M2 Max (38-core GPU, 96 GB)', 13.6e12, 400e9, 96, 'Apple M2 Max announcement: up to 13.6 TFLOP/s (38-core GPU), 400 GB/s unified memory, up to 96 GB'),
  'm3-max': apple('m3-max', 'Apple M3 Max (40-core GPU, 128 GB)', 16.4e12, 400e9, 128, 'Apple: 400 GB/s, up to 128 GB (40-core GPU); 16.4 TFLOP/s fp32 is the commonly cited third-party figure (Apple publishes none)'),
  cpu: CPU,
};
const DEVICE_ALIASES: Readonly<Record<string, string>> = { 'this-machine': 'cpu', 'this machine': 'cpu', 'cpu-this-machine': 'cpu', a100: 'a100-80gb', 'h100-80gb': 'h100', '4090': 'rtx-4090' };

export function devicePreset(name: string): DevicePreset {
  const d = DEVICE_PRESETS[DEVICE_ALIASES[name] ?? name];
  if (!d) throw new LedgerLabError({ kind: 'usage', code: 'usage.unknown_device', problem: `unknown device "${name}"`, where: '--device', hint: `known: ${[...Object.keys(DEVICE_PRESETS), ...Object.keys(DEVICE_ALIASES)].join(', ')}` });
  return d;
}
