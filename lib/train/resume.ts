/**
 * Checkpoint and resume for the loop: the loop's state fresh or restored from `checkpoint.safetensors`
 * (refused when the fingerprint — config, seed, trainable tensors — differs), metrics.jsonl cut back to what the
 * checkpoint covers (the killed process's later lines and torn tail), and writing the next checkpoint.
 */
import { join } from 'node:path';
import { LedgerLabError } from '../errors.ts';
import type { Gpt } from '../model/index.ts';
import type { BatchIterator } from '../data/index.ts';
import { Rng, sha256Json, truncateJsonl } from '../util/index.ts';
import type { TrainConfig } from './config.ts';
import type { AdamW } from './optim.ts';
import { CHECKPOINT_FILE, readCheckpoint, restoreCheckpoint, saveCheckpoint, type LoopState, type LogWindow } from './checkpoint.ts';
import { freshEarlyStop } from './early-stop.ts';

export const emptyWindow = (): LogWindow => ({ steps: 0, lossSum: 0, realTokens: 0, paddedTokens: 0, targetTokens: 0, samples: 0, seconds: 0 });

/** The loop's state between steps: what a checkpoint stores (with the iterator and the optimizer). */
export interface LoopProgress {
  step: number;
  rng: Rng;
  window: LogWindow;
  early: LoopState['early'];
  stoppedEarly: boolean;
  lastLoss: number;
  finalEval: LoopState['finalEval'];
}

/** Ties a checkpoint to the training config, the seed and the trainable tensors' names and shapes. */
export function loopFingerprint(c: TrainConfig, seed: number, model: Gpt): string {
  return sha256Json({ config: c, seed, trainable: [...model.trainable].map(([n, v]) => [n, v.shape]) });
}

export const checkpointPath = (dir: string | undefined) => (dir ? join(dir, CHECKPOINT_FILE) : undefined);

/**
 * The state to start from: fresh, or — when resuming and a checkpoint exists — restored into the model, the
 * optimizer and the iterator. When resuming, metrics lines after the checkpoint's step are dropped.
 */
export function startOrResume(o: { model: Gpt; opt: AdamW; it: BatchIterator; seed: number; fingerprint: string; ckptPath?: string; resume?: boolean; metricsPath?: string }): LoopProgress {
  const p: LoopProgress = { step: 0, rng: new Rng(`${o.seed}:train-loop`), window: emptyWindow(), early: freshEarlyStop(), stoppedEarly: false, lastLoss: NaN, finalEval: undefined };
  if (o.resume && o.ckptPath) {
    const ckpt = readCheckpoint(o.ckptPath);
    if (ckpt) {
      if (ckpt.state.fingerprint !== o.fingerprint) {
        throw new LedgerLabError({ kind: 'config', code: 'config.checkpoint_mismatch', problem: 'the checkpoint was written with a different training config, seed or set of trainable tensors', where: ckpt.path, hint: 'resume with the config and seed recorded in run.json' });
      }
      restoreCheckpoint(ckpt, o.model, o.opt);
      o.it.restore(ckpt.state.iterator);
      p.rng = Rng.fromState(ckpt.state.rng.map((x) => (x === null ? NaN : x)));
      p.step = ckpt.state.step;
      p.window = ckpt.state.window;
      p.early = ckpt.state.early;
      p.stoppedEarly = ckpt.state.stoppedEarly;
      p.finalEval = ckpt.state.finalEval;
      p.lastLoss = ckpt.state.lastLoss ?? NaN;
    }
  }
  if (o.resume && o.metricsPath) {
    const upTo = p.step;
    truncateJsonl(o.metricsPath, (l) => typeof l.step !== 'number' || l.step <= upTo);
  }
  return p;
}

/** Writes the checkpoint of the loop's current state (JSON has no NaN: a NaN becomes null). */
export async function writeLoopCheckpoint(path: string, model: Gpt, opt: AdamW, it: BatchIterator, p: LoopProgress, fingerprint: string): Promise<void> {
  const state: LoopState = {
    step: p.step, iterator: it.state(), rng: p.rng.state().map((x) => (Number.isNaN(x) ? null : x)), window: p.window, early: p.early,
    stoppedEarly: p.stoppedEarly, lastLoss: Number.isNaN(p.lastLoss) ? null : p.lastLoss, finalEval: p.finalEval, fingerprint,
  };
  await saveCheckpoint(path, model, opt, state);
}
