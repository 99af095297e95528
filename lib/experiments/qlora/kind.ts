/**
 * The `qlora` experiment kind: one run per seed of
 *   1. the shared tiny base, pretrained on the task's text (cached by config hash under BASE_CACHE, the
 *      speedup experiment's cache: same data + pretrain config = same base);
 *   2. per storage dtype of the frozen block linears (seed-shuffled order, so machine drift does not line up
 *      with one dtype): frozen bytes by formula and by buffer (they must match exactly, else the run fails),
 *      per-layer quantization error, and a timed training step on one fixed real batch (median/IQR step
 *      time, tokens/s, engine peak bytes, decode time) — see scaling.ts for how each figure is measured;
 *   3. quality runs: LoRA trained `trainSteps` on each base, generation on held-out prompts scored with the
 *      Chinese metric, per-example predictions saved as `predictions-<dtype>.jsonl`;
 *   4. the scaling ladder (memory and step time vs parameter count), saved as `ladder.json`.
 * Aggregation across seeds, the parity test and the report live in aggregate.ts and report.ts.
 */
import type { ExperimentKind } from '../kind.ts';
import type { Task } from '../task.ts';
import { taskAndBase } from '../base.ts';
import { QloraSchema, type QloraConfig } from './config.ts';
import { linearWeightBytes, layerQuantErrors } from './bytes.ts';
import { measureStep, measureLadder, timeExponent, type StepBatch } from './scaling.ts';
import type { TimingRecord } from '../../measure/index.ts';
import { trainAndScore } from '../quality.ts';
import { buildModel } from '../../peft/index.ts';
import { BatchIterator, shiftedLabels } from '../../data/index.ts';
import { Rng } from '../../util/index.ts';
import { LedgerLabError } from '../../errors.ts';
import type { QuantDtype } from '../../quant/index.ts';
import type { Weights, GptConfig } from '../../model/index.ts';
import type { Run } from '../../results/index.ts';

export interface DtypeQuality {
  scores: Record<string, number>;
  evalLoss: number;
  perplexity: number;
  finalLoss: number;
  seconds: number;
  /** Real tokens/s over the whole training run minus its first step. */
  tokensPerS: number;
}

export interface DtypeResult {
  dtype: QuantDtype;
  trainableParams: number;
  /** Block-linear weights only: by formula (theoreticalBytes) and by buffer; `exact` = they agree. */
  linearWeights: { n: number; theoretical: number; measured: number; exact: boolean; bitsPerParam: number };
  /** memoryBreakdown(model, 'adamw'): packed linears + fp32 biases, embeddings and LayerNorms. */
  frozenBytes: number;
  trainableBytes: number;
  gradientBytes: number;
  optimizerBytes: number;
  stateBytes: number;
  step: {
    ms: { median: number; q1: number; q3: number; n: number };
    tokensPerS: { median: number; q1: number; q3: number };
    dequantMsPerStep: number;
    /** CPU (user + system) ms of the same steps; the timing engine's record (rounds, noise provenance). */
    cpuMs?: { median: number; q1: number; q3: number };
    timing?: TimingRecord;
    peakTensorBytes: number;
    transientBytes: number;
    peakBytes: number;
    maxRssBytes: number;
  };
  /** Over all block-linear weights: n-weighted mean |error|, max |error|, overall relative L2 error. */
  quantError: { meanAbsError: number; maxAbsError: number; relativeError: number };
  quality?: DtypeQuality;
}

/**
 * One real training batch, the same for every dtype AND every seed (its own fixed shuffle seed), so the
 * seeds are repeats of one measurement and their step times can be pooled into an interval.
 */
export function timingBatch(task: Task, c: QloraConfig): StepBatch {
  const it = new BatchIterator(task.train, {
    batchSize: c.batchSize, seed: 'qlora-timing', padding: c.padding, maxSource: task.limits.maxSource, maxTarget: task.limits.maxTarget, padId: task.tokenizer.special.pad,
  });
  const b = it.next();
  return { ids: b.inputIds, targets: shiftedLabels(b), shape: [b.shape[0], b.shape[1]], realTokens: b.stats.realTokens };
}

async function qualityRun(dtype: QuantDtype, c: QloraConfig, model: GptConfig, base: Weights, task: Task, seed: number, run: Run, verbose: boolean): Promise<DtypeQuality> {
  const q = await trainAndScore({
    label: dtype, method: c.method, quant: dtype, lr: c.lr, padding: c.padding,
    trainSteps: c.trainSteps, batchSize: c.batchSize, eval: c.eval, exportedDecoder: false,
  }, model, base, task, seed, run, verbose);
  return { scores: q.scores, evalLoss: q.evalLoss, perplexity: q.perplexity, finalLoss: q.finalLoss, seconds: q.seconds, tokensPerS: q.tokensPerS };
}

export async function runQlora(c: QloraConfig, seed: number, run: Run, verbose: boolean) {
  if (c.method.method !== 'lora') {
    throw new LedgerLabError({ kind: 'config', problem: `the qlora experiment trains LoRA adapters, got method "${c.method.method}"`, where: 'config.method.method', hint: 'set method.method to "lora"' });
  }
  const { task, model, pt } = await taskAndBase(c, verbose, (line) => run.logMetrics({ phase: 'pretrain', ...line }));
  const batch = timingBatch(task, c);
  const quality = new Set(c.quality ?? c.dtypes);
  const order = new Rng(`${seed}:dtype-order`).shuffle(c.dtypes.map((_, i) => i));
  const results: Record<string, DtypeResult> = {};
  const errors: Record<string, Awaited<ReturnType<typeof layerQuantErrors>>> = {};
  for (const i of order) {
    const dtype = c.dtypes[i]!;
    const m = await buildModel(model, pt.weights, c.method, dtype, seed);
    let res: DtypeResult;
    try {
      const lb = await linearWeightBytes(m);
      const bad = lb.filter((r) => r.theoretical !== r.measured);
      if (bad.length) {
        throw new LedgerLabError({
          kind: 'runtime', problem: `measured frozen bytes differ from theoreticalBytes for ${bad.map((r) => `${r.name} (${r.measured} vs ${r.theoretical})`).join(', ')}`,
          where: `qlora ${dtype} base`, hint: 'the packed layout and quant/tensor.ts theoreticalBytes disagree: fix one of them',
        });
      }
      const layers = await layerQuantErrors(m, pt.weights);
      errors[dtype] = layers;
      const n = layers.reduce((a, r) => a + r.n, 0);
      const sq = layers.reduce((a, r) => a + r.rmse ** 2 * r.n, 0);
      const norm = layers.reduce((a, r) => a + pt.weights.get(`${r.name}.weight`)!.data.reduce((t, x) => t + x * x, 0), 0);
      const s = await measureStep(m, batch, { warmup: c.timing.warmup, repeats: c.timing.steps, lr: c.lr });
      const theoretical = lb.reduce((a, r) => a + r.theoretical, 0);
      res = {
        dtype, trainableParams: m.trainableParams(),
        linearWeights: { n: lb.reduce((a, r) => a + r.n, 0), theoretical, measured: lb.reduce((a, r) => a + r.measured, 0), exact: true, bitsPerParam: (8 * theoretical) / lb.reduce((a, r) => a + r.n, 0) },
        frozenBytes: s.memory.frozenBytes, trainableBytes: s.memory.trainableBytes, gradientBytes: s.memory.gradientBytes, optimizerBytes: s.memory.optimizerBytes, stateBytes: s.memory.stateBytes,
        step: {
          ms: { median: s.stepMs.median, q1: s.stepMs.q1, q3: s.stepMs.q3, n: s.stepMs.n }, tokensPerS: s.tokensPerS, dequantMsPerStep: s.dequantMsPerStep,
          // CPU time of the same steps and how quiet the machine was (the timing engine's record).
          cpuMs: s.stepMs.cpu ? { median: s.stepMs.cpu.median, q1: s.stepMs.cpu.q1, q3: s.stepMs.cpu.q3 } : undefined, timing: s.stepMs.timing,
          peakTensorBytes: s.peakTensorBytes, transientBytes: s.transientBytes, peakBytes: s.peakBytes, maxRssBytes: s.maxRssBytes,
        },
        quantError: {
          meanAbsError: layers.reduce((a, r) => a + r.meanAbsError * r.n, 0) / n,
          maxAbsError: Math.max(...layers.map((r) => r.maxAbsError)),
          relativeError: norm > 0 ? Math.sqrt(sq / norm) : 0,
        },
      };
    } finally {
      m.dispose();
    }
    run.logMetrics({ phase: 'step', dtype, stepMs: res.step.ms.median, tokensPerS: res.step.tokensPerS.median, peakBytes: res.step.peakBytes, frozenBytes: res.frozenBytes });
    if (c.trainSteps > 0 && quality.has(dtype)) res.quality = await qualityRun(dtype, c, model, pt.weights, task, seed, run, verbose);
    results[dtype] = res;
  }
  run.writeArtifact('quant-errors', 'quant-errors.json', JSON.stringify(errors, null, 2) + '\n');

  let scaling: { rows: number; exponent: Record<string, number> } | undefined;
  if (c.scaling.ladder.length) {
    const rows = await measureLadder(c.scaling, c.method, seed, (r) => run.logMetrics({ phase: 'ladder', dModel: r.dModel, layers: r.layers, dtype: r.dtype, stepMs: r.stepMs.median, peakBytes: r.peakBytes }));
    run.writeArtifact('ladder', 'ladder.json', JSON.stringify(rows.map((r) => ({ ...r, stepMs: { ...r.stepMs, samples: undefined } })), null, 2) + '\n');
    scaling = { rows: rows.length, exponent: timeExponent(rows) };
  }
  return {
    data: task.manifest,
    base: { key: pt.key, reused: pt.reused, finalLoss: pt.meta.finalLoss, evalLoss: pt.meta.evalLoss, ...(pt.checkpoint ? { checkpoint: pt.checkpoint } : {}) },
    timingBatch: { shape: batch.shape, realTokens: batch.realTokens },
    order: order.map((i) => c.dtypes[i]!),
    dtypes: results,
    scaling,
  };
}

export const qloraKind: ExperimentKind<QloraConfig> = {
  kind: 'qlora',
  summary: 'LoRA on a base stored as fp32/fp16/bf16/int8/fp4/nf4/nf4-dq: memory, throughput, quality, and QLoRA vs fp16 parity',
  configSchema: QloraSchema,
  run: (ctx) => runQlora(ctx.config, ctx.seed, ctx.run, ctx.verbose),
  prepare: async (config, verbose) => void (await taskAndBase(config, verbose)),
};
