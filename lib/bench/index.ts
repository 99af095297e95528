/** Benchmarks that print measured speed and memory: the reference training step, and PyTorch's in the same rounds. */
export { benchTrainStep, benchShape, torchShape, REFERENCE_CASES, BENCH_ARCHS, BENCH_SIZES } from './train-step.ts';
export type { BenchCase, BenchTrainOptions, BenchTrainRow, BenchArch, BenchSize, BenchShape, TorchArmResult } from './train-step.ts';
export { TorchChild, TORCH_METHODS, THREAD_VARS } from './torch-child.ts';
export type { TorchInfo, TorchShape, TorchChildOptions } from './torch-child.ts';
export { benchLoad } from './load-memory.ts';
export type { LoadBenchResult, LoadBenchRow } from './load-memory.ts';
export { writeRandomLlama, LLAMA_100M, QWEN25_05B, QWEN25_15B } from './random-checkpoint.ts';
export type { RandomLlama } from './random-checkpoint.ts';
export { kernelProfile } from './kernel-profile.ts';
export type { KernelProfile, KernelShare } from './kernel-profile.ts';
export { recordEngineKernels } from './engine-kernels.ts';
export { backendParity, PARITY_TOLERANCE } from './device-parity.ts';
export type { ParityResult } from './device-parity.ts';
