/**
 * Where a frozen fp32 base keeps its block-linear weights: as tfjs variables in the tensor backend's memory
 * ('heap'), or as plain float32 arrays in JS memory, copied into the backend one transient tile per product
 * ('js', the same tiled layer quantized bases use, lib/quant/linear.ts).
 *
 * Why: tfjs-wasm's heap is 32-bit, 4 GiB at most for every tensor, and XNNPACK packs a second copy of each
 * weight it multiplies by. A 0.5B model's fp32 block linears alone are 1.43 GB; with the embedding, the
 * tied head's transpose and a batch's activations, training ran out of heap. Kept in JS they do not count
 * against it; the frozen token embedding goes with them (rows gathered on the host, Gpt.tokenEmbeddings), so
 * the heap holds norms, biases, an untied head, adapters, optimizer state and activations. 'auto'
 * picks 'js' above FROZEN_JS_BYTES of block-linear weights, so small models (every parity test) keep the
 * dense layout and its exact float summation order.
 */
import type { GptConfig } from './config.ts';
import type { Fp32Tensor } from '../quant/index.ts';
import { expectedShapes, isLinearTensor } from './shapes.ts';

export const FROZEN_LAYOUTS = ['auto', 'heap', 'js'] as const;
export type FrozenLayout = (typeof FROZEN_LAYOUTS)[number];

/** Above this many bytes of fp32 block-linear weights, 'auto' keeps a frozen base in JS memory. */
export const FROZEN_JS_BYTES = 2 ** 30;

/**
 * Values decoded per tile for a JS-held fp32 weight (16 MiB): large enough that most linears are one product,
 * as in the dense layout, small enough to stay a transient.
 */
export const FP32_JS_TILE_VALUES = 1 << 22;

/** fp32 bytes of the config's block-linear weights. */
export function blockLinearBytes(c: GptConfig): number {
  let bytes = 0;
  for (const [name, shape] of expectedShapes(c)) if (isLinearTensor(name) && name.endsWith('.weight')) bytes += 4 * shape.reduce((a, b) => a * b, 1);
  return bytes;
}

/** Does a frozen fp32 base keep its block linears in JS memory? (A trainable base never does: they are variables.) */
export function frozenInJs(c: GptConfig, layout: FrozenLayout = 'auto', trainable = false): boolean {
  if (trainable) return false;
  if (layout !== 'auto') return layout === 'js';
  return blockLinearBytes(c) > FROZEN_JS_BYTES;
}

/**
 * A frozen tied head for the JS layout: the embedding [vocab, d] transposed once into a float32 array [d, vocab]
 * held in JS (instead of a kept transposed tensor, 0.54 GB of heap on the 0.5B shape), multiplied per tile.
 */
export function transposedInJs(data: Float32Array, rows: number, cols: number): Fp32Tensor {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return { dtype: 'fp32', data: out, shape: [cols, rows], n: out.length, byteLength: out.byteLength };
}
