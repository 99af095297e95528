/**
 * The fine-tuning task every PEFT experiment shares: which examples, how they split, how they tokenize.
 * One schema so that speedup, qlora and drift runs describe their data the same way, and one function from
 * config to encoded train/eval sets with a manifest (source, split hashes, tokenizer hash) for the run record.
 *
 * @example
 * const task = await prepareTask(DataSchema.parse({ source: 'synthetic' }));
 * task.train.length; task.manifest.split.sha256.eval;
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { s, type Infer } from '../config/index.ts';
import { LedgerLabError } from '../errors.ts';
import { paths } from '../paths.ts';
import { sha256 } from '../util/index.ts';
import { loadDataset } from '../data/index.ts';
import { generateAds, adRecordToExample } from '../data/index.ts';
import { split, type SplitManifest } from '../data/index.ts';
import { CharTokenizer } from '../data/index.ts';
import { BpeTokenizer } from '../data/index.ts';
import type { Tokenizer } from '../data/index.ts';
import { encodeExamples, type EncodedExample } from '../data/index.ts';
import type { Example } from '../data/index.ts';

/** The AdvertiseGen sample this workbench is developed against (outside the repo; not redistributed). */
export const ADVERTISEGEN_SAMPLE = join(paths.datasets, 'advertisegen', 'dev-sample.jsonl');

export const DataSchema = s.object({
  source: s.enum(['auto', 'advertisegen', 'synthetic', 'file'] as const).default('auto')
    .describe("'auto' = the AdvertiseGen sample when it exists, else synthetic ad copy; the run's summary records which"),
  path: s.string().optional().describe("dataset file for source 'file' (AdvertiseGen JSONL, E2E CSV or prompt/response JSONL), or another AdvertiseGen file"),
  syntheticCount: s.int({ min: 10 }).default(1200).describe('examples generated for the synthetic source'),
  evalCount: s.int({ min: 1 }).default(48).describe('held-out examples for evaluation (prompts unseen in training)'),
  maxSource: s.int({ min: 2 }).default(64).describe('prompt tokens incl. <bos> and <sep> (ChatGLM max_source_length, scaled)'),
  maxTarget: s.int({ min: 1 }).default(128).describe('target tokens incl. <eos> (ChatGLM max_target_length, scaled)'),
  tokenizer: s.enum(['char', 'bpe'] as const).default('char').describe('char for Chinese, byte-level BPE otherwise'),
  vocab: s.int({ min: 16 }).default(2000).describe('tokenizer vocabulary size, special tokens included'),
});
export type DataConfig = Infer<typeof DataSchema>;

export interface Task {
  tokenizer: Tokenizer;
  limits: { maxSource: number; maxTarget: number };
  train: EncodedExample[];
  eval: EncodedExample[];
  /** The eval examples as text, for generation and scoring. */
  evalExamples: Example[];
  trainExamples: Example[];
  manifest: { source: string; path?: string; examples: number; split: SplitManifest; tokenizerSha256: string; lang: string };
}

async function loadExamples(d: DataConfig): Promise<{ examples: Example[]; source: string; path?: string }> {
  let source = d.source;
  if (source === 'auto') source = existsSync(d.path ?? ADVERTISEGEN_SAMPLE) ? 'advertisegen' : 'synthetic';
  if (source === 'synthetic') {
    // The generator's stream is fixed by its own seed, not the run's: every seed of an experiment sees the same data.
    const examples = generateAds({ seed: 'task', lang: 'zh' }, 0, d.syntheticCount).map((r) => adRecordToExample(r, 'task'));
    return { examples, source };
  }
  const path = d.path ?? (source === 'advertisegen' ? ADVERTISEGEN_SAMPLE : undefined);
  if (!path) throw new LedgerLabError({ kind: 'config', problem: "data.source 'file' needs data.path", where: 'data.path' });
  if (!existsSync(path)) {
    throw new LedgerLabError({ kind: 'io', problem: `dataset file not found: ${path}`, where: 'data.path', hint: "set data.path, or use --set data.source=synthetic for the built-in generator" });
  }
  return { examples: await loadDataset(path, source === 'advertisegen' ? 'advertisegen' : undefined), source, path };
}

export async function prepareTask(d: DataConfig): Promise<Task> {
  const { examples, source, path } = await loadExamples(d);
  if (examples.length <= d.evalCount) {
    throw new LedgerLabError({ kind: 'data', problem: `${examples.length} examples cannot hold out ${d.evalCount} for evaluation`, where: 'data.evalCount' });
  }
  // A fixed split seed: the data split is part of the task, not of the run's randomness.
  const sp = split(examples, { seed: 'task', fractions: { train: 1 - d.evalCount / examples.length, eval: d.evalCount / examples.length, test: 0 }, groupBy: 'source' });
  const corpus = sp.train.flatMap((e) => [e.source, e.target]);
  const tokenizer: Tokenizer = d.tokenizer === 'char' ? CharTokenizer.train(corpus, { vocabSize: d.vocab }) : BpeTokenizer.train(corpus, { vocabSize: d.vocab });
  const limits = { maxSource: d.maxSource, maxTarget: d.maxTarget };
  return {
    tokenizer,
    limits,
    train: encodeExamples(tokenizer, sp.train, limits),
    eval: encodeExamples(tokenizer, sp.eval, limits),
    evalExamples: sp.eval,
    trainExamples: sp.train,
    manifest: {
      source, ...(path ? { path } : {}), examples: examples.length, split: sp.manifest,
      tokenizerSha256: sha256(JSON.stringify(tokenizer.toJSON())), lang: examples[0]?.lang ?? 'zh',
    },
  };
}

