/**
 * One optimizer update: `gradAccum` micro-batches from the iterator → forward → lmLoss(shiftedLabels) (as
 * `model.loss`) → variableGrads (lib/runtime's low-memory one), summed; the mean of the micro-batch gradients clipped to clipNorm; one AdamW update at lr.
 * Returns the step's micro-batch losses and its gradient norm, still tensors (nothing is read back: on a GPU
 * backend a read waits for the device, and the loop reads a log interval's values at once, `readStepValues`),
 * and what its batches held (so callers count samples and tokens from the loop itself instead of replaying the
 * batch order). The caller owns, and disposes or reads, the returned tensors.
 */
import * as tf from '@tensorflow/tfjs';
import type { Gpt } from '../model/index.ts';
import { shiftedLabels, type BatchIterator } from '../data/index.ts';
import type { Rng } from '../util/index.ts';
import { memLog, readNumbers, tensorsOnDevice, variableGradsLowMemory } from '../runtime/index.ts';
import type { TrainConfig } from './config.ts';
import { clipByGlobalNorm, clipByGlobalNormOnDevice, type AdamW } from './optim.ts';

/** What one optimizer step's batches held, summed over its micro-batches. */
export interface StepBatchStats {
  /** Examples (rows). */
  samples: number;
  /** Non-pad token positions. */
  realTokens: number;
  /** Every processed position, pads included (rows × padded length). */
  paddedTokens: number;
  /** Label positions that count in the loss. */
  targetTokens: number;
}

export interface StepResult {
  /** The micro-batch losses (scalar tensors; the step's loss is their mean, `readStepValues`). */
  losses: tf.Scalar[];
  /** Global gradient norm before clipping: a number on a host backend, a scalar tensor on a GPU backend. */
  gradNorm: number | tf.Scalar;
  batch: StepBatchStats;
}

export interface StepContext {
  model: Gpt;
  opt: AdamW;
  it: BatchIterator;
  /** The loop's dropout-seed stream: one draw per micro-batch. */
  rng: Rng;
  config: TrainConfig;
  lr: number;
}

export function trainStep({ model, opt, it, rng, config: c, lr }: StepContext): StepResult {
  const vars = [...model.trainable.values()];
  const names = [...model.trainable.keys()];
  const batchStats: StepBatchStats = { samples: 0, realTokens: 0, paddedTokens: 0, targetTokens: 0 };
  let acc: tf.Tensor[] | null = null;
  const losses: tf.Scalar[] = [];
  for (let micro = 0; micro < c.gradAccum; micro++) {
    const batch = it.next();
    const targets = shiftedLabels(batch);
    const dropoutSeed = rng.nextUint32();
    const ids = tf.tensor2d(batch.inputIds, batch.shape, 'int32');
    // model.loss = lmLoss(forward(ids).logits) (the head fused and chunked at large vocab × tokens); the
    // low-memory variableGrads gives tfjs' gradients bitwise while releasing the tape as it goes.
    const { value, grads } = variableGradsLowMemory(
      () => {
        const loss = model.loss(ids, targets, { training: true, seed: dropoutSeed, checkpoint: c.checkpoint });
        memLog('train forward');
        return loss;
      },
      vars,
    );
    memLog('train backward');
    ids.dispose();
    losses.push(value);
    const g = vars.map((v) => grads[v.name]!);
    if (acc === null) acc = g;
    else {
      const prev: tf.Tensor[] = acc;
      acc = prev.map((a, i) => tf.add(a, g[i]!));
      tf.dispose([...prev, ...g]);
    }
    batchStats.samples += batch.shape[0];
    batchStats.realTokens += batch.stats.realTokens;
    batchStats.paddedTokens += batch.shape[0] * batch.shape[1];
    batchStats.targetTokens += batch.stats.targetTokens;
  }
  // Mean of the micro-batch means, as Hugging Face and nanoGPT average under accumulation.
  let summed: tf.Tensor[] = acc!;
  if (c.gradAccum > 1) {
    const mean = summed.map((a) => tf.mul(a, 1 / c.gradAccum));
    tf.dispose(summed);
    summed = mean;
  }
  // The host version reads the norm (free where tensors are in CPU memory) and keeps its float64 coefficient.
  const named = new Map(names.map((n, i) => [n, summed[i]!]));
  const clipped = tensorsOnDevice() ? clipByGlobalNormOnDevice(named, c.clipNorm) : clipByGlobalNorm(named, c.clipNorm);
  opt.apply(clipped.grads, lr);
  tf.dispose([...clipped.grads.values()]);
  memLog('train optimizer');
  return { losses, gradNorm: clipped.norm, batch: batchStats };
}

/** Drops a step's returned tensors unread (a caller that times steps and does not log them). */
export function disposeStep(s: StepResult): void {
  tf.dispose([...s.losses, ...(typeof s.gradNorm === 'number' ? [] : [s.gradNorm])]);
}

/**
 * Steps not read yet: their micro-batch losses, and the last one's gradient norm (earlier norms are dropped,
 * as a metrics line logs its own step's). `read` reads them all at once and empties the list.
 */
export class PendingSteps {
  private steps: tf.Scalar[][] = [];
  private norm: number | tf.Scalar = NaN;

  get size(): number {
    return this.steps.length;
  }

  add(s: StepResult): void {
    this.steps.push(s.losses);
    if (typeof this.norm !== 'number') this.norm.dispose();
    this.norm = s.gradNorm;
  }

  read(): Promise<{ losses: number[]; gradNorm: number }> {
    const [steps, norm] = [this.steps, this.norm];
    [this.steps, this.norm] = [[], NaN];
    return readStepValues(steps, norm);
  }

  dispose(): void {
    tf.dispose([...this.steps.flat(), ...(typeof this.norm === 'number' ? [] : [this.norm])]);
    [this.steps, this.norm] = [[], NaN];
  }
}

/**
 * The losses of several steps (each the mean of its micro-batch losses, summed in float64 in micro-batch
 * order) and one gradient norm, read with one asynchronous read; the tensors are disposed.
 */
export async function readStepValues(steps: ReadonlyArray<tf.Scalar[]>, gradNorm: number | tf.Scalar): Promise<{ losses: number[]; gradNorm: number }> {
  const values = await readNumbers([...steps.flat(), gradNorm]);
  let k = 0;
  const losses = steps.map((micro) => {
    let sum = 0;
    for (let i = 0; i < micro.length; i++) sum += values[k++]!;
    return sum / micro.length;
  });
  return { losses, gradNorm: values[k]! };
}
