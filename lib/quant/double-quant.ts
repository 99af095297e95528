/**
 * NF4 with double quantization (QLoRA §3, bitsandbytes `quantize_4bit(..., compress_statistics=True)`):
 * the float32 absmax of every 64-value block is itself quantized. bitsandbytes subtracts the mean of the
 * absmax values (they are all positive, so centring uses the signed code book fully), then quantizes them
 * blockwise (block 256) to 8 bits with the signed dynamic map, keeping the mean ("offset") and one float32
 * absmax per 256 first-level blocks.
 *
 * Dequantization rebuilds `absmax[b] = DYNAMIC[code8[b]] * absmax2[b / 256] + offset` (float32 ops, as
 * `dequantize_blockwise` then `absmax += offset`), then proceeds as plain NF4.
 *
 * One difference that cannot be mirrored bit for bit: torch's float32 `mean()` sums in its own order; here
 * the mean is summed in float64 and rounded once to float32. The offset may differ by an ulp from a GPU
 * run; codes and the rest of the arithmetic are the kernel's.
 */
import { quantize4bit, dequantize4bitRange, type FourBitOptions } from './fourbit.ts';
import { quantizeBlockwise8, dequantizeBlockwise8Range } from './dynamic8.ts';
import { DYNAMIC_MAP_SIGNED } from './tables.ts';
import { checkBlockSize } from './check.ts';

export interface NF4DQTensor {
  dtype: 'nf4-dq';
  /** 4-bit codes, two per byte, first element in the high nibble. */
  codes: Uint8Array;
  /** One 8-bit code per first-level block: index into the signed dynamic map. */
  absmaxCodes: Uint8Array;
  /** float32 mean of the first-level absmax values, subtracted before their quantization. */
  absmaxOffset: number;
  /** float32 absmax of each block of `blockSize2` centred absmax values. */
  absmax2: Float32Array;
  shape: number[];
  blockSize: number;
  blockSize2: number;
  n: number;
  /** codes + absmaxCodes + absmax2 bytes + 4 bytes for the offset. */
  byteLength: number;
}

export interface NF4DQOptions extends FourBitOptions {
  /** First-level absmax values per second-level block (bitsandbytes: 256). */
  blockSize2?: number;
}

/**
 * @example
 * const q = quantizeNF4DQ(weights, { blockSize: 64, blockSize2: 256, shape: [128, 128] });
 * q.byteLength            // 8192 + 256 + 4 + 4 = 8456 bytes for 16384 values (≈ 4.13 bits each)
 * dequantizeNF4DQ(q)      // Float32Array(16384)
 */
export function quantizeNF4DQ(values: ArrayLike<number>, opts: NF4DQOptions = {}): NF4DQTensor {
  const blockSize2 = opts.blockSize2 ?? 256;
  checkBlockSize(blockSize2, 'quantizeNF4DQ', 'blockSize2', false);
  const q = quantize4bit('nf4', values, opts);
  let sum = 0;
  for (let i = 0; i < q.absmax.length; i++) sum += q.absmax[i];
  const offset = q.absmax.length ? Math.fround(sum / q.absmax.length) : 0;
  const centred = new Float32Array(q.absmax.length);
  for (let i = 0; i < centred.length; i++) centred[i] = q.absmax[i] - offset;
  const second = quantizeBlockwise8(centred, DYNAMIC_MAP_SIGNED, blockSize2);
  const byteLength = q.codes.byteLength + second.codes.byteLength + second.absmax.byteLength + 4;
  return {
    dtype: 'nf4-dq', codes: q.codes, absmaxCodes: second.codes, absmaxOffset: offset, absmax2: second.absmax,
    shape: q.shape, blockSize: q.blockSize, blockSize2, n: q.n, byteLength,
  };
}

/** The first-level absmax values of blocks [firstBlock, firstBlock + count), rebuilt from their 8-bit codes. */
export function absmaxOfBlocks(q: NF4DQTensor, firstBlock = 0, count = q.absmaxCodes.length - firstBlock): Float32Array {
  const out = new Float32Array(count);
  dequantizeBlockwise8Range(
    { codes: q.absmaxCodes, absmax: q.absmax2, blockSize: q.blockSize2 }, DYNAMIC_MAP_SIGNED, firstBlock, count, out,
  );
  for (let i = 0; i < count; i++) out[i] = out[i] + q.absmaxOffset;
  return out;
}

/** Elements [start, start+count) into `out`, rebuilding only the absmax values of the blocks touched. */
export function dequantizeNF4DQRange(q: NF4DQTensor, start: number, count: number, out: Float32Array, outOffset = 0): void {
  if (count <= 0) return;
  const first = Math.floor(start / q.blockSize);
  const last = Math.floor((start + count - 1) / q.blockSize);
  const absmax = absmaxOfBlocks(q, first, last - first + 1);
  dequantize4bitRange({ dtype: 'nf4', codes: q.codes, blockSize: q.blockSize }, absmax, start, count, out, outOffset, first);
}

export function dequantizeNF4DQ(q: NF4DQTensor): Float32Array {
  const out = new Float32Array(q.n);
  dequantizeNF4DQRange(q, 0, q.n, out);
  return out;
}
