/**
 * Teacher-forced loss on held-out examples: the same batching and loss as training (dropout off), averaged
 * over target tokens across the whole split (not a mean of batch means, so the padding strategy and batch
 * size do not change it), and its perplexity exp(loss). The batch losses stay on the device until the end and
 * are read with one asynchronous read (a GPU backend has no cheap synchronous one).
 */
import * as tf from '@tensorflow/tfjs';
import type { Gpt } from '../model/index.ts';
import { collate, shiftedLabels, IGNORE_INDEX, type PaddingStrategy, type EncodedExample } from '../data/index.ts';
import { readNumbers } from '../runtime/index.ts';

export interface EvalLossOptions {
  batchSize: number;
  padding: PaddingStrategy;
  maxSource: number;
  maxTarget: number;
  padId: number;
  /** Only the first N batches (0 or undefined: all). */
  maxBatches?: number;
}

export interface EvalLoss {
  loss: number;
  perplexity: number;
  /** Target tokens the loss averages over. */
  tokens: number;
  examples: number;
}

/**
 * @example
 * const { loss, perplexity } = await evalLoss(model, encodedEval, { batchSize: 8, padding: 'longest', maxSource: 64, maxTarget: 64, padId: 0 });
 */
export async function evalLoss(model: Gpt, examples: readonly EncodedExample[], o: EvalLossOptions): Promise<EvalLoss> {
  const losses: tf.Scalar[] = [];
  const counts: number[] = [];
  let n = 0;
  for (let i = 0, b = 0; i < examples.length && (!o.maxBatches || b < o.maxBatches); i += o.batchSize, b++) {
    const batch = collate(examples.slice(i, i + o.batchSize), { padding: o.padding, maxSource: o.maxSource, maxTarget: o.maxTarget, padId: o.padId });
    const targets = shiftedLabels(batch);
    let count = 0;
    for (const t of targets) if (t !== IGNORE_INDEX) count++;
    losses.push(tf.tidy(() => model.loss(tf.tensor2d(batch.inputIds, batch.shape, 'int32'), targets)));
    counts.push(count);
    n += batch.shape[0];
  }
  const values = await readNumbers(losses);
  let sum = 0;
  let tokens = 0;
  values.forEach((loss, b) => {
    sum += loss * counts[b]!;
    tokens += counts[b]!;
  });
  const loss = tokens === 0 ? NaN : sum / tokens;
  return { loss, perplexity: Math.exp(loss), tokens, examples: n };
}
