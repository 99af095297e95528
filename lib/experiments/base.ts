/**
 * The pretrained base every PEFT experiment starts from: its config schema, its cache folder, and the task +
 * base of a config, prepared once (kinds call `taskAndBase` from `prepare` before parallel workers start, and
 * again from `run`, where it is a cache hit).
 */
import { type DataConfig, prepareTask } from './task.ts';
import {
  GptConfigSchema, type GptConfig, loadPretrained, materialize, checkpointDigests, sha256File, type Pretrained, Gpt,
  type NeutralTensor, type WeightSource,
} from '../model/index.ts';
import { loadPeftAdapter, readPeftConfig, ADAPTER_CONFIG, ADAPTER_WEIGHTS } from '../peft/index.ts';
import { LedgerLabError } from '../errors.ts';
import { hfTaskTokenizer } from '../data/index.ts';
import { sha256 } from '../util/index.ts';
import { pretrainBase, domainTexts, taskSequences, trainConfig } from '../train/index.ts';
import { initBackend } from '../runtime/index.ts';
import { s, type Infer, type Schema } from '../config/index.ts';
import { basename, join } from 'node:path';
import { packageRoot } from '../paths.ts';

/** Pretrained bases, one folder per config hash, shared by every experiment (git-ignored); LEDGERLAB_CACHE moves the cache. */
export const BASE_CACHE = join(process.env.LEDGERLAB_CACHE || join(packageRoot, '.cache'), 'base');

/** Held-out generation of a quality run (speedup and qlora kinds; lib/experiments/quality.ts). */
export const QualityEvalSchema = s.object({
  count: s.int({ min: 1 }).default(48).describe('eval examples generated and scored'),
  maxNew: s.int({ min: 1 }).default(96).describe('generated tokens at most'),
  noRepeatNgram: s.int({ min: 0 }).default(0).describe("greedy decoding never repeats an n-gram of this size within a generation (0 = off; transformers' no_repeat_ngram_size without the prompt)"),
});

const pretrainShape = {
  steps: s.int({ min: 1 }).default(300),
  batchSize: s.int({ min: 1 }).default(16),
  lr: s.number({ exclusiveMin: 0 }).default(3e-3),
  warmupSteps: s.int({ min: 0 }).default(20),
  blockSize: s.int({ min: 8 }).default(128).describe('tokens per packed pretraining block'),
  seed: s.int({ min: 0 }).default(0).describe('the base is part of the task: one base for every run seed'),
};

/** Pretraining on domain text (the drift kind's base learns the clean production language). */
export const PretrainSchema = s.object(pretrainShape);

/**
 * Pretraining of the task kinds (finetune, speedup, qlora). 'pairs' packs each training example as the
 * fine-tuning sees it (<bos> source <sep> target <eos>): a base that only saw sources and targets apart
 * learned the ad language but not that the copy follows from its attributes, and 40 adapter steps on top
 * gave the same ad for every prompt. Held-out examples are never pretrained on either way.
 */
export const TaskPretrainSchema = s.object({
  ...pretrainShape,
  data: s.enum(['pairs', 'text'] as const).default('pairs')
    .describe("'pairs' = the training examples in the fine-tuning format; 'text' = sources and targets as separate texts"),
});

export type PretrainConfig = Infer<typeof TaskPretrainSchema>;

/** A checkpoint the user brings: a transformers directory (config.json + safetensors + tokenizer.json). */
export const HfModelRefSchema = s.object({
  from: s.literal('hf').describe('"hf": a Hugging Face checkpoint directory'),
  path: s.string().describe('the directory (config.json, model.safetensors or its index, tokenizer.json)'),
  adapter: s.string().optional().describe('a PEFT LoRA adapter folder (adapter_config.json + adapter_model.safetensors) merged into the base before training'),
});
export type HfModelRef = Infer<typeof HfModelRefSchema>;
export type ModelSpec = GptConfig | HfModelRef;

export function isHfRef(m: ModelSpec): m is HfModelRef {
  return (m as HfModelRef).from === 'hf';
}

/** The model section of a PEFT experiment: the built-in base's shape, or {"from": "hf", "path": DIR}. */
export function modelSpecSchema(fallback: GptConfig) {
  return s.select<ModelSpec>('a model config, or {"from": "hf", "path": DIR}',
    (v) => (v !== null && typeof v === 'object' && 'from' in v ? HfModelRefSchema : GptConfigSchema), [GptConfigSchema, HfModelRefSchema] as Schema<ModelSpec>[]).default(fallback);
}

/** What a run records about a checkpoint it did not pretrain: where it came from and its files' sha256. */
export interface CheckpointRecord {
  from: 'hf';
  path: string;
  modelType: string;
  files: Array<{ file: string; bytes: number; sha256: string }>;
}

/** The task tokenized with the checkpoint's own tokenizer, and the checkpoint as the base (nothing pretrained). */
async function taskAndCheckpoint(c: { data: DataConfig; model: HfModelRef }) {
  const p = loadPretrained(c.model.path);
  const task = await prepareTask(c.data, hfTaskTokenizer(c.model.path, p.config.vocab));
  const files = checkpointDigests(p).map((d) => ({ ...d, file: basename(d.file) }));
  if (c.model.adapter) files.push(...[ADAPTER_CONFIG, ADAPTER_WEIGHTS].map((f) => ({ ...sha256File(join(c.model.adapter!, f)), file: `adapter/${f}` })));
  const checkpoint: CheckpointRecord = { from: 'hf', path: c.model.path, modelType: p.modelType, files };
  const key = sha256(JSON.stringify(files));
  // finalLoss: the checkpoint's own pretraining is not ours to report.
  // `source` reads the checkpoint one tensor per get (what buildModel needs; nothing held between runs);
  // `weights` is the whole fp32 Map, made on first use only (kinds that re-read tensors): on the 0.5B shape
  // it is 2 GB that a finetune run kept alive next to the model's own copies.
  const merged = c.model.adapter ? await baseWeightsWithAdapter(p, c.model.adapter) : undefined;
  let all: Map<string, NeutralTensor> | undefined = merged;
  const pt = {
    get weights(): Map<string, NeutralTensor> { return (all ??= materialize(p.weights)); },
    source: (merged ?? p.weights) as WeightSource | undefined,
    key, reused: true, meta: { finalLoss: Number.NaN, evalLoss: undefined as number | undefined }, checkpoint,
  };
  return { task, model: p.config, pt };
}

/**
 * The checkpoint's weights with a PEFT LoRA adapter merged in (W + scale·BA): what the base computes under
 * the adapter, as plain weights a new method can train on. Prompt-learning adapters add virtual tokens or a
 * prefix, not weights, so they cannot become a base.
 */
export async function baseWeightsWithAdapter(p: Pretrained, adapterDir: string): Promise<Map<string, NeutralTensor>> {
  const cfg = readPeftConfig(adapterDir);
  if (cfg.peft_type !== 'LORA') {
    throw new LedgerLabError({ kind: 'config', problem: `a ${cfg.peft_type} adapter cannot be merged into the base weights`, where: 'model.adapter', hint: 'only LoRA adapters merge; load prompt-learning adapters with ledgerlab generate --adapter' });
  }
  const m = Gpt.fromWeights(p.config, p.weights);
  try {
    const { warnings } = await loadPeftAdapter(m, adapterDir, p.modelType);
    for (const w of warnings) console.error(`warning: ${w}`);
    return await m.exportWeights();
  } finally {
    m.dispose();
  }
}

export async function taskAndBase(c: { data: DataConfig; model: ModelSpec; pretrain: PretrainConfig }, verbose: boolean, log?: (line: Record<string, unknown>) => void) {
  await initBackend(); // before the first tensor, or tfjs silently falls back to its slow cpu backend
  if (isHfRef(c.model)) return taskAndCheckpoint({ data: c.data, model: c.model });
  const task = await prepareTask(c.data);
  const model: GptConfig = { ...c.model, vocab: task.tokenizer.vocabSize };
  const pt = await pretrainBase({
    model, tokenizer: task.tokenizer, ...(c.pretrain.data === 'text' ? { texts: domainTexts(task.trainExamples) } : { sequences: taskSequences(task.train) }), seed: c.pretrain.seed, cacheRoot: BASE_CACHE, blockSize: c.pretrain.blockSize, quiet: !verbose,
    train: trainConfig({ steps: c.pretrain.steps, batchSize: c.pretrain.batchSize, lr: c.pretrain.lr, warmupSteps: c.pretrain.warmupSteps, schedule: 'cosine', logEvery: 25 }),
    onLog: log,
  });
  return { task, model, pt: { ...pt, source: undefined as WeightSource | undefined, checkpoint: undefined as CheckpointRecord | undefined } };
}
