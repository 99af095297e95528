/**
 * The training loop, nanoGPT-style: one readable function, top to bottom.
 *
 *   for each step:
 *     for each of gradAccum micro-batches: next batch → forward → lmLoss(shiftedLabels) → variableGrads → accumulate
 *     average, clip to clipNorm, AdamW update at lrAt(step)
 *     every logEvery: one metrics.jsonl line    every evalEvery: eval loss/perplexity (+ early stop)
 *     every checkpointEvery: checkpoint (after the step's lines, so a checkpoint covers its metrics)
 *
 * Determinism: batches come from `BatchIterator` (order a pure function of seed and epoch), dropout seeds
 * from a seeded `Rng`, and every state the next step depends on is in the checkpoint, so a resumed run
 * computes the same float32 values as an uninterrupted one. On resume, metrics lines written after the
 * checkpoint (by the killed process) are dropped first, so metrics.jsonl ends up line-for-line identical
 * except for the timing fields (`TIMING_KEYS`).
 *
 * @example
 * const result = await trainLoop({ model, config: TrainSchema.parse({ steps: 100 }), train: encoded, padId: tok.special.pad,
 *   seed: 0, metricsPath: run.metricsPath, checkpointDir: run.dir, resume: ctx.resume });
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LedgerLabError } from '../errors.ts';
import type { Gpt } from '../model/index.ts';
import { lmLoss } from '../model/index.ts';
import { BatchIterator } from '../data/index.ts';
import { shiftedLabels } from '../data/index.ts';
import type { EncodedExample } from '../data/index.ts';
import { Rng } from '../util/index.ts';
import { sha256Json } from '../util/index.ts';
import { Progress } from '../measure/index.ts';
import { appendJsonLine, truncateJsonl } from '../util/index.ts';
import type { TrainConfig } from './config.ts';
import { AdamW, clipByGlobalNorm, lrAt } from './optim.ts';
import { CHECKPOINT_FILE, readCheckpoint, restoreCheckpoint, saveCheckpoint, type LogWindow, type LoopState } from './checkpoint.ts';
import { evalLoss } from './eval-loss.ts';

/** Fields of a metrics line that measure the machine, not the math: they differ between identical runs. */
export const TIMING_KEYS = ['time', 'tokensPerS', 'paddedTokensPerS', 'samplesPerS', 'stepMs', 'tfBytes', 'rssBytes'] as const;

/** A metrics line without its timing fields: what two runs with the same seed must agree on. */
export function deterministicFields(line: Record<string, unknown>): Record<string, unknown> {
  const out = { ...line };
  for (const k of TIMING_KEYS) delete out[k];
  return out;
}

export interface TrainLoopOptions {
  model: Gpt;
  config: TrainConfig;
  train: readonly EncodedExample[];
  /** Held-out examples for eval loss (periodic and final); none → no eval. */
  eval?: readonly EncodedExample[];
  padId: number;
  seed: number;
  /** metrics.jsonl to append to (a Run's `metricsPath`). */
  metricsPath?: string;
  /** Also receives every metrics line (after it is written). */
  onLog?: (line: Record<string, unknown>) => void;
  /** Folder for `checkpoint.safetensors` (needs config.checkpointEvery > 0 to write periodically). */
  checkpointDir?: string;
  /** Continue from the checkpoint in checkpointDir if there is one. */
  resume?: boolean;
  /** Stop after this many completed steps as if interrupted (no final eval); for tests and time budgets. */
  stopAfter?: number;
  /** Called after each completed step (after its checkpoint, if any). */
  onStep?: (step: number) => void;
  /** Progress bar label; the bar is shown only on a TTY and when not quiet (--json). */
  label?: string;
  quiet?: boolean;
}

export interface TrainLoopResult {
  /** Completed optimizer updates. */
  steps: number;
  /** Step the run resumed from (0 when fresh). */
  resumedFrom: number;
  stoppedEarly: boolean;
  /** True when stopAfter ended the loop before config.steps. */
  interrupted: boolean;
  /** Mean loss of the last step. */
  lastLoss: number;
  finalEval?: { loss: number; perplexity: number; tokens: number };
  bestEval?: { loss: number; step: number };
  /** Wall-clock ms per step in this process (timing only). */
  stepMs: number[];
  /** Real and padded token positions the forward passes covered in this process. */
  tokens: { real: number; padded: number };
}

const emptyWindow = (): LogWindow => ({ steps: 0, lossSum: 0, realTokens: 0, paddedTokens: 0, targetTokens: 0, samples: 0, seconds: 0 });

/** Keeps the metrics lines with step ≤ `upTo` (what the checkpoint covers); a killed writer's tail is dropped. */
function truncateMetrics(path: string, upTo: number): void {
  truncateJsonl(path, (l) => typeof l.step !== 'number' || l.step <= upTo);
}

export async function trainLoop(o: TrainLoopOptions): Promise<TrainLoopResult> {
  const { model, config: c } = o;
  if (model.trainable.size === 0) throw new LedgerLabError({ kind: 'usage', problem: 'the model has no trainable tensors', where: 'trainLoop', hint: 'build it with a PEFT method or trainable: true' });
  if (c.earlyStop && !(c.evalEvery > 0 && o.eval?.length)) {
    throw new LedgerLabError({ kind: 'config', problem: 'earlyStop needs periodic evaluation', where: 'train.earlyStop', hint: 'set train.evalEvery > 0 and provide an eval split' });
  }
  const it = new BatchIterator(o.train, {
    batchSize: c.batchSize, seed: o.seed, padding: c.padding, maxSource: c.maxSource, maxTarget: c.maxTarget, padId: o.padId,
    shuffle: c.shuffle, groupByLength: c.groupByLength,
  });
  const vars = [...model.trainable.values()];
  const names = [...model.trainable.keys()];
  const opt = new AdamW(model.trainable, { betas: c.betas, eps: c.eps, weightDecay: c.weightDecay });
  const fingerprint = sha256Json({ config: c, seed: o.seed, trainable: names.map((n, i) => [n, vars[i].shape]) });
  const ckptPath = o.checkpointDir ? join(o.checkpointDir, CHECKPOINT_FILE) : undefined;

  try {
    let rng = new Rng(`${o.seed}:train-loop`);
    let step = 0;
    let window = emptyWindow();
    let early = { best: null as number | null, bestStep: 0, bad: 0 };
    let stoppedEarly = false;
    let finalEval: TrainLoopResult['finalEval'];
    let lastLoss = NaN;
    if (o.resume && ckptPath) {
      const ckpt = readCheckpoint(ckptPath);
      if (ckpt) {
        if (ckpt.state.fingerprint !== fingerprint) {
          throw new LedgerLabError({ kind: 'config', problem: 'the checkpoint was written with a different training config, seed or set of trainable tensors', where: ckpt.path, hint: 'resume with the config and seed recorded in run.json' });
        }
        restoreCheckpoint(ckpt, model, opt);
        it.restore(ckpt.state.iterator);
        rng = Rng.fromState(ckpt.state.rng.map((x) => (x === null ? NaN : x)));
        step = ckpt.state.step;
        window = ckpt.state.window;
        early = ckpt.state.early;
        stoppedEarly = ckpt.state.stoppedEarly;
        finalEval = ckpt.state.finalEval;
        lastLoss = ckpt.state.lastLoss ?? NaN;
      }
    }
    const resumedFrom = step;
    if (o.metricsPath) mkdirSync(dirname(o.metricsPath), { recursive: true });
    if (o.resume && o.metricsPath) truncateMetrics(o.metricsPath, step);

    const log = (line: Record<string, unknown>) => {
      const full = { time: new Date().toISOString(), ...line };
      if (o.metricsPath) appendJsonLine(o.metricsPath, full);
      o.onLog?.(full);
    };
    const evalOpts = { batchSize: c.batchSize, padding: c.padding, maxSource: c.maxSource, maxTarget: c.maxTarget, padId: o.padId, maxBatches: c.evalBatches };
    const checkpoint = async () => {
      if (!ckptPath) return;
      const state: LoopState = { step, iterator: it.state(), rng: rng.state().map((x) => (Number.isNaN(x) ? null : x)), window, early, stoppedEarly, lastLoss: Number.isNaN(lastLoss) ? null : lastLoss, finalEval, fingerprint };
      await saveCheckpoint(ckptPath, model, opt, state);
    };

    const bar = new Progress({ total: c.steps, label: o.label ?? 'train', quiet: o.quiet || !process.stderr.isTTY });
    bar.from(step);
    const stepMs: number[] = [];
    const tokens = { real: 0, padded: 0 };
    const stopAt = Math.min(c.steps, o.stopAfter ?? Infinity);

    while (step < stopAt && !stoppedEarly) {
      const t0 = performance.now();
      const lr = lrAt(step, c);
      let acc: tf.Tensor[] | null = null;
      let lossSum = 0;
      for (let micro = 0; micro < c.gradAccum; micro++) {
        const batch = it.next();
        const targets = shiftedLabels(batch);
        const dropoutSeed = rng.nextUint32();
        const ids = tf.tensor2d(batch.inputIds, batch.shape, 'int32');
        const { value, grads } = tf.variableGrads(
          () => lmLoss(model.forward(ids, { training: true, seed: dropoutSeed, checkpoint: c.checkpoint }).logits, targets),
          vars,
        );
        ids.dispose();
        lossSum += value.dataSync()[0]!;
        value.dispose();
        const g = vars.map((v) => grads[v.name]!);
        if (acc === null) acc = g;
        else {
          const prev: tf.Tensor[] = acc;
          acc = prev.map((a, i) => tf.add(a, g[i]!));
          tf.dispose([...prev, ...g]);
        }
        window.realTokens += batch.stats.realTokens;
        window.paddedTokens += batch.shape[0] * batch.shape[1];
        window.targetTokens += batch.stats.targetTokens;
        window.samples += batch.shape[0];
        tokens.real += batch.stats.realTokens;
        tokens.padded += batch.shape[0] * batch.shape[1];
      }
      // Mean of the micro-batch means, as Hugging Face and nanoGPT average under accumulation.
      let summed: tf.Tensor[] = acc!;
      if (c.gradAccum > 1) {
        const mean = summed.map((a) => tf.mul(a, 1 / c.gradAccum));
        tf.dispose(summed);
        summed = mean;
      }
      const clipped = clipByGlobalNorm(new Map(names.map((n, i) => [n, summed[i]!])), c.clipNorm);
      opt.apply(clipped.grads, lr);
      tf.dispose([...clipped.grads.values()]);
      step++;
      const loss = lossSum / c.gradAccum;
      lastLoss = loss;
      window.steps++;
      window.lossSum += loss;
      const ms = performance.now() - t0;
      window.seconds += ms / 1000;
      stepMs.push(ms);

      if (step % c.logEvery === 0 || step === c.steps) {
        const s = Math.max(window.seconds, 1e-9);
        log({
          step, epoch: it.state().epoch, loss: window.lossSum / window.steps, lr, gradNorm: clipped.norm,
          realTokens: window.realTokens, paddedTokens: window.paddedTokens, targetTokens: window.targetTokens, samples: window.samples,
          tokensPerS: window.realTokens / s, paddedTokensPerS: window.paddedTokens / s, samplesPerS: window.samples / s,
          stepMs: (1000 * window.seconds) / window.steps, tfBytes: tf.memory().numBytes, rssBytes: process.memoryUsage().rss,
        });
        window = emptyWindow();
      }
      const periodic = c.evalEvery > 0 && step % c.evalEvery === 0;
      if (o.eval?.length && (periodic || step === c.steps)) {
        const e = evalLoss(model, o.eval, evalOpts);
        if (c.earlyStop && periodic) {
          if (early.best === null || e.loss < early.best - c.earlyStop.minDelta) early = { best: e.loss, bestStep: step, bad: 0 };
          else early = { ...early, bad: early.bad + 1 };
          if (early.bad >= c.earlyStop.patience) stoppedEarly = true;
        } else if (early.best === null || e.loss < early.best) early = { best: e.loss, bestStep: step, bad: 0 };
        const final = step === c.steps || stoppedEarly;
        if (final) finalEval = { loss: e.loss, perplexity: e.perplexity, tokens: e.tokens };
        log({ step, evalLoss: e.loss, evalPerplexity: e.perplexity, evalTokens: e.tokens, ...(final ? { final: true } : {}) });
      }
      if ((c.checkpointEvery > 0 && step % c.checkpointEvery === 0) || step === c.steps || stoppedEarly) await checkpoint();
      bar.update(step, { loss, lr, 'tok/s': tokens.real / (stepMs.reduce((a, b) => a + b, 0) / 1000) });
      o.onStep?.(step);
      // Steps are synchronous tensor work; without a turn of the event loop, SIGINT/SIGTERM handlers (which
      // mark the run interrupted) would not run until the whole loop ends.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    bar.done();

    const interrupted = step < c.steps && !stoppedEarly;
    return {
      steps: step, resumedFrom, stoppedEarly, interrupted, lastLoss, finalEval,
      bestEval: early.best === null ? undefined : { loss: early.best, step: early.bestStep },
      stepMs, tokens,
    };
  } finally {
    opt.dispose();
  }
}
