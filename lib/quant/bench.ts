/**
 * What on-the-fly dequantization costs: for one linear layer [in, out] applied to m token vectors, the
 * forward time of QuantLinear per stored dtype next to a plain matMul with a resident fp32 weight, the part
 * of it spent decoding weights, and the JS decode throughput. Timings are medians with IQR (measure/).
 */
import * as tf from '@tensorflow/tfjs';
import { QuantLinear } from './linear.ts';
import { quantize, dequantize, type QuantDtype } from './tensor.ts';
import { timeRepeats, type Stat } from '../measure/index.ts';
import { Rng } from '../util/index.ts';

export interface QuantBenchRow {
  dtype: QuantDtype | 'fp32-resident';
  bytes: number;
  /** Forward of the layer (ms). */
  forwardMs: Stat;
  /** Weight decoding inside one forward (ms, median over repeats; JS unpack + upload to tfjs). */
  dequantMsPerForward: number;
  /** Forward + backward to x (ms). */
  forwardBackwardMs: Stat;
  /** Full-tensor JS decode, nanoseconds per value (median). */
  decodeNsPerValue: number;
}

export interface QuantBenchOptions {
  inFeatures?: number;
  outFeatures?: number;
  tokens?: number;
  dtypes?: readonly QuantDtype[];
  warmup?: number;
  repeats?: number;
  tileRows?: number;
}

/**
 * @example
 * const rows = await benchQuantLinear({ inFeatures: 512, outFeatures: 512, tokens: 1024 });
 * rows.map((r) => [r.dtype, r.forwardMs.median, r.dequantMsPerForward]);
 */
export async function benchQuantLinear(opts: QuantBenchOptions = {}): Promise<QuantBenchRow[]> {
  const { inFeatures = 512, outFeatures = 512, tokens = 1024, warmup = 2, repeats = 10 } = opts;
  const dtypes = opts.dtypes ?? ['fp32', 'fp16', 'bf16', 'int8', 'fp4', 'nf4', 'nf4-dq'];
  const rng = new Rng('bench-quant');
  const w = Float32Array.from({ length: inFeatures * outFeatures }, () => rng.normal() * 0.02);
  const x = tf.tensor2d(Float32Array.from({ length: tokens * inFeatures }, () => rng.normal()), [tokens, inFeatures]);
  const rows: QuantBenchRow[] = [];
  try {
    for (const dtype of dtypes) {
      const q = quantize(w, [inFeatures, outFeatures], dtype);
      const layer = new QuantLinear(q, opts.tileRows ? { tileRows: opts.tileRows } : {});
      const perCall: number[] = [];
      const fwd = (): void => {
        layer.resetCost();
        tf.tidy(() => { layer.apply(x).dataSync(); });
        perCall.push(layer.cost.ms);
      };
      const forwardMs = await timeRepeats(fwd, { warmup, repeats });
      const timed = perCall.slice(-repeats).sort((a, b) => a - b);
      const fwdBwd = (): void => tf.tidy(() => { tf.grad((v: tf.Tensor) => layer.apply(v).sum())(x).dataSync(); });
      const forwardBackwardMs = await timeRepeats(fwdBwd, { warmup, repeats });
      const decode = await timeRepeats(() => dequantize(q), { warmup: 1, repeats: 5 });
      rows.push({
        dtype, bytes: q.byteLength, forwardMs, dequantMsPerForward: timed[Math.floor(timed.length / 2)],
        forwardBackwardMs, decodeNsPerValue: (decode.median * 1e6) / w.length,
      });
    }
    // The resident-fp32 baseline runs last, when the backend is as warm as it was for the packed layers.
    const resident = tf.tensor2d(w, [inFeatures, outFeatures]);
    const f = (): void => tf.tidy(() => { tf.matMul(x, resident).dataSync(); });
    const fb = (): void => tf.tidy(() => { tf.grad((v: tf.Tensor) => tf.matMul(v as tf.Tensor2D, resident).sum())(x).dataSync(); });
    rows.unshift({
      dtype: 'fp32-resident', bytes: 4 * w.length, forwardMs: await timeRepeats(f, { warmup, repeats }),
      dequantMsPerForward: 0, forwardBackwardMs: await timeRepeats(fb, { warmup, repeats }), decodeNsPerValue: 0,
    });
    resident.dispose();
  } finally {
    x.dispose();
  }
  return rows;
}
