/**
 * The training loop, nanoGPT-style: one readable function, top to bottom, with its small steps below it (the
 * window's counts and metrics line, an evaluation's outcome). Its parts live beside it: step.ts (one optimizer
 * update), early-stop.ts (evaluation and early stopping), resume.ts (checkpoint/resume).
 *
 *   for each step:
 *     for each of gradAccum micro-batches: next batch → forward → lmLoss(shiftedLabels) → variableGrads → accumulate
 *     average, clip to clipNorm, AdamW update at lrAt(step)
 *     every logEvery: one metrics.jsonl line    every evalEvery: eval loss/perplexity (+ early stop)
 *     every checkpointEvery: checkpoint (after the step's lines, so a checkpoint covers its metrics)
 *
 * Reads: a step reads nothing back (its losses and gradient norm stay tensors, `PendingSteps`); they are read at
 * once, asynchronously, when a metrics line is due, before a checkpoint and at the end — so on a GPU backend
 * the device runs ahead of JavaScript between log lines and WebGPU, which has no synchronous read in Node, trains.
 *
 * Determinism: batches come from `BatchIterator` (order a pure function of seed and epoch), dropout seeds
 * from a seeded `Rng`, and every state the next step depends on is in the checkpoint, so a resumed run
 * computes the same float32 values as an uninterrupted one. On resume, metrics lines written after the
 * checkpoint (by the killed process) are dropped first, so metrics.jsonl ends up line-for-line identical
 * except for the timing fields (`TIMING_KEYS`).
 *
 * The result carries per-step batch statistics (`batches`: samples, real/padded/target tokens of each step in
 * this process, aligned with `stepMs`), so throughput is counted from the loop, not by replaying its batches.
 *
 * @example
 * const result = await trainLoop({ model, config: TrainSchema.parse({ steps: 100 }), train: encoded, padId: tok.special.pad,
 *   seed: 0, metricsPath: run.metricsPath, checkpointDir: run.dir, resume: ctx.resume });
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { LedgerLabError } from '../errors.ts';
import type { Gpt } from '../model/index.ts';
import { BatchIterator, type EncodedExample } from '../data/index.ts';
import { Progress, waitWhileTiming } from '../measure/index.ts';
import { withPhase } from '../runtime/index.ts';
import { appendJsonLine } from '../util/index.ts';
import type { TrainConfig } from './config.ts';
import { AdamW, lrAt } from './optim.ts';
import { PendingSteps, trainStep, type StepBatchStats } from './step.ts';
import { evaluateAfterStep, type EvalOutcome } from './early-stop.ts';
import { checkpointPath, emptyWindow, loopFingerprint, startOrResume, writeLoopCheckpoint, type LoopProgress } from './resume.ts';
import type { LogWindow } from './checkpoint.ts';

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

export type { StepBatchStats } from './step.ts';

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
  /** What each step of this process trained on (summed over its micro-batches), aligned with stepMs. */
  batches: StepBatchStats[];
  /** Real and padded token positions the forward passes covered in this process. */
  tokens: { real: number; padded: number };
}

export async function trainLoop(o: TrainLoopOptions): Promise<TrainLoopResult> {
  const { model, config: c } = o;
  checkLoopOptions(o);
  const it = new BatchIterator(o.train, {
    batchSize: c.batchSize, seed: o.seed, padding: c.padding, maxSource: c.maxSource, maxTarget: c.maxTarget, padId: o.padId,
    shuffle: c.shuffle, groupByLength: c.groupByLength,
  });
  const opt = new AdamW(model.trainable, { betas: c.betas, eps: c.eps, weightDecay: c.weightDecay });
  const fingerprint = loopFingerprint(c, o.seed, model);
  const ckptPath = checkpointPath(o.checkpointDir);
  const pending = new PendingSteps();

  try {
    const p = startOrResume({ model, opt, it, seed: o.seed, fingerprint, ckptPath, resume: o.resume, metricsPath: o.metricsPath });
    const resumedFrom = p.step;
    const log = metricsLog(o);
    const evalOpts = { batchSize: c.batchSize, padding: c.padding, maxSource: c.maxSource, maxTarget: c.maxTarget, padId: o.padId, maxBatches: c.evalBatches };

    const bar = new Progress({ total: c.steps, label: o.label ?? 'train', quiet: o.quiet });
    bar.from(p.step);
    const stepMs: number[] = [];
    const batches: StepBatchStats[] = [];
    const tokens = { real: 0, padded: 0 };
    const stopAt = Math.min(c.steps, o.stopAfter ?? Infinity);
    const readPending = () => readPendingInto(p, pending);

    while (p.step < stopAt && !p.stoppedEarly) {
      await waitWhileTiming(); // untimed work pauses while another LedgerLab process times (lib/measure/lock.ts)
      const t0 = performance.now();
      const lr = lrAt(p.step, c);
      // The phase names the step in a backend failure (wasm trap, XNNPACK status).
      const s = withPhase(`train step ${p.step + 1}`, () => trainStep({ model, opt, it, rng: p.rng, config: c, lr }));
      countBatch(p.window, tokens, s.batch);
      batches.push(s.batch);
      p.step++;
      p.window.steps++;
      pending.add(s);
      const logDue = p.step % c.logEvery === 0 || p.step === c.steps;
      // Read inside the timed span: on a GPU the read is where the step's queued work is waited for.
      const gradNorm = logDue ? await readPending() : NaN;
      const ms = performance.now() - t0;
      p.window.seconds += ms / 1000;
      stepMs.push(ms);

      if (logDue) {
        log(windowLine(p, it.state().epoch, lr, gradNorm));
        p.window = emptyWindow();
      }
      const ev = await evaluateAfterStep(model, p.step, c, o.eval, p.early, evalOpts);
      if (ev) noteEval(p, ev, log);
      if (ckptPath && ((c.checkpointEvery > 0 && p.step % c.checkpointEvery === 0) || p.step === c.steps || p.stoppedEarly)) {
        if (pending.size) await readPending();
        await writeLoopCheckpoint(ckptPath, model, opt, it, p, fingerprint);
      }
      // The loss shown is the last one read (a log line's); none yet before the first.
      bar.update(p.step, { ...(Number.isNaN(p.lastLoss) ? {} : { loss: p.lastLoss }), lr, 'tok/s': tokens.real / (stepMs.reduce((a, b) => a + b, 0) / 1000) });
      o.onStep?.(p.step);
      // Steps are synchronous tensor work; without a turn of the event loop, SIGINT/SIGTERM handlers (which
      // mark the run interrupted) would not run until the whole loop ends.
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    if (pending.size) await readPending();
    bar.done();

    const interrupted = p.step < c.steps && !p.stoppedEarly;
    return {
      steps: p.step, resumedFrom, stoppedEarly: p.stoppedEarly, interrupted, lastLoss: p.lastLoss, finalEval: p.finalEval,
      bestEval: p.early.best === null ? undefined : { loss: p.early.best, step: p.early.bestStep },
      stepMs, batches, tokens,
    };
  } finally {
    pending.dispose();
    opt.dispose();
  }
}

/** Options the loop cannot run with: nothing to train, or early stopping without periodic evaluation. */
function checkLoopOptions(o: TrainLoopOptions): void {
  const c = o.config;
  if (o.model.trainable.size === 0) throw new LedgerLabError({ kind: 'usage', problem: 'the model has no trainable tensors', where: 'trainLoop', hint: 'build it with a PEFT method or trainable: true' });
  if (c.earlyStop && !(c.evalEvery > 0 && o.eval?.length)) {
    throw new LedgerLabError({ kind: 'config', problem: 'earlyStop needs periodic evaluation', where: 'train.earlyStop', hint: 'set train.evalEvery > 0 and provide an eval split' });
  }
}

/** Writes a metrics line, stamped with the time, to metrics.jsonl (its folder made now) and to `onLog`. */
function metricsLog(o: TrainLoopOptions): (line: Record<string, unknown>) => void {
  if (o.metricsPath) mkdirSync(dirname(o.metricsPath), { recursive: true });
  return (line) => {
    const full = { time: new Date().toISOString(), ...line };
    if (o.metricsPath) appendJsonLine(o.metricsPath, full);
    o.onLog?.(full);
  };
}

/** Reads the pending steps: their losses into the log window (the last one is `lastLoss`); returns the gradient norm. */
async function readPendingInto(p: LoopProgress, pending: PendingSteps): Promise<number> {
  const r = await pending.read();
  for (const l of r.losses) {
    p.window.lossSum += l;
    p.lastLoss = l;
  }
  return r.gradNorm;
}

/** Adds a step's batch to the log window and to the process's token counts. */
function countBatch(w: LogWindow, tokens: { real: number; padded: number }, b: StepBatchStats): void {
  w.realTokens += b.realTokens;
  w.paddedTokens += b.paddedTokens;
  w.targetTokens += b.targetTokens;
  w.samples += b.samples;
  tokens.real += b.realTokens;
  tokens.padded += b.paddedTokens;
}

/** The metrics line of the steps since the last one: mean loss, token counts and rates, memory. */
function windowLine(p: LoopProgress, epoch: number, lr: number, gradNorm: number): Record<string, unknown> {
  const w = p.window;
  const sec = Math.max(w.seconds, 1e-9);
  return {
    step: p.step, epoch, loss: w.lossSum / w.steps, lr, gradNorm,
    realTokens: w.realTokens, paddedTokens: w.paddedTokens, targetTokens: w.targetTokens, samples: w.samples,
    tokensPerS: w.realTokens / sec, paddedTokensPerS: w.paddedTokens / sec, samplesPerS: w.samples / sec,
    stepMs: (1000 * w.seconds) / w.steps, tfBytes: tf.memory().numBytes, rssBytes: process.memoryUsage().rss,
  };
}

/** An evaluation's outcome into the loop's state (early-stop state, the stop, the final eval), and its line logged. */
function noteEval(p: LoopProgress, ev: EvalOutcome, log: (line: Record<string, unknown>) => void): void {
  p.early = ev.early;
  if (ev.stoppedEarly) p.stoppedEarly = true;
  if (ev.finalEval) p.finalEval = ev.finalEval;
  log(ev.line);
}
