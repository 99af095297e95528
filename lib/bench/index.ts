/** Benchmarks that print measured speed and memory: the reference training step, and PyTorch's for comparison. */
export { benchTrainStep, benchShape, REFERENCE_CASES, BENCH_ARCHS, BENCH_SIZES } from './train-step.ts';
export type { BenchCase, BenchTrainOptions, BenchTrainRow, BenchArch, BenchSize, BenchShape } from './train-step.ts';
export { runTorchReference, TORCH_METHODS } from './torch.ts';
export type { TorchResult, TorchRow, TorchShape } from './torch.ts';
export { benchLoad } from './load-memory.ts';
export type { LoadBenchResult, LoadBenchRow } from './load-memory.ts';
export { writeRandomLlama, LLAMA_100M, QWEN25_05B } from './random-checkpoint.ts';
export type { RandomLlama } from './random-checkpoint.ts';
export { kernelProfile } from './kernel-profile.ts';
export type { KernelProfile, KernelShare } from './kernel-profile.ts';
export { recordEngineKernels } from './engine-kernels.ts';
export { backendParity, PARITY_TOLERANCE } from './device-parity.ts';
export type { ParityResult } from './device-parity.ts';
