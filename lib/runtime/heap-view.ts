/**
 * Views of tensor memory on the wasm backend, for the few JS loops that touch every value of a large tensor
 * (the loss gradient's (softmax − onehot)/count): reading through `dataSync()` copies the tensor out of the
 * heap and `tf.tensor(values)` copies the result back in, two copies of [tokens, vocab] floats per step
 * (8 MB at the reference step, 33 MB at llama l's). A view reads the heap in place, and a fresh output is
 * written in place before anything else can see it. Other backends get `undefined` and keep the copies.
 *
 * Views are valid until the next allocation (an allocation can grow, and so replace, the heap's buffer).
 */
import * as tf from '@tensorflow/tfjs';

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: string): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

function wasmBackend(): WasmBackendLike | undefined {
  return tf.getBackend() === 'wasm' ? (tf.backend() as unknown as WasmBackendLike) : undefined;
}

/** The float32 tensor's values in the wasm heap, read in place (never write through it). */
export function heapView(t: tf.Tensor): Float32Array | undefined {
  return t.dtype === 'float32' ? wasmBackend()?.typedArrayFromHeap(t) : undefined;
}

/** A new float32 tensor of `shape` with a writable view of its (uninitialised) memory, on wasm. */
export function heapOutput<R extends tf.Rank>(shape: number[]): { tensor: tf.Tensor<R>; view: Float32Array } | undefined {
  const b = wasmBackend();
  if (!b) return undefined;
  const info = b.makeOutput(shape, 'float32');
  return { tensor: tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor<R>, view: b.typedArrayFromHeap(info) };
}
