/**
 * The tfjs kernels LedgerLab's engine dispatches (both block families, GPT-2 and Llama/ChatGLM2: training every method with and without checkpointing, on
 * fp32 and quantized bases, and cached generation), as recorded by `recordEngineKernels()` in lib/bench. A
 * backend that lacks one of these cannot run the engine; `ledgerlab env` lists them for the chosen backend and
 * for WebGPU. test/bench/engine-kernels.test.ts re-records the list and fails when it is stale: after a model
 * change, paste the list the test prints.
 */
import * as tf from '@tensorflow/tfjs';

export const ENGINE_KERNELS: readonly string[] = [
  'Add', 'AddN', 'BatchMatMul', 'Cast', 'Concat', 'ExpandDims', 'GatherV2', 'Identity', 'Log', 'Maximum', 'Mean',
  'Multiply', 'Neg', 'PadV2', 'Pow', 'Range', 'RealDiv', 'Relu', 'Reshape', 'Rsqrt', 'Sigmoid', 'Slice', 'Softmax',
  'SplitV', 'Sqrt', 'Square', 'Step', 'Sub', 'Sum', 'Tile', 'Transpose', 'UnsortedSegmentSum', 'ZerosLike',
];

/** Engine kernels with no kernel registered for `backend` (tfjs' name: "wasm", "webgpu", "tensorflow", …). */
export function missingEngineKernels(backend: string, registered?: ReadonlySet<string>): string[] {
  const have = registered ?? new Set(tf.getKernelsForBackend(backend).map((k) => k.kernelName));
  return ENGINE_KERNELS.filter((k) => !have.has(k));
}
