/**
 * Throughput of one recipe on the task's real batches: build the model from the shared base, run the
 * training loop (AdamW, clipping, the recipe's padding and checkpointing) and time its steps after warm-up.
 * Samples/s is samples over wall time of the timed steps, the way the claim's samples/s is defined.
 */
import { buildModel } from '../../peft/index.ts';
import type { GptConfig } from '../../model/index.ts';
import type { Weights } from '../../model/index.ts';
import { trainLoop } from '../../train/index.ts';
import { trainConfig } from '../../train/index.ts';
import type { Task } from '../task.ts';
import type { Recipe } from './config.ts';

export interface Throughput {
  samplesPerS: number;
  /** Real (non-pad) tokens per second, and every processed position (pads included) per second. */
  tokensPerS: number;
  paddedTokensPerS: number;
  /** Per-step wall times of the timed steps, ms. */
  stepMs: number[];
  trainableParams: number;
}

export async function measureThroughput(o: {
  config: GptConfig; base: Weights; task: Task; recipe: Recipe; batchSize: number; warmup: number; steps: number; seed: number;
}): Promise<Throughput> {
  const model = await buildModel(o.config, o.base, o.recipe.method, o.recipe.quant, o.seed);
  try {
    const tc = trainConfig({
      steps: o.warmup + o.steps, batchSize: o.batchSize, lr: o.recipe.lr, padding: o.recipe.padding, checkpoint: o.recipe.checkpoint,
      maxSource: o.task.limits.maxSource, maxTarget: o.task.limits.maxTarget, schedule: 'constant', logEvery: 1_000_000,
    });
    const padId = o.task.tokenizer.special.pad;
    const r = await trainLoop({ model, config: tc, train: o.task.train, padId, seed: o.seed, quiet: true });
    // What each step trained on, counted by the loop itself (aligned with its step times).
    const samples = r.batches.map((b) => b.samples), real = r.batches.map((b) => b.realTokens), padded = r.batches.map((b) => b.paddedTokens);
    const timed = r.stepMs.slice(o.warmup);
    const seconds = timed.reduce((a, b) => a + b, 0) / 1000;
    const sum = (xs: number[]) => xs.slice(o.warmup).reduce((a, b) => a + b, 0);
    return {
      samplesPerS: sum(samples) / seconds, tokensPerS: sum(real) / seconds, paddedTokensPerS: sum(padded) / seconds,
      stepMs: timed, trainableParams: model.trainableParams(),
    };
  } finally {
    model.dispose();
  }
}
