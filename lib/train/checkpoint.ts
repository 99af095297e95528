/**
 * Training checkpoints: one safetensors file holding the trainable tensors (`param/<name>`), AdamW's moments
 * (`adam.m/<name>`, `adam.v/<name>`) and, in its `__metadata__`, the loop's JSON state (step, batch iterator
 * position, RNG state, log window, early-stop counters). One file, written by `writeSafetensors` (temp file,
 * fsync, rename): a kill -9 at any moment leaves either the previous checkpoint or the new one, never a mix
 * of tensors from one step and counters from another, which a folder of several files could not promise.
 *
 * @example
 * await saveCheckpoint(join(run.dir, 'checkpoint.safetensors'), model, opt, state);
 * const ckpt = readCheckpoint(path);           // undefined when there is none yet
 * if (ckpt) restoreCheckpoint(ckpt, model, opt);
 */
import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { LedgerLabError } from '../errors.ts';
import { type Gpt, readSafetensors, tensorFromArray, toTypedArray, writeSafetensors, type SafeTensor } from '../model/index.ts';
import type { IteratorState } from '../data/index.ts';
import type { AdamW, AdamWState } from './optim.ts';

export const CHECKPOINT_FORMAT = 'ledgerlab-train-checkpoint';
export const CHECKPOINT_VERSION = 1;
export const CHECKPOINT_FILE = 'checkpoint.safetensors';

/** Running sums since the last metrics line (so a resumed run logs the same averages). */
export interface LogWindow {
  steps: number;
  lossSum: number;
  realTokens: number;
  paddedTokens: number;
  targetTokens: number;
  samples: number;
  /** Wall-clock seconds spent in the window's steps (timing only; not part of the determinism promise). */
  seconds: number;
}

export interface EarlyStopState {
  /** Best eval loss so far (null before the first eval). */
  best: number | null;
  bestStep: number;
  /** Evaluations since the last improvement. */
  bad: number;
}

/** Everything besides tensors that a resumed loop needs to continue bit for bit. */
export interface LoopState {
  /** Completed optimizer updates. */
  step: number;
  iterator: IteratorState;
  /** `Rng.state()` of the loop's dropout-seed stream (NaN spare stored as null). */
  rng: Array<number | null>;
  window: LogWindow;
  early: EarlyStopState;
  stoppedEarly: boolean;
  /** Mean loss of the last completed step (null before the first). */
  lastLoss: number | null;
  /** Set once the last step's evaluation ran (a finished run resumed again reports it). */
  finalEval?: { loss: number; perplexity: number; tokens: number };
  /** Ties the checkpoint to the model's trainable tensors and the training config. */
  fingerprint: string;
}

export interface TrainCheckpoint {
  state: LoopState;
  params: Map<string, Float32Array>;
  optimizer: AdamWState;
  path: string;
}

const f32 = (shape: readonly number[], data: Float32Array): SafeTensor => tensorFromArray('F32', [...shape], data);

/** Writes the checkpoint atomically; returns its size in bytes. */
export async function saveCheckpoint(path: string, model: Gpt, opt: AdamW, state: LoopState): Promise<number> {
  const tensors = new Map<string, SafeTensor>();
  const o = await opt.state();
  for (const [name, v] of model.trainable) {
    tensors.set(`param/${name}`, f32(v.shape, (await v.data()) as Float32Array));
    tensors.set(`adam.m/${name}`, f32(v.shape, o.m.get(name)!));
    tensors.set(`adam.v/${name}`, f32(v.shape, o.v.get(name)!));
  }
  const meta = {
    format: CHECKPOINT_FORMAT,
    version: String(CHECKPOINT_VERSION),
    state: JSON.stringify(state),
    optimizerStep: String(o.step),
  };
  return writeSafetensors(path, tensors, meta);
}

/** Reads a checkpoint, or undefined when the file does not exist. Foreign or damaged files are located errors. */
export function readCheckpoint(path: string): TrainCheckpoint | undefined {
  if (!existsSync(path)) return undefined;
  const { tensors, metadata } = readSafetensors(path);
  if (metadata.format !== CHECKPOINT_FORMAT) {
    throw new LedgerLabError({ kind: 'data', problem: `not a LedgerLab training checkpoint (format ${JSON.stringify(metadata.format)})`, where: `${path}: __metadata__.format` });
  }
  if (metadata.version !== String(CHECKPOINT_VERSION)) {
    throw new LedgerLabError({ kind: 'data', problem: `checkpoint version ${metadata.version} is not ${CHECKPOINT_VERSION}`, where: `${path}: __metadata__.version`, hint: 'resume with the LedgerLab version that wrote it, or start the run again' });
  }
  let state: LoopState;
  try {
    state = JSON.parse(metadata.state) as LoopState;
  } catch (err) {
    throw new LedgerLabError({ kind: 'data', problem: `checkpoint state is not valid JSON (${(err as Error).message})`, where: `${path}: __metadata__.state`, cause: err });
  }
  const params = new Map<string, Float32Array>();
  const m = new Map<string, Float32Array>();
  const v = new Map<string, Float32Array>();
  for (const [key, t] of tensors) {
    const slash = key.indexOf('/');
    const group = key.slice(0, slash);
    const name = key.slice(slash + 1);
    const target = group === 'param' ? params : group === 'adam.m' ? m : group === 'adam.v' ? v : undefined;
    if (!target || t.dtype !== 'F32') throw new LedgerLabError({ kind: 'data', problem: `unexpected tensor "${key}" (${t.dtype})`, where: path });
    target.set(name, toTypedArray(t) as Float32Array);
  }
  return { state, params, optimizer: { step: Number(metadata.optimizerStep), m, v }, path };
}

/** Loads the checkpoint's tensors into the model's trainable variables and the optimizer. */
export function restoreCheckpoint(ckpt: TrainCheckpoint, model: Gpt, opt: AdamW): void {
  const names = [...model.trainable.keys()];
  const saved = [...ckpt.params.keys()];
  const missing = names.filter((n) => !ckpt.params.has(n));
  const extra = saved.filter((n) => !model.trainable.has(n));
  if (missing.length || extra.length) {
    throw new LedgerLabError({
      kind: 'data',
      problem: `checkpoint tensors do not match the model's trainable tensors${missing.length ? `; missing: ${missing.slice(0, 5).join(', ')}` : ''}${extra.length ? `; unexpected: ${extra.slice(0, 5).join(', ')}` : ''}`,
      where: ckpt.path,
      hint: 'resume with the same model and method config the checkpoint was written with',
    });
  }
  for (const [name, v] of model.trainable) {
    const data = ckpt.params.get(name)!;
    if (data.length !== v.size) throw new LedgerLabError({ kind: 'data', problem: `tensor "${name}" has ${data.length} values, the model expects ${v.size}`, where: ckpt.path });
    tf.tidy(() => v.assign(tf.tensor(data, v.shape)));
  }
  opt.load(ckpt.optimizer);
}
