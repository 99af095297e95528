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
import {
  loadDataset, detectFormat, DATASET_FORMATS, chatRenderer, datasetInfoEntry, TEMPLATE_NAMES, generateAds,
  adRecordToExample, split, type SplitManifest, CharTokenizer, BpeTokenizer, type Tokenizer, encodeExamples,
  type EncodedExample, type Example,
} from '../data/index.ts';

/** The AdvertiseGen sample this workbench is developed against (outside the repo; not redistributed). */
export const ADVERTISEGEN_SAMPLE = join(paths.datasets, 'advertisegen', 'dev-sample.jsonl');

export const DataSchema = s.object({
  source: s.enum(['auto', 'advertisegen', 'synthetic', 'file'] as const).default('auto')
    .describe("'auto' = data.path (or data.datasetInfo) if set (it must exist; its format detected unless data.format says), else the AdvertiseGen sample when it exists, else synthetic ad copy (said on stderr); the run's summary records which"),
  path: s.string().optional().describe("dataset file for source 'file' (AdvertiseGen JSONL, E2E CSV, prompt/response, alpaca or sharegpt as JSONL or a JSON array), or another AdvertiseGen file"),
  format: s.enum(['auto', ...DATASET_FORMATS] as const).default('auto').describe("the file's format; 'auto' detects it from the first record"),
  datasetInfo: s.string().optional().describe("a LLaMA-Factory dataset_info.json; with data.dataset, gives the file, its formatting and column/tag maps"),
  dataset: s.string().optional().describe('the entry of data.datasetInfo to use'),
  columns: s.record(s.string()).default({}).describe("dataset_info.json-style column map (alpaca: prompt, query, response, system, history; sharegpt: messages, system)"),
  tags: s.record(s.string()).default({}).describe('dataset_info.json-style tag map for sharegpt (role_tag, content_tag, user_tag, assistant_tag, system_tag)'),
  template: s.enum(TEMPLATE_NAMES).default('empty').describe("how chat data (alpaca, sharegpt) becomes prompt text: a LLaMA-Factory template by name, or 'tokenizer' for the model's own chat template"),
  chatTemplate: s.string().optional().describe("the model folder (or tokenizer_config.json) whose chat_template 'tokenizer' renders"),
  syntheticCount: s.int({ min: 10 }).default(1200).describe('examples generated for the synthetic source'),
  evalCount: s.int({ min: 1 }).default(48).describe('held-out examples for evaluation (prompts unseen in training)'),
  maxSource: s.int({ min: 2 }).default(64).describe('prompt tokens incl. <bos> and <sep> (ChatGLM max_source_length, scaled)'),
  maxTarget: s.int({ min: 1 }).default(128).describe('target tokens incl. <eos> (ChatGLM max_target_length, scaled)'),
  tokenizer: s.enum(['char', 'bpe'] as const).default('char').describe('char for Chinese, byte-level BPE otherwise'),
  vocab: s.int({ min: 16 }).default(2000).describe('tokenizer vocabulary size, special tokens included'),
  maxLineBytes: s.int({ min: 1 }).optional().describe('longest dataset line accepted, in bytes (default: env LEDGERLAB_MAX_LINE_BYTES, else 1 MiB)'),
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
  /** `fallback`: why 'auto' used synthetic data (the real sample was not found). */
  manifest: { source: string; path?: string; fallback?: string; examples: number; split: SplitManifest; tokenizerSha256: string; lang: string };
}

/**
 * Which data a config means. A path the user gave must exist — a typo must not silently become synthetic
 * data; 'auto' falls back to the generator only when no path was given and the shared sample is absent,
 * and says so (stderr, and `fallback` in the manifest).
 */
async function loadExamples(d: DataConfig): Promise<{ examples: Example[]; source: string; path?: string; fallback?: string }> {
  let source = d.source;
  let fallback: string | undefined;
  if (d.path !== undefined && source !== 'synthetic' && !existsSync(d.path)) {
    throw new LedgerLabError({
      kind: 'io', problem: `dataset file not found: ${d.path}`, where: 'data.path',
      hint: `check the path (relative paths are resolved from ${process.cwd()}); remove data.path to use ${source === 'auto' ? "'auto' (the AdvertiseGen sample, else synthetic data)" : 'the default'}, or --set data.source=synthetic`,
    });
  }
  if (source === 'auto') {
    // A dataset_info entry, or a path with an explicit format other than AdvertiseGen, is a file of its own.
    if (d.datasetInfo || (d.path !== undefined && d.format !== 'auto' && d.format !== 'advertisegen')) source = 'file';
    else if (d.path !== undefined) source = detectFormat(d.path) === 'advertisegen' ? 'advertisegen' : 'file';
    else if (existsSync(ADVERTISEGEN_SAMPLE)) source = 'advertisegen';
    else {
      source = 'synthetic';
      fallback = `the AdvertiseGen sample ${ADVERTISEGEN_SAMPLE} was not found`;
      console.error(`note: data.source 'auto': ${fallback}, so this run trains on synthetic ad copy (set data.path or LEDGERLAB_DATASETS for real data)`);
    }
  }
  if (source === 'synthetic') {
    // The generator's stream is fixed by its own seed, not the run's: every seed of an experiment sees the same data.
    const examples = generateAds({ seed: 'task', lang: 'zh' }, 0, d.syntheticCount).map((r) => adRecordToExample(r, 'task'));
    return { examples, source, ...(fallback ? { fallback } : {}) };
  }
  const info = d.datasetInfo ? datasetInfoEntry(d.datasetInfo, d.dataset ?? '') : undefined;
  if (d.datasetInfo && !d.dataset) throw new LedgerLabError({ kind: 'config', problem: 'data.datasetInfo needs data.dataset (the entry to use)', where: 'data.dataset' });
  const path = info?.path ?? d.path ?? (source === 'advertisegen' ? ADVERTISEGEN_SAMPLE : undefined);
  if (!path) throw new LedgerLabError({ kind: 'config', problem: "data.source 'file' needs data.path", where: 'data.path' });
  if (!existsSync(path)) {
    throw new LedgerLabError({ kind: 'io', problem: `dataset file not found: ${path}`, where: 'data.source', hint: 'set LEDGERLAB_DATASETS to the folder holding advertisegen/dev-sample.jsonl, set data.path, or use --set data.source=synthetic for the built-in generator' });
  }
  const format = source === 'advertisegen' ? 'advertisegen' : info?.format ?? (d.format === 'auto' ? undefined : d.format);
  const examples = await loadDataset(path, format, {
    renderer: chatRenderer(d.template, d.chatTemplate), columns: { ...info?.columns, ...d.columns }, tags: { ...info?.tags, ...d.tags }, maxLineBytes: d.maxLineBytes,
  });
  return { examples, source, path };
}

/** `tokenizer`: use this one (a checkpoint's) instead of training one on the training split. */
export async function prepareTask(d: DataConfig, given?: Tokenizer): Promise<Task> {
  const { examples, source, path, fallback } = await loadExamples(d);
  if (examples.length === 0) {
    throw new LedgerLabError({ kind: 'data', problem: 'the dataset has no examples', where: path ? `${path}:1` : 'data.source', hint: 'a dataset holds one record per line (blank lines are skipped)' });
  }
  if (examples.length <= d.evalCount) {
    throw new LedgerLabError({ kind: 'data', problem: `${examples.length} examples cannot hold out ${d.evalCount} for evaluation`, where: 'data.evalCount' });
  }
  // A fixed split seed: the data split is part of the task, not of the run's randomness.
  const sp = split(examples, { seed: 'task', fractions: { train: 1 - d.evalCount / examples.length, eval: d.evalCount / examples.length, test: 0 }, groupBy: 'source' });
  const corpus = sp.train.flatMap((e) => [e.source, e.target]);
  const tokenizer: Tokenizer = given ?? (d.tokenizer === 'char' ? CharTokenizer.train(corpus, { vocabSize: d.vocab }) : BpeTokenizer.train(corpus, { vocabSize: d.vocab }));
  const limits = { maxSource: d.maxSource, maxTarget: d.maxTarget };
  return {
    tokenizer,
    limits,
    train: encodeExamples(tokenizer, sp.train, limits),
    eval: encodeExamples(tokenizer, sp.eval, limits),
    evalExamples: sp.eval,
    trainExamples: sp.train,
    manifest: {
      source, ...(path ? { path } : {}), ...(fallback ? { fallback } : {}), examples: examples.length, split: sp.manifest,
      tokenizerSha256: sha256(JSON.stringify(tokenizer.toJSON())), lang: examples[0]?.lang ?? 'zh',
    },
  };
}

