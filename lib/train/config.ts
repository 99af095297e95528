/**
 * The training config, validated at the edge: every knob of the loop (optimizer, schedule, batching, eval,
 * early stop, checkpoints, logging) in one strict object, so a typo ("warmupStep") fails with its path
 * instead of silently training with a default.
 *
 * @example
 * const cfg = TrainSchema.parse({ steps: 200, lr: 3e-4, warmupSteps: 20, padding: 'max_length' }, 'exp.json (train)');
 * cfg.schedule; // 'cosine' (default)
 */
import { s, type Infer } from '../config/index.ts';
import { TRAIN_ALIASES } from './aliases.ts';

export const TrainSchema = s.object({
  steps: s.int({ min: 1 }).describe('optimizer updates to run'),
  batchSize: s.int({ min: 1 }).default(8).describe('examples per micro-batch'),
  gradAccum: s.int({ min: 1 }).default(1).describe('micro-batches per optimizer update (effective batch = batchSize × gradAccum)'),
  lr: s.number({ exclusiveMin: 0 }).default(1e-3).describe('peak learning rate'),
  minLrRatio: s.number({ min: 0, max: 1 }).default(0).describe('floor of the decayed learning rate, as a fraction of lr'),
  weightDecay: s.number({ min: 0 }).default(0).describe('AdamW decoupled weight decay (applied to matrices only, not biases/LayerNorms)'),
  betas: s.array(s.number({ min: 0, max: 0.999999 }), { min: 2, max: 2 }).default([0.9, 0.999]).describe('AdamW β1, β2'),
  eps: s.number({ exclusiveMin: 0 }).default(1e-8).describe('AdamW ε'),
  warmupSteps: s.int({ min: 0 }).default(0).describe('linear warm-up steps'),
  schedule: s.enum(['constant', 'linear', 'cosine'] as const).default('cosine').describe('learning-rate decay after warm-up'),
  clipNorm: s.number({ min: 0 }).default(1).describe('global gradient-norm clip; 0 disables'),
  padding: s.enum(['longest', 'max_length'] as const).default('longest').describe("'longest' pads each batch to its longest example, 'max_length' pads to maxSource + maxTarget"),
  maxSource: s.int({ min: 2 }).default(64).describe('prompt tokens incl. <bos> and <sep>'),
  maxTarget: s.int({ min: 1 }).default(64).describe('target tokens incl. <eos>'),
  shuffle: s.boolean().default(true).describe('reshuffle the training set every epoch'),
  groupByLength: s.boolean().default(false).describe('bucket similar lengths together (less padding under "longest")'),
  evalEvery: s.int({ min: 0 }).default(0).describe('steps between eval-loss passes; 0 = only at the end'),
  evalBatches: s.int({ min: 0 }).default(0).describe('eval batches per pass; 0 = the whole eval split'),
  earlyStop: s.object({
    patience: s.int({ min: 1 }).describe('evaluations without improvement before stopping'),
    minDelta: s.number({ min: 0 }).default(0).describe('improvement of eval loss that counts'),
  }).optional().describe('stop when eval loss stops improving (needs evalEvery > 0)'),
  checkpointEvery: s.int({ min: 0 }).default(0).describe('steps between checkpoints; 0 = none'),
  logEvery: s.int({ min: 1 }).default(10).describe('steps between metrics.jsonl lines'),
  checkpoint: s.boolean().default(false).describe('gradient checkpointing: recompute block activations in the backward pass'),
}, { aliases: TRAIN_ALIASES });
export type TrainConfig = Infer<typeof TrainSchema>;

/** A full config from partial input with every default filled in (tests, pretraining). */
export function trainConfig(partial: Partial<TrainConfig> & { steps: number }): TrainConfig {
  return TrainSchema.parse(partial);
}
