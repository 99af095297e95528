/**
 * Data-movement and leading-axis reduction kernels for the wasm backend, written as typed-array copies and
 * sums in JS, bitwise what tfjs' own wasm kernels produce.
 *
 * Why (profiled on the reference step, `bench train`; µs per call on this machine):
 * - GatherV2 (every embedding lookup): tfjs' wasm kernel computes each output element's source index with a
 *   generic strided loop: 7,240 µs for [2000, 128] rows gathered by [16, 64] ids; copying whole rows: ~40 µs.
 * - Sum over leading axes (every bias, norm-weight and broadcast gradient): tfjs' wasm kernel first transposes
 *   the input so the reduced axes are innermost, then sums each output sequentially: 997 µs for [1024, 128],
 *   4,283 µs for [1024, 512]. Accumulating row after row into a Float32Array adds the same float32 values in
 *   the same order (row 0 first), so the result is bitwise the same, read in memory order.
 * - Tile (P-Tuning v2's prefix and prompt tuning's prompt expanded to the batch): a generic per-element loop,
 *   2,864 µs for [1, 4, 16, 32] × 16; block copies: ~20 µs.
 * - Identity and Cast to the tensor's own dtype (tfjs casts float32 → float32 in many gradients): a copy; here
 *   the buffer is shared (tensors are immutable).
 * Every other case (other axes, dtypes, batch dims) runs tfjs' kernel unchanged.
 */
import { LedgerLabError } from '../../errors.ts';
import { util, type KernelConfig, type KernelFunc, type NamedAttrMap, type TensorInfo, type TypedArray } from '@tensorflow/tfjs';

interface WasmBackendLike {
  makeOutput(shape: number[], dtype: string): TensorInfo;
  typedArrayFromHeap(t: TensorInfo): TypedArray;
  incRef(dataId: unknown): void;
}
type Args = { inputs: Record<string, TensorInfo>; backend: WasmBackendLike; attrs: NamedAttrMap };
type Kernel = (a: Args) => TensorInfo;

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/**
 * out[j] = Σ_r x[r·width + j], summed in row order in float32 (the order tfjs' wasm Sum adds them in). Four rows
 * per pass keep the running sum in a register; Math.fround rounds it to float32 after every add, as a store does.
 */
export function sumLeadingRows(x: Float32Array, rows: number, out: Float32Array): void {
  const width = out.length;
  out.fill(0);
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const b0 = r * width, b1 = b0 + width, b2 = b1 + width, b3 = b2 + width;
    for (let j = 0; j < width; j++) {
      let a = out[j]!;
      a = Math.fround(a + x[b0 + j]!);
      a = Math.fround(a + x[b1 + j]!);
      a = Math.fround(a + x[b2 + j]!);
      out[j] = a + x[b3 + j]!;
    }
  }
  for (; r < rows; r++) {
    const base = r * width;
    for (let j = 0; j < width; j++) out[j] += x[base + j]!;
  }
}

/** out = x tiled `reps` times along each axis (row-major), by block copies from the innermost axis outwards. */
export function tileInto(x: TypedArray, shape: readonly number[], reps: readonly number[], out: TypedArray): void {
  const rank = shape.length;
  if (rank === 0) { out[0] = x[0]; return; }
  const outShape = shape.map((d, i) => d * reps[i]!);
  const outStride = outShape.map((_, i) => size(outShape.slice(i + 1)));
  const last = shape[rank - 1]!;
  // Visits every index over x's extents of axes [0, upTo), giving its offset in out.
  const eachOuter = (upTo: number, visit: (offset: number, ordinal: number) => void) => {
    const idx = new Array<number>(upTo).fill(0);
    const count = size(shape.slice(0, upTo));
    for (let n = 0; n < count; n++) {
      let offset = 0;
      for (let a = 0; a < upTo; a++) offset += idx[a]! * outStride[a]!;
      visit(offset, n);
      for (let a = upTo - 1; a >= 0; a--) { if (++idx[a]! < shape[a]!) break; idx[a] = 0; }
    }
  };
  // x's rows, each repeated along the last axis.
  eachOuter(rank - 1, (offset, n) => {
    if (last === 1) { out.fill(x[n]!, offset, offset + reps[rank - 1]!); return; }
    const row = x.subarray(n * last, (n + 1) * last);
    for (let k = 0; k < reps[rank - 1]!; k++) out.set(row, offset + k * last);
  });
  // Then each axis' filled block is copied reps − 1 times after itself.
  for (let a = rank - 2; a >= 0; a--) {
    if (reps[a] === 1) continue;
    const block = shape[a]! * outStride[a]!;
    eachOuter(a, (offset) => {
      for (let k = 1; k < reps[a]!; k++) out.copyWithin(offset + k * block, offset, offset + block);
    });
  }
}

/** `fallback` with a fast path in front: `fast` returns the output, or undefined to leave the case to tfjs. */
function withFastPath(fallback: KernelConfig, fast: (args: Args) => TensorInfo | undefined): KernelConfig {
  const original = fallback.kernelFunc as unknown as Kernel;
  return { ...fallback, kernelFunc: ((args: Args) => fast(args) ?? original(args)) as unknown as KernelFunc };
}

/** Sum over a leading block of axes of a float32 tensor; everything else goes to `fallback`. */
export function leadingSumKernel(fallback: KernelConfig): KernelConfig {
  return withFastPath(fallback, (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    // In the order given: tfjs' kernel reduces in that order (axis [1, 0] adds in column-major order).
    const axes = util.parseAxisParam(axis, x.shape);
    const k = axes.length;
    const leading = k > 0 && k < x.shape.length && axes.every((a, i) => a === i);
    if (x.dtype !== 'float32' || !leading) return undefined;
    const rest = x.shape.slice(k);
    const out = args.backend.makeOutput(keepDims ? [...new Array<number>(k).fill(1), ...rest] : rest, 'float32');
    sumLeadingRows(args.backend.typedArrayFromHeap(x) as Float32Array, size(x.shape.slice(0, k)), args.backend.typedArrayFromHeap(out) as Float32Array);
    return out;
  });
}

/** GatherV2 along axis 0 without batch dims (row lookups) as row copies; index checks as tfjs'. */
export function rowGatherKernel(fallback: KernelConfig): KernelConfig {
  return withFastPath(fallback, (args) => {
    const { x, indices } = args.inputs as { x: TensorInfo; indices: TensorInfo };
    const { axis, batchDims } = args.attrs as { axis: number; batchDims: number };
    if (util.parseAxisParam(axis, x.shape)[0] !== 0 || batchDims !== 0 || x.shape.length === 0 || (x.dtype !== 'float32' && x.dtype !== 'int32')) return undefined;
    const rows = x.shape[0]!, width = size(x.shape.slice(1));
    const ids = args.backend.typedArrayFromHeap(indices);
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!(id >= 0 && id <= rows - 1)) throw new LedgerLabError({ kind: 'data', code: 'data.index_out_of_range', problem: `GatherV2: the index value ${id} is not in [0, ${rows - 1}]`, where: `position ${i} of the ids`, hint: 'a token id at or above the model\'s vocabulary size (a tokenizer that does not match the model?)' });
    }
    const out = args.backend.makeOutput([...indices.shape, ...x.shape.slice(1)], x.dtype);
    // Views after makeOutput: an allocation can grow (and so replace) the heap's buffer.
    const src = args.backend.typedArrayFromHeap(x), dst = args.backend.typedArrayFromHeap(out);
    for (let i = 0; i < ids.length; i++) dst.set(src.subarray(ids[i]! * width, (ids[i]! + 1) * width), i * width);
    return out;
  });
}

/** Tile by block copies (float32 and int32); other dtypes go to `fallback`. */
export function blockTileKernel(fallback: KernelConfig): KernelConfig {
  return withFastPath(fallback, (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { reps } = args.attrs as { reps: number[] };
    if ((x.dtype !== 'float32' && x.dtype !== 'int32') || reps.length !== x.shape.length || size(x.shape) === 0) return undefined;
    const out = args.backend.makeOutput(x.shape.map((d, i) => d * reps[i]!), x.dtype);
    tileInto(args.backend.typedArrayFromHeap(x), x.shape, reps, args.backend.typedArrayFromHeap(out));
    return out;
  });
}

/** The input itself as the output, its buffer reference-counted (tensors are immutable, so an alias cannot be seen). */
function sharedBuffer(args: Args): TensorInfo | undefined {
  const { x } = args.inputs as { x: TensorInfo };
  if (x.dtype === 'string') return undefined;
  args.backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

/**
 * Identity shares the input's buffer instead of copying it. tfjs' engine clones every tensor a kernel saves for
 * its gradient (`keep(clone(x))`), and wasm's Identity copies: a training step of the reference model made ~120
 * such copies of activations. Sharing is what tfjs' cpu backend does for Identity and wasm's own Reshape does.
 */
export function sharedIdentityKernel(fallback: KernelConfig): KernelConfig {
  return withFastPath(fallback, sharedBuffer);
}

/** Cast to the tensor's own dtype shares the buffer; real conversions go to `fallback`. */
export function sharedCastKernel(fallback: KernelConfig): KernelConfig {
  return withFastPath(fallback, (args) => ((args.attrs as { dtype: string }).dtype === args.inputs.x!.dtype ? sharedBuffer(args) : undefined));
}
