/** Benchmarks that print measured speed and memory: the reference training step, and PyTorch's for comparison. */
export { benchTrainStep, REFERENCE_CASES } from './train-step.ts';
export type { BenchCase, BenchTrainOptions, BenchTrainRow } from './train-step.ts';
export { runTorchReference } from './torch.ts';
export type { TorchResult, TorchRow } from './torch.ts';
export { recordEngineKernels } from './engine-kernels.ts';
export { backendParity, PARITY_TOLERANCE } from './device-parity.ts';
export type { ParityResult } from './device-parity.ts';
