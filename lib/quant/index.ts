/**
 * quant/: packed weight formats as bitsandbytes defines them — NF4, NF4 + double quantization, FP4, int8
 * absmax, fp16/bf16 — with exact sizes, error statistics, and a tfjs linear layer that dequantizes per tile.
 */
export { NF4_TABLE, NF4_THRESHOLDS, FP4_TABLE, FP4_MAGNITUDES, DYNAMIC_MAP_SIGNED, nf4Code, fp4Code } from './tables.ts';
export { quantizeNF4, dequantizeNF4, quantizeFP4, dequantizeFP4 } from './nf4.ts';
export type { NF4Tensor, FP4Tensor } from './nf4.ts';
export type { FourBitTensor, FourBitOptions } from './fourbit.ts';
export { codeAt } from './fourbit.ts';
export { quantizeNF4DQ, dequantizeNF4DQ, absmaxOfBlocks } from './double-quant.ts';
export type { NF4DQTensor, NF4DQOptions } from './double-quant.ts';
export { quantizeInt8, dequantizeInt8 } from './int8.ts';
export type { Int8Tensor } from './int8.ts';
export { f32ToF16Bits, f16BitsToF32, f32ToBf16Bits, bf16BitsToF32, encodeF16, decodeF16, encodeBf16, decodeBf16 } from './half.ts';
export { quantize, dequantize, dequantizeRange, theoreticalBytes, bitsPerParameter, QUANT_DTYPES } from './tensor.ts';
export type { QuantDtype, QuantizedTensor, QuantOptions, Fp32Tensor, HalfTensor } from './tensor.ts';
export { quantErrorStats, quantReport } from './stats.ts';
export type { QuantErrorStats, QuantReportRow } from './stats.ts';
export { QuantLinear } from './linear.ts';
export type { QuantLinearOptions, DequantCost } from './linear.ts';
export { benchQuantLinear } from './bench.ts';
export type { QuantBenchRow, QuantBenchOptions } from './bench.ts';
export { QUANT_ALIASES } from './aliases.ts';
