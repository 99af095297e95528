/**
 * Training-step arms for the timing engine (lib/measure timeArms), shared by the speedup, scale and qlora kinds:
 * each arm is one recipe on one model, and its step on batch id b is one real training step (lib/train
 * trainStep: forward, backward, clipping, AdamW) on the b-th batch of a BatchIterator seeded by the run's seed.
 * Every arm's iterator has the same seed, so batch id b holds the same examples for every arm (common random
 * numbers; only the recipe's padding of them differs), and the same examples in every round.
 * Arms that differ only in per-step options (padding, checkpointing) share one model and optimizer.
 *
 * @example
 * const set = await trainArms([{ name: 'fast', recipe: fast, config, base }, …], task, 4, 2, seed);
 * const r = await timeArms(set.arms, { seed, batches: 2, ratios: [ratioOf('fast', 'slow')] });
 * set.dispose();
 */
import { buildModel } from '../../peft/index.ts';
import type { Gpt, GptConfig, Weights } from '../../model/index.ts';
import { AdamW, disposeStep, readStepValues, trainConfig, trainStep } from '../../train/index.ts';
import { BatchIterator } from '../../data/index.ts';
import { Rng } from '../../util/index.ts';
import type { Arm } from '../../measure/index.ts';
import type { Recipe } from './config.ts';
import type { Task } from '../task.ts';

export interface TrainArmSpec {
  name: string;
  recipe: Recipe;
  config: GptConfig;
  base: Weights;
  /** Arms of one group with the same method and storage share a model (default: one group). */
  group?: string;
}

export interface BatchShape { batchSize: number; realTokens: number; paddedLength: number }

export interface TrainArmSet {
  arms: Arm[];
  /** Per arm, per batch id: what the batch holds under the arm's padding. */
  batches: BatchShape[][];
  trainableParams: number[];
  dispose(): void;
}

interface Shared { model: Gpt; opt: AdamW }

/** Builds the arms (models built here, untimed). */
export async function trainArms(specs: readonly TrainArmSpec[], task: Task, batchSize: number, k: number, seed: number): Promise<TrainArmSet> {
  const shared = new Map<string, Shared>();
  const arms: Arm[] = [];
  const batches: BatchShape[][] = [];
  const trainable: number[] = [];
  const dispose = () => {
    for (const s of shared.values()) {
      s.opt.dispose();
      s.model.dispose();
    }
  };
  try {
    for (const spec of specs) {
      const key = JSON.stringify([spec.group ?? '', spec.recipe.method, spec.recipe.quant]);
      let s = shared.get(key);
      if (!s) {
        const model = await buildModel(spec.config, spec.base, spec.recipe.method, spec.recipe.quant, seed);
        s = { model, opt: new AdamW(model.trainable, { betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0 }) };
        shared.set(key, s);
      }
      const arm = trainArm(spec, s, task, batchSize, k, seed);
      arms.push(arm.arm);
      batches.push(arm.batches);
      trainable.push(s.model.trainableParams());
    }
  } catch (err) {
    dispose();
    throw err;
  }
  return { arms, batches, trainableParams: trainable, dispose };
}

/**
 * The k fixed batches of a recipe (the run's seed decides the examples; the recipe only their padding): an
 * iterator, its position before each batch, and what each batch holds. No model needed (the held-out rung's
 * prediction counts its batches before it is ever measured).
 */
export function fixedBatches(task: Task, padding: Recipe['padding'], batchSize: number, k: number, seed: number) {
  const it = new BatchIterator(task.train, { batchSize, seed, padding, maxSource: task.limits.maxSource, maxTarget: task.limits.maxTarget, padId: task.tokenizer.special.pad });
  // The iterator's position before each of the k batches: step(b) rewinds to it, so batch id b is always the same batch.
  const states: ReturnType<BatchIterator['state']>[] = [];
  const batches: BatchShape[] = Array.from({ length: k }, () => {
    states.push(it.state());
    const b = it.next();
    return { batchSize: b.shape[0], realTokens: b.stats.realTokens, paddedLength: b.shape[1] };
  });
  return { it, states, batches };
}

function trainArm(spec: TrainArmSpec, s: Shared, task: Task, batchSize: number, k: number, seed: number): { arm: Arm; batches: BatchShape[] } {
  const { recipe } = spec;
  const config = trainConfig({
    steps: k, batchSize, lr: recipe.lr, padding: recipe.padding, checkpoint: recipe.checkpoint, schedule: 'constant',
    maxSource: task.limits.maxSource, maxTarget: task.limits.maxTarget,
  });
  const { it, states, batches } = fixedBatches(task, recipe.padding, batchSize, k, seed);
  const rng = new Rng(`${seed}:dropout:${spec.name}`);
  return {
    batches,
    arm: {
      name: spec.name,
      // The step ends in reading its loss and gradient norm (asynchronously: a GPU backend queues work, and WebGPU
      // in Node has no synchronous read), so the timed work has really finished; then its tensors are freed.
      step: async (b) => {
        it.restore(states[b]!);
        const r = trainStep({ model: s.model, opt: s.opt, it, rng, config, lr: recipe.lr });
        await readStepValues([r.losses], r.gradNorm);
        disposeStep(r);
      },
      work: (b) => batches[b]!.batchSize,
    },
  };
}
