/**
 * Blockwise 4-bit quantization (NF4 and FP4) exactly as bitsandbytes' `kQuantizeBlockwise` /
 * `kDequantizeBlockwise` compute it on the GPU:
 *
 * - the flat (row-major) tensor is cut into blocks of `blockSize` values (64 by default; the last block may
 *   be short); each block stores its absmax as float32;
 * - a value x is scaled as `x * (1 / absmax)` in float32 (a reciprocal then a product, not a division) and
 *   mapped to a code by the kernel's decision tree, ties to the lower code;
 * - two codes per byte, the FIRST element in the HIGH nibble (`qvals[j] = code(x[2j]) << 4 | code(x[2j+1])`
 *   in the kernel); an odd tail is padded with the code of 0 scaled by the block (bitsandbytes loads the
 *   missing element as 0), so `codes.length = ceil(n / 2)`;
 * - dequantization is `table[code] * absmax` in float32.
 *
 * One bitsandbytes corner is kept on purpose: an all-zero block has absmax 0, its reciprocal is Inf and
 * 0·Inf is NaN, which the NF4 tree sends to code 0 (-1.0). It dequantizes to -1·0 = -0, still zero.
 */
import { NF4_TABLE, FP4_TABLE, nf4Code, fp4Code } from './tables.ts';
import { checkBlockSize, toFloat32 } from './check.ts';

export type FourBitKind = 'nf4' | 'fp4';

/** A packed 4-bit tensor: `codes` (two per byte, first element high nibble) + one float32 absmax per block. */
export interface FourBitTensor {
  dtype: FourBitKind;
  codes: Uint8Array;
  absmax: Float32Array;
  shape: number[];
  blockSize: number;
  n: number;
  /** Exact packed size: codes.byteLength + absmax.byteLength. */
  byteLength: number;
}

export interface FourBitOptions {
  /** Values per absmax block (bitsandbytes' default for QLoRA is 64). */
  blockSize?: number;
  /** Shape of the tensor (defaults to [values.length]). */
  shape?: readonly number[];
}

const CODERS = { nf4: nf4Code, fp4: fp4Code } as const;
export const FOUR_BIT_TABLES = { nf4: NF4_TABLE, fp4: FP4_TABLE } as const;

/** absmax of each block of a float32 array. */
export function blockAbsmax(x: Float32Array, blockSize: number): Float32Array {
  const blocks = Math.ceil(x.length / blockSize);
  const absmax = new Float32Array(blocks);
  for (let b = 0; b < blocks; b++) {
    let m = 0;
    const end = Math.min(x.length, (b + 1) * blockSize);
    for (let i = b * blockSize; i < end; i++) {
      const a = Math.abs(x[i]);
      if (a > m) m = a;
    }
    absmax[b] = m;
  }
  return absmax;
}

export function quantize4bit(kind: FourBitKind, values: ArrayLike<number>, opts: FourBitOptions = {}): FourBitTensor {
  const where = kind === 'nf4' ? 'quantizeNF4' : 'quantizeFP4';
  const blockSize = opts.blockSize ?? 64;
  checkBlockSize(blockSize, where);
  const { x, shape, n } = toFloat32(values, opts.shape, where);
  const code = CODERS[kind];
  const absmax = blockAbsmax(x, blockSize);
  const codes = new Uint8Array(Math.ceil(n / 2));
  for (let b = 0; b < absmax.length; b++) {
    const inv = Math.fround(1 / absmax[b]);
    const start = b * blockSize;
    const end = Math.min(n, start + blockSize);
    // Block starts are even (blockSize is even), so pairs never straddle two blocks.
    for (let i = start; i < end; i += 2) {
      const hi = code(Math.fround(x[i] * inv));
      const lo = code(Math.fround((i + 1 < n ? x[i + 1] : 0) * inv));
      codes[i >> 1] = (hi << 4) | lo;
    }
  }
  return { dtype: kind, codes, absmax, shape, blockSize, n, byteLength: codes.byteLength + absmax.byteLength };
}

/**
 * Dequantizes elements [start, start + count) into `out` (at `outOffset`), reading only the blocks they
 * touch. The quantized linear layer uses it to materialize one tile at a time. `absmax` may be passed in
 * when the caller reconstructed it (double quantization); then `absmax[0]` is block `absmaxBase`.
 */
export function dequantize4bitRange(
  q: Pick<FourBitTensor, 'dtype' | 'codes' | 'blockSize'>, absmax: Float32Array, start: number, count: number,
  out: Float32Array, outOffset = 0, absmaxBase = 0,
): void {
  const table = FOUR_BIT_TABLES[q.dtype];
  const { codes, blockSize } = q;
  const end = start + count;
  // Walk block by block so the scale is looked up once per block, not once per value.
  for (let blockStart = start; blockStart < end;) {
    const b = Math.floor(blockStart / blockSize);
    const blockEnd = Math.min(end, (b + 1) * blockSize);
    const scale = absmax[b - absmaxBase];
    // A Float32Array store rounds the (exact) double product once: the float32 product of the kernel.
    let i = blockStart;
    const o = outOffset - start;
    if (i & 1 && i < blockEnd) { out[o + i] = table[codes[i >> 1] & 0x0f] * scale; i++; }
    // Whole bytes: two values per load, no branch per value.
    for (; i + 1 < blockEnd; i += 2) {
      const byte = codes[i >> 1];
      out[o + i] = table[byte >> 4] * scale;
      out[o + i + 1] = table[byte & 0x0f] * scale;
    }
    if (i < blockEnd) out[o + i] = table[codes[i >> 1] >> 4] * scale;
    blockStart = blockEnd;
  }
}

export function dequantize4bit(q: FourBitTensor): Float32Array {
  const out = new Float32Array(q.n);
  dequantize4bitRange(q, q.absmax, 0, q.n, out);
  return out;
}

/** The 4-bit code of element i (unpacked), for inspection and tests. */
export function codeAt(codes: Uint8Array, i: number): number {
  const byte = codes[i >> 1];
  return i & 1 ? byte & 0x0f : byte >> 4;
}
