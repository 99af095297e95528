/**
 * Memory and step time of one LoRA training step vs model size, and what the measured per-parameter costs
 * imply at 7B/13B/65B — a PROJECTION, printed next to the published figures it can be checked against.
 *
 * One step = forward + lmLoss + gradients of the adapters + AdamW update, on a fixed batch. How each figure
 * is measured:
 * - stepMs: wall time per step (median, IQR) after warm-up, each step ending in a data read of the loss.
 * - peakTensorBytes: tf.profile's peak of live engine bytes during one step. It includes every tfjs tensor
 *   alive (fp32 frozen weights of a dense base, adapters, AdamW moments, activations, gradients, decoded
 *   weight tiles) but NOT the packed weights of a quantized base: those are JS typed arrays outside tfjs.
 * - transientBytes: peakTensorBytes − live engine bytes just before the step (activations, gradients, tiles).
 * - peakBytes: transientBytes + the model's resident state (frozen base incl. packed JS buffers, adapters,
 *   AdamW moments; memoryBreakdown): the step's peak over both places weights live, independent of any
 *   unrelated tensors other code left alive in the process (those do show in peakTensorBytes).
 * - maxRssBytes: getrusage maxRSS of the whole process; it only grows and includes the wasm heap, so it is
 *   an upper bound shared by everything the process did before, reported for completeness only.
 * - dequantMsPerStep: time spent decoding packed weights (QuantLinear's own counter) per timed step.
 */
import * as tf from '@tensorflow/tfjs';
import { lmLoss, baseParamCount, type GptConfig, initWeights, type Gpt } from '../../model/index.ts';
import { buildModel, type MethodSpec, memoryBreakdown, type MemoryBreakdown } from '../../peft/index.ts';
import { AdamW } from '../../train/index.ts';
import { timeRepeats, type Stat } from '../../measure/index.ts';
import { Rng } from '../../util/index.ts';
import type { QuantDtype } from '../../quant/index.ts';
import { linearWeightBytes, dequantMs, resetDequantCost } from './bytes.ts';
import type { ScalingConfig } from './config.ts';

export interface StepBatch {
  ids: Int32Array;
  /** Next-token targets, −100 ignored (shiftedLabels of a real batch, or random tokens). */
  targets: Int32Array;
  shape: [number, number];
  /** Non-pad tokens in the batch (tokens/s counts these). */
  realTokens: number;
}

export interface StepMeasure {
  stepMs: Stat;
  tokensPerS: { median: number; q1: number; q3: number };
  dequantMsPerStep: number;
  peakTensorBytes: number;
  transientBytes: number;
  packedJsBytes: number;
  peakBytes: number;
  maxRssBytes: number;
  memory: MemoryBreakdown;
}

/**
 * Times `repeats` training steps of `model` on one batch after `warmup` untimed ones (timeRepeats: the timing
 * engine, so `stepMs.cpu` and `stepMs.timing` carry CPU time and noise provenance), then profiles one more.
 *
 * @example
 * const m = await measureStep(model, batch, { warmup: 1, repeats: 5, lr: 1e-3 });
 * m.stepMs.median; m.peakBytes;
 */
export async function measureStep(model: Gpt, batch: StepBatch, o: { warmup: number; repeats: number; lr: number }): Promise<StepMeasure> {
  const vars = [...model.trainable.values()];
  const names = [...model.trainable.keys()];
  const opt = new AdamW(model.trainable, { betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 });
  const ids = tf.tensor2d(batch.ids, batch.shape, 'int32');
  // The loss read waits for the step's work; asynchronous, as a GPU backend (WebGPU in Node) has no synchronous read.
  const step = async () => {
    const { value, grads } = tf.variableGrads(() => lmLoss(model.forward(ids, { training: true }).logits, batch.targets), vars);
    await value.data();
    value.dispose();
    opt.apply(new Map(names.map((n, i) => [n, grads[vars[i]!.name]!])), o.lr);
    tf.dispose(Object.values(grads));
  };
  try {
    for (let i = 0; i < o.warmup; i++) await step();
    resetDequantCost(model);
    // The timing engine (wall and CPU per step, guard, lock); a noisy repeat is re-run, so the dequantization
    // time is shared over every step actually run.
    const stepMs = await timeRepeats(step, { warmup: 0, repeats: o.repeats });
    const decode = dequantMs(model) / (o.repeats + (stepMs.timing?.reruns ?? 0));
    const before = tf.memory().numBytes;
    const profile = await tf.profile(step);
    const memory = memoryBreakdown(model, 'adamw');
    const packedJsBytes = (await linearWeightBytes(model)).filter((r) => r.dtype !== 'fp32').reduce((a, r) => a + r.measured, 0);
    const tps = (ms: number) => batch.realTokens / (ms / 1000);
    return {
      stepMs,
      // Faster steps = more tokens/s, so the quartiles swap.
      tokensPerS: { median: tps(stepMs.median), q1: tps(stepMs.q3), q3: tps(stepMs.q1) },
      dequantMsPerStep: decode,
      peakTensorBytes: profile.peakBytes,
      transientBytes: profile.peakBytes - before,
      packedJsBytes,
      peakBytes: profile.peakBytes - before + memory.frozenBytes + memory.trainableBytes + memory.optimizerBytes,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      memory,
    };
  } finally {
    ids.dispose();
    opt.dispose();
  }
}

/** A batch of random tokens (all counted as real; a step's cost does not depend on token values). */
export function randomBatch(vocab: number, batch: number, seqLen: number, seed: number | string): StepBatch {
  const rng = new Rng(`${seed}:qlora-batch`);
  const ids = Int32Array.from({ length: batch * seqLen }, () => rng.int(vocab));
  const targets = Int32Array.from({ length: batch * seqLen }, () => rng.int(vocab));
  return { ids, targets, shape: [batch, seqLen], realTokens: batch * seqLen };
}

export interface LadderRow {
  layers: number;
  dModel: number;
  params: number;
  /** Parameters of the block linears' weights (the part a quantized base packs). */
  linearParams: number;
  dtype: QuantDtype;
  trainableParams: number;
  linearBytesTheoretical: number;
  linearBytesMeasured: number;
  frozenBytes: number;
  stateBytes: number;
  stepMs: Stat;
  tokensPerS: number;
  dequantMsPerStep: number;
  peakTensorBytes: number;
  transientBytes: number;
  peakBytes: number;
}

/** Measures every rung × dtype of the ladder (one model alive at a time). */
export async function measureLadder(sc: ScalingConfig, method: MethodSpec, seed: number, onRow?: (r: LadderRow) => void): Promise<LadderRow[]> {
  const rows: LadderRow[] = [];
  for (const rung of sc.ladder) {
    const config: GptConfig = { ...rung, context: Math.max(sc.seqLen, 8), vocab: sc.vocab, tiedHead: true, dropout: 0 };
    const weights = initWeights(config, `${seed}:ladder`);
    const batch = randomBatch(config.vocab, sc.batch, sc.seqLen, seed);
    for (const dtype of sc.dtypes) {
      const model = await buildModel(config, weights, method, dtype, seed);
      try {
        const m = await measureStep(model, batch, { warmup: sc.warmup, repeats: sc.repeats, lr: 1e-3 });
        const lb = await linearWeightBytes(model);
        const row: LadderRow = {
          layers: rung.layers, dModel: rung.dModel, params: baseParamCount(config), linearParams: lb.reduce((a, r) => a + r.n, 0), dtype,
          trainableParams: model.trainableParams(),
          linearBytesTheoretical: lb.reduce((a, r) => a + r.theoretical, 0), linearBytesMeasured: lb.reduce((a, r) => a + r.measured, 0),
          frozenBytes: m.memory.frozenBytes, stateBytes: m.memory.stateBytes,
          stepMs: m.stepMs, tokensPerS: m.tokensPerS.median, dequantMsPerStep: m.dequantMsPerStep,
          peakTensorBytes: m.peakTensorBytes, transientBytes: m.transientBytes, peakBytes: m.peakBytes,
        };
        rows.push(row);
        onRow?.(row);
      } finally {
        model.dispose();
      }
    }
  }
  return rows;
}

/** Published memory figures, quoted with their source; never computed here. */
export const PUBLISHED_MEMORY = [
  { source: 'QLoRA paper (Dettmers et al. 2023, arXiv:2305.14314), abstract', model: '65B', setup: 'QLoRA (NF4 + double quantization + paged optimizers)', gb: 48, note: 'fine-tunes a 65B model on a single 48 GB GPU' },
  { source: 'QLoRA paper (Dettmers et al. 2023), introduction', model: '65B', setup: '16-bit full fine-tuning', gb: 780, note: 'more than 780 GB of GPU memory' },
  { source: 'LLaMA-Factory README, "Hardware Requirement" (estimated)', model: '7B', setup: 'LoRA, 16-bit base', gb: 16, note: 'estimate' },
  { source: 'LLaMA-Factory README, "Hardware Requirement" (estimated)', model: '7B', setup: 'QLoRA, 4-bit base', gb: 6, note: 'estimate' },
  { source: 'LLaMA-Factory README, "Hardware Requirement" (estimated)', model: '13B', setup: 'LoRA, 16-bit base', gb: 32, note: 'estimate' },
  { source: 'LLaMA-Factory README, "Hardware Requirement" (estimated)', model: '13B', setup: 'QLoRA, 4-bit base', gb: 12, note: 'estimate' },
  { source: 'LLaMA-Factory README, "Hardware Requirement" (estimated)', model: '65B', setup: 'LoRA, 16-bit base', gb: 160, note: 'estimate' },
  { source: 'LLaMA-Factory README, "Hardware Requirement" (estimated)', model: '65B', setup: 'QLoRA, 4-bit base', gb: 48, note: 'estimate' },
] as const;

/** QLoRA's storage cost per parameter (paper §3, "Double Quantization"): 4.127 bits with DQ vs 16 for a 16-bit base. */
export const PUBLISHED_BITS = { source: 'QLoRA paper (Dettmers et al. 2023), §3 Double Quantization', 'nf4-dq': 4.127, nf4: 4.5, '16-bit': 16 } as const;

/** LLaMA shapes (Touvron et al. 2023, Table 2) for the projection: parameters, width, depth. */
export const LLAMA_SIZES = [
  { model: '7B', params: 6.7e9, dModel: 4096, layers: 32 },
  { model: '13B', params: 13.0e9, dModel: 5120, layers: 40 },
  { model: '65B', params: 65.2e9, dModel: 8192, layers: 80 },
] as const;

export interface ProjectionRow {
  label: 'PROJECTION';
  model: string;
  params: number;
  dtype: QuantDtype;
  /** Measured here: bytes per block-linear weight parameter (from the largest rung). */
  bytesPerParam: number;
  weightsGB: number;
  loraParams: number;
  /** fp32 adapters + gradients + two AdamW moments = 16 bytes per adapter parameter. */
  adapterStateGB: number;
  totalGB: number;
  excludes: string;
}

/**
 * Frozen weights at the measured bytes/parameter (every parameter stored like the block linears, as QLoRA
 * quantizes every linear layer) plus the LoRA adapters' exact parameter count for LLaMA's shapes (r on
 * `targets.length` d×d projections per layer). Activations, the CUDA context, allocator fragmentation and
 * paged-optimizer spill are excluded, which is why this sits below the published totals.
 *
 * @example
 * projectMemory(rows, { r: 8, targets: 3 })  // one row per LLaMA size × measured dtype, label 'PROJECTION'
 */
export function projectMemory(rows: readonly LadderRow[], lora: { r: number; targets: number }): ProjectionRow[] {
  if (!rows.length) return [];
  const top = Math.max(...rows.map((r) => r.params));
  const largest = rows.filter((r) => r.params === top);
  const GB = 1e9;
  return LLAMA_SIZES.flatMap((s) => largest.map((r) => {
    const bytesPerParam = r.linearBytesMeasured / r.linearParams;
    const loraParams = s.layers * lora.targets * lora.r * 2 * s.dModel;
    const weightsGB = (s.params * bytesPerParam) / GB;
    const adapterStateGB = (loraParams * 16) / GB;
    return {
      label: 'PROJECTION' as const, model: s.model, params: s.params, dtype: r.dtype, bytesPerParam,
      weightsGB, loraParams, adapterStateGB, totalGB: weightsGB + adapterStateGB,
      excludes: 'activations, CUDA context, allocator overhead',
    };
  }));
}

/** Least-squares slope of log(stepMs) on log(params) per dtype: step time grows as params^k on this machine. */
export function timeExponent(rows: readonly LadderRow[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const dtype of new Set(rows.map((r) => r.dtype))) {
    const pts = rows.filter((r) => r.dtype === dtype).map((r) => [Math.log(r.params), Math.log(r.stepMs.median)] as const);
    if (pts.length < 2) continue;
    const mx = pts.reduce((a, p) => a + p[0], 0) / pts.length;
    const my = pts.reduce((a, p) => a + p[1], 0) / pts.length;
    const sxy = pts.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0);
    const sxx = pts.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
    out[dtype] = sxx > 0 ? sxy / sxx : NaN;
  }
  return out;
}
