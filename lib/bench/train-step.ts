/**
 * The reference training step, timed per method. Shapes (`benchShape`): gpt2 s = issue 4's step (2 layers,
 * d_model 128, 4 heads, batch 16 × seq 64, vocab 2000, Adam); llama s / l and gpt2 l = issue 15's sizes (AdamW
 * for llama). One model at a time, warm-up steps first (wasm compiles kernels and grows its heap on the first
 * calls), then timed steps each ending in a data read so the work has really finished.
 *
 * @example
 * const rows = await benchTrainStep({ methods: ['lora'], repeats: 10, warmup: 3 });
 * rows[0].stepMs.median  // ms per step
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../runtime/index.ts';
import { REFERENCE_CONFIG, baseParamCount, type GptConfig, type WeightSource } from '../model/index.ts';
import { AdamW } from '../train/index.ts';
import { initWeights } from '../model/index.ts';
import { lmLoss } from '../model/index.ts';
import { buildModel, MethodSchema, type MethodSpec } from '../peft/index.ts';
import { memoryBreakdown, type MemoryBreakdown } from '../peft/index.ts';
import type { QuantDtype } from '../quant/index.ts';
import { timeRepeats, summarize, type Stat } from '../measure/index.ts';
import { Rng } from '../util/index.ts';
import { kernelProfile, type KernelProfile } from './kernel-profile.ts';

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

export type BenchArch = 'gpt2' | 'llama';
export type BenchSize = 's' | 'l';
export const BENCH_ARCHS: readonly BenchArch[] = ['gpt2', 'llama'];
export const BENCH_SIZES: readonly BenchSize[] = ['s', 'l'];

export interface BenchShape {
  arch: BenchArch;
  size: BenchSize;
  config: GptConfig;
  batch: number;
  seqLen: number;
  optimizer: 'adam' | 'adamw';
}

/**
 * The benchmark shapes. llama s / l are issue 15's (s: 2 layers, d 128, 4 heads, 2 kv heads, ffn 352, vocab
 * 2000, seq 64, batch 16; l: 8 layers, d 512, 8 heads, 4 kv heads, ffn 1408, vocab 8000, seq 256, batch 4),
 * untied head as Llama, AdamW (weight decay 0.01, torch's default). gpt2 l takes l's sizes with GPT-2's 4·d MLP.
 * Contexts leave room for P-Tuning v1's 16 virtual tokens before 256 real ones.
 */
export function benchShape(arch: BenchArch, size: BenchSize): BenchShape {
  if (arch === 'gpt2') {
    return size === 's'
      ? { arch, size, config: REFERENCE_CONFIG, batch: 16, seqLen: 64, optimizer: 'adam' }
      : { arch, size, config: { layers: 8, dModel: 512, heads: 8, context: 512, vocab: 8000, tiedHead: true, dropout: 0 }, batch: 4, seqLen: 256, optimizer: 'adam' };
  }
  return size === 's'
    ? { arch, size, config: { arch: 'llama', layers: 2, dModel: 128, heads: 4, kvHeads: 2, ffn: 352, context: 256, vocab: 2000, tiedHead: false, dropout: 0 }, batch: 16, seqLen: 64, optimizer: 'adamw' }
    : { arch, size, config: { arch: 'llama', layers: 8, dModel: 512, heads: 8, kvHeads: 4, ffn: 1408, context: 512, vocab: 8000, tiedHead: false, dropout: 0 }, batch: 4, seqLen: 256, optimizer: 'adamw' };
}

export interface BenchTrainOptions {
  cases?: readonly BenchCase[];
  config?: GptConfig;
  /** The base's weights (a checkpoint read tensor by tensor: `bench train --model DIR`); default seeded random. */
  weights?: WeightSource;
  batch?: number;
  seqLen?: number;
  repeats?: number;
  warmup?: number;
  /** Default adam (issue 4's step); the llama shapes use adamw. */
  optimizer?: 'adam' | 'adamw';
}

export interface BenchTrainRow {
  label: string;
  method: string;
  quant: QuantDtype;
  stepMs: Stat;
  /** CPU time per timed step (user + system, every thread of the process). */
  cpuMs: Stat;
  tokensPerSecond: number;
  trainableParams: number;
  memory: MemoryBreakdown;
  /** Engine-tracked peak of live tensor bytes during one step (tf.profile), persistent state included. */
  peakTensorBytes: number;
  /** Process peak resident set (getrusage maxRSS) after this case: includes the wasm heap, never shrinks. */
  maxRssBytes: number;
  /** Where one step's time goes (the profiled step after the timed ones). */
  profile: KernelProfile;
}

export async function benchTrainStep(o: BenchTrainOptions = {}): Promise<BenchTrainRow[]> {
  await initBackend();
  const config = o.config ?? REFERENCE_CONFIG;
  const B = o.batch ?? 16, T = o.seqLen ?? 64;
  const weights = o.weights ?? initWeights(config, 0);
  // Random tokens: the step's cost does not depend on the values, and every method sees the same batch.
  const rng = new Rng('bench-train');
  const idsData = Int32Array.from({ length: B * T }, () => rng.int(config.vocab));
  const targets = Int32Array.from({ length: B * T }, () => rng.int(config.vocab));
  const rows: BenchTrainRow[] = [];
  for (const c of o.cases ?? REFERENCE_CASES) {
    const model = await buildModel(config, weights, c.spec, c.quant, 0);
    const vars = [...model.trainable.values()];
    const names = [...model.trainable.keys()];
    const ids = tf.tensor2d(idsData, [B, T], 'int32');
    const lossOf = () => lmLoss(model.forward(ids, { training: true, checkpoint: c.checkpoint }).logits, targets);
    let opt: { dispose(): void };
    let step: () => void;
    if ((o.optimizer ?? 'adam') === 'adamw') {
      // The training loop's AdamW (PyTorch's update rule), fed by variableGrads as the loop does.
      const adamw = new AdamW(model.trainable, { betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01 });
      opt = adamw;
      step = () => {
        const { value, grads } = tf.variableGrads(lossOf, vars);
        adamw.apply(new Map(names.map((n, i) => [n, grads[vars[i]!.name]!])), 1e-3);
        value.dataSync();
        tf.dispose([value, ...Object.values(grads)]);
      };
    } else {
      const adam = tf.train.adam(1e-3);
      opt = adam;
      step = () => {
        const loss = adam.minimize(lossOf, true, vars)!;
        loss.dataSync();
        loss.dispose();
      };
    }
    // CPU time of each step (all threads of this process) next to its wall time: on a machine shared with
    // other work, wall time measures the share of the CPU the step got as much as the step itself.
    const cpu: number[] = [];
    const timedStep = () => {
      const c0 = process.cpuUsage();
      step();
      const d = process.cpuUsage(c0);
      cpu.push((d.user + d.system) / 1000);
    };
    const stepMs = await timeRepeats(timedStep, { warmup: o.warmup ?? 3, repeats: o.repeats ?? 10 });
    const cpuMs = summarize(cpu.slice(o.warmup ?? 3));
    const profile = await tf.profile(step);
    rows.push({
      label: c.label, method: c.spec.method, quant: c.quant, stepMs, cpuMs,
      tokensPerSecond: (B * T) / (stepMs.median / 1000),
      trainableParams: model.trainableParams(),
      memory: memoryBreakdown(model, (o.optimizer ?? 'adam') === 'adamw' ? 'adamw' : 'adam'),
      peakTensorBytes: profile.peakBytes,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      profile: kernelProfile(profile),
    });
    opt.dispose();
    ids.dispose();
    model.dispose();
  }
  return rows;
}

export { baseParamCount };
