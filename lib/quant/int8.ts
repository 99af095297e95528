/**
 * Blockwise symmetric int8 ("absmax") quantization, the linear baseline next to NF4/FP4:
 * `q = rint(x * (127 / absmax))` in float32 with ties to even, codes in [-127, 127] (never -128, so the
 * grid is symmetric), and `x̂ = q * (absmax / 127)`. Error per value ≤ absmax/254 plus float32 rounding.
 * One absmax (float32) per block, like the 4-bit formats, so sizes compare directly.
 */
import { blockAbsmax } from './fourbit.ts';
import { checkBlockSize, toFloat32 } from './check.ts';

export interface Int8Tensor {
  dtype: 'int8';
  codes: Int8Array;
  absmax: Float32Array;
  shape: number[];
  blockSize: number;
  n: number;
  byteLength: number;
}

/** Round half to even, as the GPU's `__float2int_rn` and numpy's `rint` do. */
export function rint(x: number): number {
  const r = Math.round(x);
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * @example
 * const q = quantizeInt8([1, -0.5, 0.25], { blockSize: 64 });
 * q.codes // Int8Array [127, -64, 32]   (-63.5 → -64 and 31.75 → 32)
 */
export function quantizeInt8(values: ArrayLike<number>, opts: { blockSize?: number; shape?: readonly number[] } = {}): Int8Tensor {
  const blockSize = opts.blockSize ?? 64;
  checkBlockSize(blockSize, 'quantizeInt8', 'blockSize', false);
  const { x, shape, n } = toFloat32(values, opts.shape, 'quantizeInt8');
  const absmax = blockAbsmax(x, blockSize);
  const codes = new Int8Array(n);
  for (let b = 0; b < absmax.length; b++) {
    // absmax 0 means an all-zero block: every code is 0.
    const scale = absmax[b] === 0 ? 0 : Math.fround(127 / absmax[b]);
    const end = Math.min(n, (b + 1) * blockSize);
    for (let i = b * blockSize; i < end; i++) codes[i] = Math.max(-127, Math.min(127, rint(Math.fround(x[i] * scale))));
  }
  return { dtype: 'int8', codes, absmax, shape, blockSize, n, byteLength: codes.byteLength + absmax.byteLength };
}

export function dequantizeInt8Range(q: Int8Tensor, start: number, count: number, out: Float32Array, outOffset = 0): void {
  let block = -1;
  let step = 0;
  for (let k = 0; k < count; k++) {
    const i = start + k;
    const b = Math.floor(i / q.blockSize);
    if (b !== block) {
      block = b;
      step = Math.fround(q.absmax[b] / 127);
    }
    out[outOffset + k] = q.codes[i] * step;
  }
}

export function dequantizeInt8(q: Int8Tensor): Float32Array {
  const out = new Float32Array(q.n);
  dequantizeInt8Range(q, 0, q.n, out);
  return out;
}
