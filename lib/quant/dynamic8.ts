/**
 * Blockwise 8-bit quantization against a 256-entry code book, as bitsandbytes' `quantize_blockwise` runs
 * it on the GPU (`kQuantizeBlockwise<General8bit>` + `dQuantize<0>`). Used by double quantization, whose
 * second level is this with the signed dynamic map and block 256.
 *
 * The nearest-code search is the kernel's: a 7-step binary search from pivot 127, then one comparison
 * against the midpoint (computed in float32) of the last bracketing pair. Mirroring it instead of doing a
 * plain nearest search matters only at exact midpoints, where it decides like the GPU does.
 */
import { blockAbsmax } from './fourbit.ts';

export interface Blockwise8 {
  codes: Uint8Array;
  absmax: Float32Array;
  blockSize: number;
}

/** `dQuantize<0>` of bitsandbytes for one value already scaled to [-1, 1]. */
export function dynamicCode(code: Float32Array, x: number): number {
  let pivot = 127;
  let upperPivot = 255;
  let lowerPivot = 0;
  let lower = -1;
  let upper = 1;
  let val = code[pivot];
  for (let i = 64; i > 0; i >>= 1) {
    if (x > val) {
      lowerPivot = pivot;
      lower = val;
      pivot += i;
    } else {
      upperPivot = pivot;
      upper = val;
      pivot -= i;
    }
    val = code[pivot];
  }
  if (upperPivot === 255) upper = code[upperPivot];
  if (lowerPivot === 0) lower = code[lowerPivot];
  if (x > val) {
    const mid = Math.fround(Math.fround(upper + val) * 0.5);
    return x > mid ? upperPivot : pivot;
  }
  const mid = Math.fround(Math.fround(lower + val) * 0.5);
  return x < mid ? lowerPivot : pivot;
}

/** Quantizes float32 values blockwise to 8-bit indices into `code` (x scaled by float32 1/absmax). */
export function quantizeBlockwise8(x: Float32Array, code: Float32Array, blockSize: number): Blockwise8 {
  const absmax = blockAbsmax(x, blockSize);
  const codes = new Uint8Array(x.length);
  for (let b = 0; b < absmax.length; b++) {
    const inv = Math.fround(1 / absmax[b]);
    const end = Math.min(x.length, (b + 1) * blockSize);
    for (let i = b * blockSize; i < end; i++) codes[i] = dynamicCode(code, Math.fround(x[i] * inv));
  }
  return { codes, absmax, blockSize };
}

/** `code[q] * absmax` in float32 for elements [start, start+count). */
export function dequantizeBlockwise8Range(
  q: Blockwise8, code: Float32Array, start: number, count: number, out: Float32Array, outOffset = 0,
): void {
  for (let k = 0; k < count; k++) {
    const i = start + k;
    out[outOffset + k] = code[q.codes[i]] * q.absmax[Math.floor(i / q.blockSize)];
  }
}
