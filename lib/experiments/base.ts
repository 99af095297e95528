/**
 * The pretrained base every PEFT experiment starts from: its config schema, its cache folder, and the task +
 * base of a config, prepared once (kinds call `taskAndBase` from `prepare` before parallel workers start, and
 * again from `run`, where it is a cache hit).
 */
import type { DataConfig } from './task.ts';
import { prepareTask } from './task.ts';
import type { GptConfig } from '../model/index.ts';
import { pretrainBase, domainTexts } from '../train/index.ts';
import { trainConfig } from '../train/index.ts';
import { initBackend } from '../runtime/index.ts';
import { s, type Infer } from '../config/index.ts';
import { join } from 'node:path';
import { packageRoot } from '../paths.ts';

/** Pretrained bases, one folder per config hash, shared by every experiment (git-ignored); LEDGERLAB_CACHE moves the cache. */
export const BASE_CACHE = join(process.env.LEDGERLAB_CACHE || join(packageRoot, '.cache'), 'base');

/** Held-out generation of a quality run (speedup and qlora kinds; lib/experiments/quality.ts). */
export const QualityEvalSchema = s.object({
  count: s.int({ min: 1 }).default(48).describe('eval examples generated and scored'),
  maxNew: s.int({ min: 1 }).default(96).describe('generated tokens at most'),
});

export const PretrainSchema = s.object({
  steps: s.int({ min: 1 }).default(300),
  batchSize: s.int({ min: 1 }).default(16),
  lr: s.number({ exclusiveMin: 0 }).default(3e-3),
  warmupSteps: s.int({ min: 0 }).default(20),
  blockSize: s.int({ min: 8 }).default(128).describe('tokens per packed pretraining block'),
  seed: s.int({ min: 0 }).default(0).describe('the base is part of the task: one base for every run seed'),
});

export type PretrainConfig = Infer<typeof PretrainSchema>;

export async function taskAndBase(c: { data: DataConfig; model: GptConfig; pretrain: PretrainConfig }, verbose: boolean, log?: (line: Record<string, unknown>) => void) {
  await initBackend(); // before the first tensor, or tfjs silently falls back to its slow cpu backend
  const task = await prepareTask(c.data);
  const model: GptConfig = { ...c.model, vocab: task.tokenizer.vocabSize };
  const pt = await pretrainBase({
    model, tokenizer: task.tokenizer, texts: domainTexts(task.trainExamples), seed: c.pretrain.seed, cacheRoot: BASE_CACHE, blockSize: c.pretrain.blockSize, quiet: !verbose,
    train: trainConfig({ steps: c.pretrain.steps, batchSize: c.pretrain.batchSize, lr: c.pretrain.lr, warmupSteps: c.pretrain.warmupSteps, schedule: 'cosine', logEvery: 25 }),
    onLog: log,
  });
  return { task, model, pt };
}
