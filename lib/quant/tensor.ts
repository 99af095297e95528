/**
 * One type for every stored weight format, with dispatch, exact sizes and the bits-per-parameter formula.
 *
 * Sizes (n values, block B, second-level block B2; `byteLength` of a tensor equals `theoreticalBytes`):
 *
 * | dtype  | bytes                                              | bits/param as n → ∞ |
 * |--------|----------------------------------------------------|---------------------|
 * | fp32   | 4n                                                 | 32                  |
 * | fp16   | 2n                                                 | 16                  |
 * | bf16   | 2n                                                 | 16                  |
 * | int8   | n + 4·⌈n/B⌉                                        | 8 + 32/B            |
 * | fp4    | ⌈n/2⌉ + 4·⌈n/B⌉                                    | 4 + 32/B  (4.5 @ 64)|
 * | nf4    | ⌈n/2⌉ + 4·⌈n/B⌉                                    | 4 + 32/B  (4.5 @ 64)|
 * | nf4-dq | ⌈n/2⌉ + ⌈n/B⌉ + 4·⌈⌈n/B⌉/B2⌉ + 4 (the mean offset)  | 4 + 8/B + 32/(B·B2) |
 *
 * With B = 64, B2 = 256: 4 + 0.125 + 0.001953125 = 4.126953125 bits (QLoRA's "4.127"), against 4.5 without
 * double quantization. The 16-entry NF4 table and the 256-entry dynamic map are constants of the format
 * and are not counted (bitsandbytes shares them across tensors too).
 */
import { quantize4bit, dequantize4bitRange, type FourBitTensor } from './fourbit.ts';
import { quantizeNF4DQ, dequantizeNF4DQRange, type NF4DQTensor } from './double-quant.ts';
import { quantizeInt8, dequantizeInt8Range, type Int8Tensor } from './int8.ts';
import { encodeF16, encodeBf16, decodeF16, decodeBf16 } from './half.ts';
import { toFloat32, usage } from './check.ts';

export type QuantDtype = 'fp32' | 'fp16' | 'bf16' | 'int8' | 'fp4' | 'nf4' | 'nf4-dq';
export const QUANT_DTYPES: readonly QuantDtype[] = ['fp32', 'fp16', 'bf16', 'int8', 'fp4', 'nf4', 'nf4-dq'];

export interface Fp32Tensor { dtype: 'fp32'; data: Float32Array; shape: number[]; n: number; byteLength: number }
export interface HalfTensor { dtype: 'fp16' | 'bf16'; bits: Uint16Array; shape: number[]; n: number; byteLength: number }

/** Any stored weight: a dtype tag, the shape, its packed buffers and `byteLength` = their exact total. */
export type QuantizedTensor = Fp32Tensor | HalfTensor | Int8Tensor | FourBitTensor | NF4DQTensor;

export interface QuantOptions {
  /** Values per absmax block for int8/fp4/nf4/nf4-dq (default 64). */
  blockSize?: number;
  /** Absmax values per second-level block for nf4-dq (default 256). */
  blockSize2?: number;
}

/**
 * @example
 * const q = quantize(weights, [128, 512], 'nf4');
 * q.byteLength === theoreticalBytes(128 * 512, 'nf4') // true: 32768 + 4096
 * const w = dequantize(q);                             // Float32Array(65536)
 */
export function quantize(values: ArrayLike<number>, shape: readonly number[], dtype: QuantDtype, opts: QuantOptions = {}): QuantizedTensor {
  switch (dtype) {
    case 'fp32': {
      const { x, n } = toFloat32(values, shape, 'quantize(fp32)');
      const data = Float32Array.from(x);
      return { dtype, data, shape: [...shape], n, byteLength: data.byteLength };
    }
    case 'fp16':
    case 'bf16': {
      const { x, n } = toFloat32(values, shape, `quantize(${dtype})`);
      const bits = dtype === 'fp16' ? encodeF16(x) : encodeBf16(x);
      return { dtype, bits, shape: [...shape], n, byteLength: bits.byteLength };
    }
    case 'int8':
      return quantizeInt8(values, { ...opts, shape });
    case 'fp4':
    case 'nf4':
      return quantize4bit(dtype, values, { ...opts, shape });
    case 'nf4-dq':
      return quantizeNF4DQ(values, { ...opts, shape });
    default:
      throw usage('quantize', `unknown dtype "${String(dtype)}"`, `use one of ${QUANT_DTYPES.join(', ')}`);
  }
}

/** Elements [start, start+count) of the flat tensor as float32, written into `out` at `outOffset`. */
export function dequantizeRange(q: QuantizedTensor, start: number, count: number, out: Float32Array, outOffset = 0): Float32Array {
  if (start < 0 || count < 0 || start + count > q.n) {
    throw usage('dequantizeRange', `range [${start}, ${start + count}) is outside the tensor's ${q.n} values`);
  }
  switch (q.dtype) {
    case 'fp32': out.set(q.data.subarray(start, start + count), outOffset); break;
    case 'fp16': decodeF16(q.bits, start, count, out, outOffset); break;
    case 'bf16': decodeBf16(q.bits, start, count, out, outOffset); break;
    case 'int8': dequantizeInt8Range(q, start, count, out, outOffset); break;
    case 'fp4':
    case 'nf4': dequantize4bitRange(q, q.absmax, start, count, out, outOffset); break;
    case 'nf4-dq': dequantizeNF4DQRange(q, start, count, out, outOffset); break;
  }
  return out;
}

export function dequantize(q: QuantizedTensor): Float32Array {
  return dequantizeRange(q, 0, q.n, new Float32Array(q.n));
}

/** Exact packed bytes of n values stored as `dtype` (see the table at the top of this file). */
export function theoreticalBytes(n: number, dtype: QuantDtype, opts: QuantOptions = {}): number {
  const B = opts.blockSize ?? 64;
  const B2 = opts.blockSize2 ?? 256;
  const blocks = Math.ceil(n / B);
  switch (dtype) {
    case 'fp32': return 4 * n;
    case 'fp16':
    case 'bf16': return 2 * n;
    case 'int8': return n + 4 * blocks;
    case 'fp4':
    case 'nf4': return Math.ceil(n / 2) + 4 * blocks;
    case 'nf4-dq': return Math.ceil(n / 2) + blocks + 4 * Math.ceil(blocks / B2) + 4;
    default: throw usage('theoreticalBytes', `unknown dtype "${String(dtype)}"`);
  }
}

/**
 * Bits per parameter. Without `n`: the asymptotic formula (4 + 32/B for nf4; 4 + 8/B + 32/(B·B2) for
 * nf4-dq, i.e. 4.5 and 4.126953125 at B=64, B2=256). With `n`: the exact 8·bytes/n of an n-value tensor.
 *
 * @example
 * bitsPerParameter('nf4-dq')                  // 4.126953125
 * bitsPerParameter('nf4')                     // 4.5
 * bitsPerParameter('nf4-dq', { n: 64 * 256 }) // 4.12890625 (the 4-byte offset shows on small tensors)
 */
export function bitsPerParameter(dtype: QuantDtype, opts: QuantOptions & { n?: number } = {}): number {
  if (opts.n !== undefined) return (8 * theoreticalBytes(opts.n, dtype, opts)) / opts.n;
  const B = opts.blockSize ?? 64;
  const B2 = opts.blockSize2 ?? 256;
  switch (dtype) {
    case 'fp32': return 32;
    case 'fp16':
    case 'bf16': return 16;
    case 'int8': return 8 + 32 / B;
    case 'fp4':
    case 'nf4': return 4 + 32 / B;
    case 'nf4-dq': return 4 + 8 / B + 32 / (B * B2);
    default: throw usage('bitsPerParameter', `unknown dtype "${String(dtype)}"`);
  }
}
