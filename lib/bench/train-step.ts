/**
 * The reference training step of issue 4, timed per method: 2 layers, d_model 128, 4 heads, batch 16 × seq 64,
 * vocab 2000, Adam. One model at a time, warm-up steps first (wasm compiles kernels and grows its heap on the
 * first calls), then timed steps each ending in a data read so the work has really finished.
 *
 * @example
 * const rows = await benchTrainStep({ methods: ['lora'], repeats: 10, warmup: 3 });
 * rows[0].stepMs.median  // ms per step
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../runtime/index.ts';
import { REFERENCE_CONFIG, baseParamCount, type GptConfig } from '../model/index.ts';
import { initWeights } from '../model/index.ts';
import { lmLoss } from '../model/index.ts';
import { buildModel, MethodSchema, type MethodSpec } from '../peft/index.ts';
import { memoryBreakdown, type MemoryBreakdown } from '../peft/index.ts';
import type { QuantDtype } from '../quant/index.ts';
import { timeRepeats, type Stat } from '../measure/index.ts';
import { Rng } from '../util/index.ts';

export interface BenchCase {
  label: string;
  spec: MethodSpec;
  quant: QuantDtype;
  checkpoint?: boolean;
}

/** The methods of issue 4's benchmark, with their reference settings. */
export const REFERENCE_CASES: readonly BenchCase[] = [
  { label: 'full', spec: MethodSchema.parse({ method: 'full' }), quant: 'fp32' },
  { label: 'lora', spec: MethodSchema.parse({ method: 'lora', r: 8, alpha: 16, targets: ['q', 'v'] }), quant: 'fp32' },
  { label: 'ptuning-v2', spec: MethodSchema.parse({ method: 'ptuning-v2', prefixLength: 16 }), quant: 'fp32' },
  { label: 'ptuning-v1', spec: MethodSchema.parse({ method: 'ptuning-v1', promptLength: 16 }), quant: 'fp32' },
  { label: 'qlora', spec: MethodSchema.parse({ method: 'lora', r: 8, alpha: 16, targets: ['q', 'v'] }), quant: 'nf4-dq' },
];

export interface BenchTrainOptions {
  cases?: readonly BenchCase[];
  config?: GptConfig;
  batch?: number;
  seqLen?: number;
  repeats?: number;
  warmup?: number;
}

export interface BenchTrainRow {
  label: string;
  method: string;
  quant: QuantDtype;
  stepMs: Stat;
  tokensPerSecond: number;
  trainableParams: number;
  memory: MemoryBreakdown;
  /** Engine-tracked peak of live tensor bytes during one step (tf.profile), persistent state included. */
  peakTensorBytes: number;
  /** Process peak resident set (getrusage maxRSS) after this case: includes the wasm heap, never shrinks. */
  maxRssBytes: number;
}

export async function benchTrainStep(o: BenchTrainOptions = {}): Promise<BenchTrainRow[]> {
  await initBackend();
  const config = o.config ?? REFERENCE_CONFIG;
  const B = o.batch ?? 16, T = o.seqLen ?? 64;
  const weights = initWeights(config, 0);
  // Random tokens: the step's cost does not depend on the values, and every method sees the same batch.
  const rng = new Rng('bench-train');
  const idsData = Int32Array.from({ length: B * T }, () => rng.int(config.vocab));
  const targets = Int32Array.from({ length: B * T }, () => rng.int(config.vocab));
  const rows: BenchTrainRow[] = [];
  for (const c of o.cases ?? REFERENCE_CASES) {
    const model = await buildModel(config, weights, c.spec, c.quant, 0);
    const vars = [...model.trainable.values()];
    const opt = tf.train.adam(1e-3);
    const ids = tf.tensor2d(idsData, [B, T], 'int32');
    const step = () => {
      const loss = opt.minimize(() => lmLoss(model.forward(ids, { training: true, checkpoint: c.checkpoint }).logits, targets), true, vars)!;
      loss.dataSync();
      loss.dispose();
    };
    const stepMs = await timeRepeats(step, { warmup: o.warmup ?? 3, repeats: o.repeats ?? 10 });
    const profile = await tf.profile(step);
    rows.push({
      label: c.label, method: c.spec.method, quant: c.quant, stepMs,
      tokensPerSecond: (B * T) / (stepMs.median / 1000),
      trainableParams: model.trainableParams(),
      memory: memoryBreakdown(model, 'adam'),
      peakTensorBytes: profile.peakBytes,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
    });
    opt.dispose();
    ids.dispose();
    model.dispose();
  }
  return rows;
}

export { baseParamCount };
