/**
 * The public NF4 / FP4 pair (QLoRA's storage type and its float counterpart). See fourbit.ts for the exact
 * bitsandbytes semantics (block absmax, reciprocal scaling, tie to lower code, high-nibble-first packing).
 */
import { quantize4bit, dequantize4bit, type FourBitTensor, type FourBitOptions } from './fourbit.ts';

export type NF4Tensor = FourBitTensor & { dtype: 'nf4' };
export type FP4Tensor = FourBitTensor & { dtype: 'fp4' };

/**
 * NF4-quantizes float values blockwise, exactly as bitsandbytes `quantize_4bit(quant_type='nf4')`.
 *
 * @example
 * const q = quantizeNF4([0.5, -1, 0.25, 0], { blockSize: 64 });
 * q.codes   // Uint8Array [0xc0, 0xa7]: codes 12, 0, 10, 7 (first element in the high nibble)
 * q.absmax  // Float32Array [1]
 * dequantizeNF4(q) // [0.4407098293, -1, 0.2461123019, 0]
 */
export function quantizeNF4(values: ArrayLike<number>, opts: FourBitOptions = {}): NF4Tensor {
  return quantize4bit('nf4', values, opts) as NF4Tensor;
}

/** Float32 values of an NF4 tensor (`NF4_TABLE[code] * absmax[block]`, float32 product). */
export function dequantizeNF4(q: Pick<FourBitTensor, 'codes' | 'absmax' | 'blockSize' | 'n'> & Partial<FourBitTensor>): Float32Array {
  return dequantize4bit({ shape: [q.n], byteLength: 0, ...q, dtype: 'nf4' } as FourBitTensor);
}

/**
 * FP4 (e2m1) blockwise quantization, as bitsandbytes `quantize_4bit(quant_type='fp4')`.
 *
 * @example
 * dequantizeFP4(quantizeFP4([1, -0.5, 0.25, 0.1])) // [1, -0.5, 0.25, 0.1666666716] (0.1 is nearer 2/12 than 0.0625/12)
 */
export function quantizeFP4(values: ArrayLike<number>, opts: FourBitOptions = {}): FP4Tensor {
  return quantize4bit('fp4', values, opts) as FP4Tensor;
}

export function dequantizeFP4(q: Pick<FourBitTensor, 'codes' | 'absmax' | 'blockSize' | 'n'> & Partial<FourBitTensor>): Float32Array {
  return dequantize4bit({ shape: [q.n], byteLength: 0, ...q, dtype: 'fp4' } as FourBitTensor);
}
