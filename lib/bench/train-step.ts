/**
 * The reference training step, timed per method by the timing engine. Shapes (`benchShape`): gpt2 s = issue 4's
 * step (2 layers, d_model 128, 4 heads, batch 16 × seq 64, vocab 2000, Adam); llama s / l and gpt2 l = issue 15's
 * sizes (AdamW for llama). One model at a time; with a PyTorch reference (a persistent child, ./torch-child.ts)
 * its steps alternate with ours in the same shuffled rounds (warm-up rounds first: wasm compiles kernels and grows
 * its heap on the first calls), and the speed ratio is the paired median over rounds with its interval.
 *
 * @example
 * const rows = await benchTrainStep({ cases: [lora], timing: { minRounds: 3, timeCapS: 60 } });
 * rows[0].stepMs.wall.mean  // ms per step (median over rounds)
 */
import * as tf from '@tensorflow/tfjs';
import { countTensorReads, initBackend, variableGradsLowMemory, type ReadCounts } from '../runtime/index.ts';
import { REFERENCE_CONFIG, baseParamCount, initWeights, ffnWidth, kvHeads, type Gpt, type GptConfig, type WeightSource } from '../model/index.ts';
import { AdamW } from '../train/index.ts';
import { buildModel, MethodSchema, type MethodSpec, memoryBreakdown, type MemoryBreakdown } from '../peft/index.ts';
import type { QuantDtype } from '../quant/index.ts';
import { timeArms, ratioOf, timingRecord, type Arm, type Interval, type TimingOptions, type TimingRecord, type TimingResult } from '../measure/index.ts';
import { Rng } from '../util/index.ts';
import { kernelProfile, type KernelProfile } from './kernel-profile.ts';
import type { TorchChild, TorchInfo, TorchShape } from './torch-child.ts';

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
  /** Default adam (issue 4's step); the llama shapes use adamw. */
  optimizer?: 'adam' | 'adamw';
  /** The timing engine's settings (rounds, warm-up rounds, stop target, time cap, threads); steps per round: `batches`. */
  timing?: Omit<TimingOptions, 'seed' | 'batches' | 'ratios'> & { batches?: number };
  /** Starts the PyTorch reference for a case (a persistent child), or says why there is none. */
  torch?: (c: BenchCase) => Promise<TorchChild | { unavailable: string }>;
}

export interface TorchArmResult {
  info: TorchInfo;
  stepMs: { wall: Interval; cpu: Interval };
  tokensPerSecond: number;
  /** LedgerLab's speed over PyTorch's: the paired median of per-round throughput ratios, on wall and CPU time. */
  speed: { wall: Interval; cpu: Interval };
}

export interface BenchTrainRow {
  label: string;
  method: string;
  quant: QuantDtype;
  /** Per-step wall and CPU time (user + system, every thread of the process): median over rounds, 95% interval. */
  stepMs: { wall: Interval; cpu: Interval };
  /**
   * Reads of tensor values into JavaScript in one step (after the timed ones), the final loss read included:
   * sync ones are what a GPU backend cannot afford (0 on WebGPU); on wasm lmLoss's gradient reads its softmax.
   */
  reads: ReadCounts;
  tokensPerSecond: number;
  trainableParams: number;
  memory: MemoryBreakdown;
  /** Engine-tracked peak of live tensor bytes during one step (tf.profile), persistent state included. */
  peakTensorBytes: number;
  /** Process peak resident set (getrusage maxRSS) after this case: includes the wasm heap, never shrinks. */
  maxRssBytes: number;
  /** Where one step's time goes (the profiled step after the timed ones). */
  profile: KernelProfile;
  torch?: TorchArmResult | { unavailable: string };
  timing: TimingRecord;
}

interface CaseStep { model: Gpt; step: () => Promise<void>; dispose(): void }

/** One case's model and its training step on the fixed batch (built untimed). */
async function caseStep(c: BenchCase, config: GptConfig, weights: WeightSource, idsData: Int32Array, targets: Int32Array, shape: [number, number], optimizer: 'adam' | 'adamw'): Promise<CaseStep> {
  const model = await buildModel(config, weights, c.spec, c.quant, 0);
  const vars = [...model.trainable.values()];
  const names = [...model.trainable.keys()];
  const ids = tf.tensor2d(idsData, shape, 'int32');
  // The training loop's loss and gradients (model.loss; lib/runtime's low-memory variableGrads, bitwise tfjs'
  // arithmetic), so the engine peak measured here is the loop's.
  const lossOf = () => model.loss(ids, targets, { training: true, checkpoint: c.checkpoint });
  let opt: { dispose(): void };
  let step: () => Promise<void>;
  if (optimizer === 'adamw') {
    // The training loop's AdamW (PyTorch's update rule), fed by variableGrads as the loop does.
    const adamw = new AdamW(model.trainable, { betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0.01 });
    opt = adamw;
    step = async () => {
      const { value, grads } = variableGradsLowMemory(lossOf, vars);
      adamw.apply(new Map(names.map((n, i) => [n, grads[vars[i]!.name]!])), 1e-3);
      // Ends in a read so the work has really finished; asynchronous: WebGPU in Node has no synchronous read.
      await value.data();
      tf.dispose([value, ...Object.values(grads)]);
    };
  } else {
    const adam = tf.train.adam(1e-3);
    opt = adam;
    step = async () => {
      // what adam.minimize does (variableGrads, then applyGradients), with the loop's gradient function
      const { value, grads } = variableGradsLowMemory(lossOf, vars);
      adam.applyGradients(vars.map((v) => ({ name: v.name, tensor: grads[v.name]! })));
      tf.dispose(Object.values(grads));
      await value.data();
      value.dispose();
    };
  }
  return { model, step, dispose: () => { opt.dispose(); ids.dispose(); model.dispose(); } };
}

/** Times one case (and its PyTorch reference when there is one) with the timing engine. */
async function timeCase(c: BenchCase, cs: CaseStep, tokens: number, o: BenchTrainOptions): Promise<{ ours: TimingResult; torch?: TorchArmResult | { unavailable: string } }> {
  const child = o.torch ? await o.torch(c) : undefined;
  const arms: Arm[] = [{ name: 'ledgerlab', step: () => cs.step(), work: () => tokens }];
  if (child && !('unavailable' in child)) arms.push({ name: 'pytorch', step: () => child.step(), work: () => tokens });
  const { batches = 2, ...timing } = o.timing ?? {};
  try {
    const r = await timeArms(arms, { ...timing, seed: `bench-train:${c.label}`, batches, ratios: arms.length > 1 ? [ratioOf('ledgerlab', 'pytorch', 'speed')] : [] });
    if (!child || 'unavailable' in child) return { ours: r, torch: child };
    const t = r.arms[1]!;
    return { ours: r, torch: { info: child.info, stepMs: t.stepMs, tokensPerSecond: t.throughput.wall.mean, speed: { wall: r.ratios.speed!.wall, cpu: r.ratios.speed!.cpu } } };
  } finally {
    if (child && !('unavailable' in child)) child.close();
  }
}

export async function benchTrainStep(o: BenchTrainOptions = {}): Promise<BenchTrainRow[]> {
  await initBackend();
  const config = o.config ?? REFERENCE_CONFIG;
  const B = o.batch ?? 16, T = o.seqLen ?? 64;
  const optimizer = o.optimizer ?? 'adam';
  const weights = o.weights ?? initWeights(config, 0);
  // Random tokens: the step's cost does not depend on the values, and every method sees the same batch.
  const rng = new Rng('bench-train');
  const idsData = Int32Array.from({ length: B * T }, () => rng.int(config.vocab));
  const targets = Int32Array.from({ length: B * T }, () => rng.int(config.vocab));
  const rows: BenchTrainRow[] = [];
  for (const c of o.cases ?? REFERENCE_CASES) {
    const cs = await caseStep(c, config, weights, idsData, targets, [B, T], optimizer);
    try {
      const { ours, torch } = await timeCase(c, cs, B * T, o);
      const stopCounting = countTensorReads();
      await cs.step();
      const reads = stopCounting();
      const profile = await tf.profile(cs.step);
      const a = ours.arms[0]!;
      rows.push({
        label: c.label, method: c.spec.method, quant: c.quant, stepMs: a.stepMs, reads, tokensPerSecond: a.throughput.wall.mean,
        trainableParams: cs.model.trainableParams(),
        memory: memoryBreakdown(cs.model, optimizer),
        peakTensorBytes: profile.peakBytes,
        maxRssBytes: process.resourceUsage().maxRSS * 1024,
        profile: kernelProfile(profile),
        ...(torch ? { torch } : {}),
        timing: timingRecord(ours),
      });
    } finally {
      cs.dispose();
    }
  }
  return rows;
}

export { baseParamCount };

/** What the PyTorch child loads: the built-in shape's sizes, or the checkpoint directory (llama-family only). */
export function torchShape(s: BenchShape, dir?: string): TorchShape | { unavailable: string } {
  const c = s.config;
  if (dir) return s.arch === 'llama' ? { arch: 'hf', dir, seq: s.seqLen, batch: s.batch } : { unavailable: 'no PyTorch reference for gpt2 checkpoints (bench/torch/hf_step.py runs llama, qwen2 and mistral)' };
  return { arch: s.arch, layers: c.layers, d: c.dModel, heads: c.heads, ...(s.arch === 'llama' ? { kv: kvHeads(c), ffn: ffnWidth(c) } : { context: c.context }), seq: s.seqLen, batch: s.batch, vocab: c.vocab };
}
