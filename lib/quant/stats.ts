/**
 * How much a stored format changes a tensor: absolute and relative error of the round trip, next to its
 * size. The QLoRA experiment reports these per weight matrix.
 *
 * Definitions (x original as float32, x̂ = dequantize(quantize(x))):
 * - meanAbsError = Σ|x − x̂| / n, maxAbsError = max |x − x̂|, rmse = √(Σ(x − x̂)² / n)
 * - relativeError = ‖x − x̂‖₂ / ‖x‖₂ (0 when x is all zero and so is the error)
 * - maxRelBlockError = max over values of |x − x̂| / absmax(block) for blockwise formats — for NF4 it is at
 *   most half the widest gap of the table (0.1519, between 0.7230 and 1.0) plus float32 rounding.
 */
import { quantize, dequantize, bitsPerParameter, type QuantDtype, type QuantOptions, type QuantizedTensor } from './tensor.ts';
import { usage } from './check.ts';

export interface QuantErrorStats {
  n: number;
  meanAbsError: number;
  maxAbsError: number;
  rmse: number;
  relativeError: number;
}

/**
 * @example
 * quantErrorStats([1, 2], [1, 2.5]) // { n: 2, meanAbsError: 0.25, maxAbsError: 0.5, rmse: 0.3536, relativeError: 0.2236 }
 */
export function quantErrorStats(original: ArrayLike<number>, restored: ArrayLike<number>): QuantErrorStats {
  if (original.length !== restored.length) {
    throw usage('quantErrorStats', `lengths differ: ${original.length} original vs ${restored.length} restored values`);
  }
  const n = original.length;
  let sumAbs = 0, maxAbs = 0, sumSq = 0, normSq = 0;
  for (let i = 0; i < n; i++) {
    const x = Math.fround(original[i]);
    const d = Math.abs(x - restored[i]);
    sumAbs += d;
    if (d > maxAbs) maxAbs = d;
    sumSq += d * d;
    normSq += x * x;
  }
  return {
    n,
    meanAbsError: n ? sumAbs / n : 0,
    maxAbsError: maxAbs,
    rmse: n ? Math.sqrt(sumSq / n) : 0,
    relativeError: normSq > 0 ? Math.sqrt(sumSq / normSq) : sumSq > 0 ? Infinity : 0,
  };
}

export interface QuantReportRow extends QuantErrorStats {
  name: string;
  dtype: QuantDtype;
  bytes: number;
  bitsPerParameter: number;
}

/**
 * Quantizes one named tensor into each dtype and reports size and error side by side.
 *
 * @example
 * quantReport('h.0.attn.q', w, [128, 128], ['fp16', 'int8', 'nf4', 'nf4-dq'])
 * // [{ name: 'h.0.attn.q', dtype: 'fp16', bytes: 32768, bitsPerParameter: 16, relativeError: 0.0002, ... }, ...]
 */
export function quantReport(
  name: string, values: ArrayLike<number>, shape: readonly number[], dtypes: readonly QuantDtype[], opts: QuantOptions = {},
): QuantReportRow[] {
  return dtypes.map((dtype) => {
    const q: QuantizedTensor = quantize(values, shape, dtype, opts);
    const stats = quantErrorStats(values, dequantize(q));
    return { name, dtype, bytes: q.byteLength, bitsPerParameter: bitsPerParameter(dtype, { ...opts, n: q.n }), ...stats };
  });
}
