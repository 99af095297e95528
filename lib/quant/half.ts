/**
 * IEEE fp16 and bfloat16 storage (tfjs has neither dtype): float32 → 16-bit patterns with round to nearest,
 * ties to even, and back. Inputs are float32 first (a float64 number is rounded to float32 before it is
 * rounded again to 16 bits, as `torch.tensor(x, dtype=float32).half()` does).
 *
 * fp16: 1 sign, 5 exponent (bias 15), 10 mantissa bits. Values ≥ 65520 round to ±Inf; below 2^-14 they
 * become subnormals (steps of 2^-24); below 2^-25 they round to ±0 (exactly 2^-25 is a tie, to even = 0).
 * bf16: the top 16 bits of float32, rounded to nearest even; overflow rounds to ±Inf.
 * NaN: fp16 keeps the sign and becomes 0x7e00/0xfe00, bf16 becomes 0x7fc0 (torch's choices, cross-checked
 * in test/quant/fixtures/half-bits.json).
 */

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float32 bit pattern of a number (after rounding it to float32). */
export function f32Bits(x: number): number {
  f32[0] = x;
  return u32[0];
}

export function f32FromBits(bits: number): number {
  u32[0] = bits >>> 0;
  return f32[0];
}

/**
 * @example
 * f32ToF16Bits(1)        // 0x3c00
 * f32ToF16Bits(65520)    // 0x7c00 (Inf: halfway above the largest finite 65504, tie to even)
 * f32ToF16Bits(2 ** -25) // 0x0000 (tie between 0 and the smallest subnormal: even wins)
 */
export function f32ToF16Bits(x: number): number {
  const b = f32Bits(x);
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return sign | (mant ? 0x7e00 : 0x7c00);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    // float32 subnormals (exp 0) are far below fp16's range and land here too.
    if (e < -10) return sign;
    const m = mant | 0x800000;
    const shift = 14 - e;
    let h = m >>> shift;
    const rem = m & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && (h & 1))) h++;
    return sign | h;
  }
  let h = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (and 0x7bff + 1 = 0x7c00 is Inf).
  if (rem > 0x1000 || (rem === 0x1000 && (h & 1))) h++;
  return sign | h;
}

/** @example f16BitsToF32(0x0001) // 5.960464477539063e-8 (2^-24) */
export function f16BitsToF32(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const mant = h & 0x3ff;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 0x1f) return mant ? NaN : sign * Infinity;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/**
 * @example
 * f32ToBf16Bits(1)          // 0x3f80
 * f32ToBf16Bits(1 + 2 ** -8) // 0x3f80 (tie, even)
 */
export function f32ToBf16Bits(x: number): number {
  const b = f32Bits(x);
  if ((b & 0x7fffffff) > 0x7f800000) return 0x7fc0;
  const lsb = (b >>> 16) & 1;
  return ((b + 0x7fff + lsb) >>> 16) & 0xffff;
}

export function bf16BitsToF32(h: number): number {
  return f32FromBits((h & 0xffff) << 16);
}

export function encodeF16(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = f32ToF16Bits(values[i]);
  return out;
}

let f16Table: Float32Array | undefined;

/** All 65536 fp16 values as float32 (256 KiB, built on first decode): a lookup is ~10x faster than the bit math. */
function f16Lookup(): Float32Array {
  if (!f16Table) {
    f16Table = new Float32Array(0x10000);
    for (let h = 0; h < 0x10000; h++) f16Table[h] = f16BitsToF32(h);
  }
  return f16Table;
}

export function decodeF16(bits: Uint16Array, start = 0, count = bits.length - start, out: Float32Array = new Float32Array(count), outOffset = 0): Float32Array {
  const table = f16Lookup();
  for (let k = 0; k < count; k++) out[outOffset + k] = table[bits[start + k]];
  return out;
}

export function encodeBf16(values: ArrayLike<number>): Uint16Array {
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = f32ToBf16Bits(values[i]);
  return out;
}

export function decodeBf16(bits: Uint16Array, start = 0, count = bits.length - start, out: Float32Array = new Float32Array(count), outOffset = 0): Float32Array {
  const o32 = new Uint32Array(out.buffer, out.byteOffset, out.length);
  for (let k = 0; k < count; k++) o32[outOffset + k] = bits[start + k] << 16;
  return out;
}
