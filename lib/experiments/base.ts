/**
 * The task and its pretrained base, shared by every run of a config: prepared once (kinds call it from
 * `prepare` before parallel workers start, and again from `run`, where it is a cache hit).
 */
import type { DataConfig } from './task.ts';
import { prepareTask } from './task.ts';
import type { GptConfig } from '../model/config.ts';
import { pretrainBase, domainTexts } from '../train/pretrain.ts';
import { trainConfig } from '../train/config.ts';
import { initBackend } from '../runtime/backend.ts';
import { BASE_CACHE, type PretrainConfig } from './speedup/config.ts';

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
