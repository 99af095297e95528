/** runtime/: tensor backend choice and kernel fixes, environment report. */
export { initBackend, currentBackend, nvidiaGpu, wasmSimdSupported, isInstalled, silenceCpuNotice, BACKENDS } from './backend.ts';
export type { BackendChoice, BackendName, Candidate } from './backend.ts';
export { installKernelFixes, removeKernelFixes, installedKernelFixes, KERNEL_FIXES } from './kernels/index.ts';
export { environmentReport, environmentSummary, formatEnvironment, packageVersion, TRACKED_PACKAGES } from './env.ts';
export type { EnvironmentReport } from './env.ts';
export { backendLabel } from './backend-label.ts';
export { benchKernels, DEFAULT_CASES as KERNEL_BENCH_CASES, SLOW_CASE as KERNEL_BENCH_SLOW_CASE } from './kernel-bench.ts';
export type { KernelBenchResult, KernelBenchCase } from './kernel-bench.ts';
export { probeWebGpu, probeWebGpuForReport, activateWebGpu, webgpuKernelNames, vulkanLoaderPresent, gpuDeviceNodes, REPORTED_LIMITS } from './webgpu.ts';
export type { WebGpuProbe, WebGpuAdapterInfo } from './webgpu.ts';
export { nodeGpuStatus, nodeGpuFacts, CUDA_LIBRARIES } from './node-gpu.ts';
export type { NodeGpuFacts, NodeGpuStatus } from './node-gpu.ts';
export { ENGINE_KERNELS, missingEngineKernels } from './engine-kernels.ts';
export { countTensorReads, readNumbers, tensorsOnDevice } from './reads.ts';
export type { ReadCounts } from './reads.ts';
export { withPhase, currentPhase } from './phase.ts';
export { guardWasmBackend, throwPendingWasmFault } from './wasm-guard.ts';
