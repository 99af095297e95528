/**
 * A direct UnsortedSegmentSum kernel for the wasm and cpu backends.
 *
 * Why: tf.gather's gradient (every embedding lookup) is an UnsortedSegmentSum. The wasm backend has no
 * such kernel at all ("Kernel 'UnsortedSegmentSum' not registered for backend 'wasm'"), and the cpu backend
 * builds it from one-hot comparisons and reductions — 36.7 s of a 62.6 s reference step. The operation is a
 * single scatter-add over rows, which a plain loop does in microseconds.
 */
import type { KernelConfig, KernelFunc, TensorInfo, TypedArray, DataType } from '@tensorflow/tfjs';

/** out[s, :] = Σ_{i: ids[i] = s} x[i, :]; ids outside [0, numSegments) are dropped (as in TensorFlow). */
export function segmentSum(
  x: TypedArray,
  ids: TypedArray,
  numSegments: number,
  out: TypedArray,
): void {
  const rows = ids.length;
  // segmentIds may cover several leading dims of x; each id owns x.length / ids.length values.
  const width = rows === 0 ? 0 : x.length / rows;
  out.fill(0);
  for (let i = 0; i < rows; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const src = i * width;
    const dst = s * width;
    for (let j = 0; j < width; j++) out[dst + j] += x[src + j];
  }
}

interface SegmentArgs {
  inputs: { x: TensorInfo; segmentIds: TensorInfo };
  attrs: { numSegments: number };
}

function outShape(x: TensorInfo, ids: TensorInfo, numSegments: number): number[] {
  return [numSegments, ...x.shape.slice(ids.shape.length)];
}

function arrayFor(dtype: DataType, n: number): TypedArray {
  return dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
}

// The backends' own classes are not part of tfjs' public types; these are the few methods we call.
interface WasmBackendLike {
  typedArrayFromHeap(t: TensorInfo): TypedArray;
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
}
interface CpuBackendLike {
  data: { get(id: unknown): { values: TypedArray } };
  makeTensorInfo(shape: number[], dtype: DataType, values: TypedArray): TensorInfo;
}

const wasmSegmentSum = ((args: SegmentArgs & { backend: WasmBackendLike }) => {
  const { x, segmentIds } = args.inputs;
  const { numSegments } = args.attrs;
  const shape = outShape(x, segmentIds, numSegments);
  const out = args.backend.makeOutput(shape, x.dtype);
  segmentSum(
    args.backend.typedArrayFromHeap(x),
    args.backend.typedArrayFromHeap(segmentIds),
    numSegments,
    args.backend.typedArrayFromHeap(out),
  );
  return out;
}) as unknown as KernelFunc;

const cpuSegmentSum = ((args: SegmentArgs & { backend: CpuBackendLike }) => {
  const { x, segmentIds } = args.inputs;
  const { numSegments } = args.attrs;
  const shape = outShape(x, segmentIds, numSegments);
  const values = arrayFor(x.dtype, shape.reduce((a, b) => a * b, 1));
  segmentSum(args.backend.data.get(x.dataId).values, args.backend.data.get(segmentIds.dataId).values, numSegments, values);
  return args.backend.makeTensorInfo(shape, x.dtype, values);
}) as unknown as KernelFunc;

export function segmentSumKernel(backendName: 'wasm' | 'cpu'): KernelConfig {
  return {
    kernelName: 'UnsortedSegmentSum',
    backendName,
    kernelFunc: backendName === 'wasm' ? wasmSegmentSum : cpuSegmentSum,
  };
}
