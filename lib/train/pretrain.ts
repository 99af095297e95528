/**
 * Base-model pretraining: the tiny decoder learns the domain's language from unlabeled text (source and
 * target texts packed into fixed blocks, nanoGPT-style) before any PEFT comparison, since adapters on a
 * random base compare nothing. The result is cached under a folder keyed by
 * sha256(model config, tokenizer, data, train config, block size, seed): any experiment asking for the same
 * base reuses it. The cache entry holds `weights.safetensors` (neutral names), `tokenizer.json` and
 * `meta.json` (written last: an entry without it is not a cache hit). Work happens in a `.partial-<key>`
 * folder with checkpoints, so an interrupted pretraining resumes, and the finished folder is renamed into
 * place in one step. A per-entry lock file makes concurrent requests for one base wait and reuse it.
 *
 * @example
 * const base = await pretrainBase({ model: config, tokenizer: tok, texts: domainTexts(train), train: TrainSchema.parse({ steps: 300, lr: 3e-3 }), seed: 0, cacheRoot: 'cache/base' });
 * const model = await buildModel(config, base.weights, { method: 'lora', ... }, 'fp32', seed);
 */
import { existsSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerLabError } from '../errors.ts';
import {
  Gpt, initWeights, type Weights, type GptConfig, readSafetensors, tensorFromArray, toTypedArray, writeSafetensors,
  type SafeTensor,
} from '../model/index.ts';
import { type Example, type Tokenizer, loadTokenizer, saveTokenizer, packTexts, packSequences } from '../data/index.ts';
import { sha256, sha256Json, writeJsonAtomic, withFileLock, type LockOwner } from '../util/index.ts';
import type { TrainConfig } from './config.ts';
import { trainLoop } from './loop.ts';

/** 2: the data may be token sequences (`sequences`), hashed with their kind. */
export const PRETRAIN_CACHE_VERSION = 2;

export interface PretrainOptions {
  model: GptConfig;
  tokenizer: Tokenizer;
  /** Unlabeled domain text (see `domainTexts`), each followed by <eos>. Exactly one of texts and sequences. */
  texts?: readonly string[];
  /** Token sequences packed as they are (see `taskSequences`: the training examples in the fine-tuning format). */
  sequences?: readonly (readonly number[])[];
  /** Optimizer, schedule, steps, batch size, logging; maxSource/maxTarget/padding are unused (blocks are packed). */
  train: TrainConfig;
  /** Tokens per training block; default the model's context. */
  blockSize?: number;
  seed: number;
  /** Folder holding cache entries (one subfolder per key). */
  cacheRoot: string;
  /** Fraction of blocks held out for the eval loss recorded in meta.json (default 0.05, at least one block). */
  evalFraction?: number;
  quiet?: boolean;
  onLog?: (line: Record<string, unknown>) => void;
}

export interface PretrainMeta {
  version: number;
  key: string;
  model: GptConfig;
  train: TrainConfig;
  blockSize: number;
  seed: number;
  tokenizerSha256: string;
  dataSha256: string;
  /** Texts or sequences pretrained on. */
  texts: number;
  /** 'sequences' when the base was pretrained on token sequences (absent: texts). */
  data?: 'sequences';
  blocks: { train: number; eval: number };
  finalLoss: number;
  evalLoss?: number;
  evalPerplexity?: number;
  seconds: number;
  createdAt: string;
}

export interface PretrainedBase {
  weights: Weights;
  tokenizer: Tokenizer;
  dir: string;
  key: string;
  /** True when the cache already held this base. */
  reused: boolean;
  meta: PretrainMeta;
}

/** The unlabeled text of a dataset for pretraining: every source and every reference, in order. */
export function domainTexts(examples: readonly Pick<Example, 'source' | 'references'>[]): string[] {
  return examples.flatMap((e) => [e.source, ...e.references]);
}

/**
 * The pretraining data of examples in the fine-tuning format: `<bos> source <sep> target <eos>` per training
 * example, so the base learns that a prompt is followed by copy about it (AdvertiseGen's attributes → ad).
 */
export function taskSequences(train: readonly { prompt: readonly number[]; target: readonly number[] }[]): number[][] {
  return train.map((e) => [...e.prompt, ...e.target]);
}

function pretrainData(o: Pick<PretrainOptions, 'texts' | 'sequences'>): { kind: 'texts' | 'sequences'; sha256: string; count: number } {
  if ((o.texts === undefined) === (o.sequences === undefined)) {
    throw new LedgerLabError({ kind: 'usage', problem: 'pretraining needs exactly one of texts and sequences', where: 'pretrainBase options' });
  }
  if (o.texts) return { kind: 'texts', sha256: sha256(o.texts.join('\u0000')), count: o.texts.length };
  return { kind: 'sequences', sha256: sha256(o.sequences!.map((q) => q.join(',')).join('\n')), count: o.sequences!.length };
}

/** The cache key (sha256 hex) of a pretraining request. */
export function pretrainKey(o: Pick<PretrainOptions, 'model' | 'tokenizer' | 'texts' | 'sequences' | 'train' | 'blockSize' | 'seed'>): string {
  const d = pretrainData(o);
  return sha256Json({
    version: PRETRAIN_CACHE_VERSION,
    model: o.model,
    tokenizer: sha256Json(o.tokenizer.toJSON()),
    data: d.kind === 'texts' ? d.sha256 : { sequences: d.sha256 },
    train: o.train,
    blockSize: o.blockSize ?? o.model.context,
    seed: o.seed,
  });
}

export function weightsToSafetensors(w: Weights): Map<string, SafeTensor> {
  return new Map([...w].map(([name, t]) => [name, tensorFromArray('F32', t.shape, t.data)]));
}

export function readWeights(path: string): Weights {
  const out: Weights = new Map();
  for (const [name, t] of readSafetensors(path).tensors) {
    if (t.dtype !== 'F32') throw new LedgerLabError({ kind: 'data', problem: `tensor "${name}" is ${t.dtype}, expected F32`, where: path });
    out.set(name, { shape: t.shape, data: toTypedArray(t) as Float32Array });
  }
  return out;
}

/** Loads a cache entry (weights, tokenizer, meta) from its folder. */
export function loadCachedBase(dir: string): Omit<PretrainedBase, 'reused'> {
  const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as PretrainMeta;
  return { weights: readWeights(join(dir, 'weights.safetensors')), tokenizer: loadTokenizer(join(dir, 'tokenizer.json')), dir, key: meta.key, meta };
}

function cacheHit(dir: string, key: string): PretrainedBase | undefined {
  if (!existsSync(join(dir, 'meta.json'))) return undefined;
  const hit = loadCachedBase(dir);
  if (hit.key !== key) {
    throw new LedgerLabError({ kind: 'data', problem: `cache entry holds key ${hit.key.slice(0, 16)}… but the request hashes to ${key.slice(0, 16)}…`, where: join(dir, 'meta.json'), hint: 'a 64-bit prefix collision or an edited entry: delete the folder' });
  }
  return { ...hit, reused: true };
}

/**
 * Returns the cached base for these inputs, pretraining (full fine-tuning from a seeded init) if needed.
 * Building an entry holds a lock (`.lock-<key>` beside it): a second process asking for the same base waits
 * for the first, then reuses its entry instead of training into the same `.partial-<key>` folder.
 */
export async function pretrainBase(o: PretrainOptions): Promise<PretrainedBase> {
  const key = pretrainKey(o);
  const dir = join(o.cacheRoot, `base-${key.slice(0, 16)}`);
  const early = cacheHit(dir, key);
  if (early) return early;
  const onWait = (owner: LockOwner) => {
    if (!o.quiet) console.error(`pretrain: waiting for pid ${owner.pid} (${owner.host}), which is building ${dir}`);
  };
  return withFileLock(join(o.cacheRoot, `.lock-${key.slice(0, 16)}`), async () => cacheHit(dir, key) ?? build(o, key, dir), { onWait });
}

async function build(o: PretrainOptions, key: string, dir: string): Promise<PretrainedBase> {
  const blockSize = o.blockSize ?? o.model.context;
  if (blockSize > o.model.context) throw new LedgerLabError({ kind: 'config', problem: `blockSize ${blockSize} exceeds the model's context ${o.model.context}`, where: 'pretrain.blockSize' });
  if (o.tokenizer.vocabSize !== o.model.vocab) throw new LedgerLabError({ kind: 'config', problem: `the tokenizer has ${o.tokenizer.vocabSize} tokens but the model's vocab is ${o.model.vocab}`, where: 'model.vocab', hint: 'set model.vocab to the tokenizer size' });
  const data = pretrainData(o);
  const blocks = o.sequences ? packSequences(o.sequences, blockSize) : packTexts(o.tokenizer, o.texts!, blockSize);
  const nEval = o.evalFraction === 0 ? 0 : Math.max(1, Math.round(blocks.length * (o.evalFraction ?? 0.05)));
  if (blocks.length - nEval < 1) throw new LedgerLabError({ kind: 'data', problem: `${data.count} ${data.kind} pack into only ${blocks.length} blocks of ${blockSize} tokens`, where: 'pretrain data', hint: 'supply more text or a smaller blockSize' });
  // Held-out blocks are the last ones (the packed stream's tail), so they never overlap training blocks.
  const train = blocks.slice(0, blocks.length - nEval);
  const held = blocks.slice(blocks.length - nEval);

  const work = join(o.cacheRoot, `.partial-${key.slice(0, 16)}`);
  const t0 = performance.now();
  const model = Gpt.fromWeights(o.model, initWeights(o.model, `${o.seed}:pretrain-init`), { trainable: true });
  try {
    const config: TrainConfig = { ...o.train, maxSource: 0, maxTarget: blockSize, padding: 'longest' };
    const r = await trainLoop({
      model, config, train, eval: held.length ? held : undefined, padId: o.tokenizer.special.pad, seed: o.seed,
      metricsPath: join(work, 'metrics.jsonl'), checkpointDir: work, resume: true, quiet: o.quiet, onLog: o.onLog, label: 'pretrain',
    });
    const weights = await model.exportWeights();
    writeSafetensors(join(work, 'weights.safetensors'), weightsToSafetensors(weights));
    saveTokenizer(o.tokenizer, join(work, 'tokenizer.json'));
    const meta: PretrainMeta = {
      version: PRETRAIN_CACHE_VERSION, key, model: o.model, train: o.train, blockSize, seed: o.seed,
      tokenizerSha256: sha256Json(o.tokenizer.toJSON()), dataSha256: data.sha256, texts: data.count, ...(o.sequences ? { data: 'sequences' as const } : {}),
      blocks: { train: train.length, eval: held.length }, finalLoss: r.lastLoss, evalLoss: r.finalEval?.loss, evalPerplexity: r.finalEval?.perplexity,
      seconds: (performance.now() - t0) / 1000, createdAt: new Date().toISOString(),
    };
    rmSync(join(work, 'checkpoint.safetensors'), { force: true });
    writeJsonAtomic(join(work, 'meta.json'), meta);
    rmSync(dir, { recursive: true, force: true }); // a leftover without meta.json is no entry
    renameSync(work, dir); // under the lock: nobody else builds this entry
    return { weights, tokenizer: o.tokenizer, dir, key, reused: false, meta };
  } finally {
    model.dispose();
  }
}
