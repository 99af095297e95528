/**
 * Scoring a prediction file: parse every `{"prediction": "...", "reference": "..." | ["...", ...]}` line
 * first (a bad line is a located error before anything is scored), then score each item and aggregate the
 * corpus as per-item means with bootstrap intervals.
 */
import { readFileSync, existsSync } from 'node:fs';
import { decodeUtf8, maxLineBytes } from '../util/index.ts';
import { LedgerLabError } from '../errors.ts';
import { rougeScoresMulti, ROUGE_TYPES, type RougeScores } from './rouge.ts';
import { bleu4En } from './bleu.ts';
import { zhScoresMulti, ZH_KEYS, type ZhScores } from './zh.ts';
import { bootstrapCI, bootstrapIndices, type BootstrapCI } from './bootstrap.ts';
import type { TokenizerWarning } from './tokenize-en.ts';
import { distinctN, diversityTokens, seqRepetition } from './diversity.ts';

export interface ScoreRecord {
  prediction: string;
  references: string[];
  /** 1-based line in the source file. */
  line: number;
}

export type EnItem = RougeScores & { bleu4: number };

export interface ItemWarning {
  line: number;
  message: string;
}

/** Parses JSONL text into records; throws a LedgerLabError naming `file:line` for the first bad line. */
export function parseScoreRecords(text: string, file: string): ScoreRecord[] {
  const out: ScoreRecord[] = [];
  const limit = maxLineBytes();
  const lines = text.split('\n');
  const hint = 'each line must be {"prediction": "...", "reference": "..." | ["...", ...]}';
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i].replace(/\r$/, '').replace(/^\ufeff/, '');
    if (raw.trim() === '') continue; // blank lines (e.g. the final newline) carry no record
    const where = `${file}:${i + 1}`;
    if (Buffer.byteLength(raw) > limit) {
      throw new LedgerLabError({ kind: 'data', problem: `line is longer than ${limit} bytes`, where, hint: 'raise the limit with LEDGERLAB_MAX_LINE_BYTES if such predictions are intended' });
    }
    let obj: unknown;
    try {
      obj = JSON.parse(raw);
    } catch (err) {
      throw new LedgerLabError({ kind: 'data', problem: `line is not valid JSON (${(err as Error).message})`, where, hint, cause: err });
    }
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) {
      throw new LedgerLabError({ kind: 'data', problem: 'line is not a JSON object', where, hint });
    }
    const rec = obj as Record<string, unknown>;
    if (typeof rec.prediction !== 'string') {
      throw new LedgerLabError({ kind: 'data', problem: `"prediction" is ${describe(rec.prediction)}, expected a string`, where, hint });
    }
    const ref = rec.reference;
    let references: string[];
    if (typeof ref === 'string') references = [ref];
    else if (Array.isArray(ref) && ref.length > 0 && ref.every((r) => typeof r === 'string')) references = ref as string[];
    else {
      throw new LedgerLabError({
        kind: 'data', where, hint,
        problem: Array.isArray(ref) ? (ref.length === 0 ? '"reference" is an empty list' : '"reference" list holds a non-string')
          : `"reference" is ${describe(ref)}, expected a string or a list of strings`,
      });
    }
    out.push({ prediction: rec.prediction, references, line: i + 1 });
  }
  return out;
}

function describe(v: unknown): string {
  return v === undefined ? 'missing' : v === null ? 'null' : Array.isArray(v) ? 'a list' : `a ${typeof v}`;
}

/** Reads and parses a score file (missing file → 'io' error). */
export function readScoreFile(path: string): ScoreRecord[] {
  if (!existsSync(path)) throw new LedgerLabError({ kind: 'io', problem: `file not found: ${path}`, where: path, hint: 'pass a JSONL file of {"prediction", "reference"} lines' });
  return parseScoreRecords(decodeUtf8(readFileSync(path), path), path);
}

export interface ScoreOptions {
  lang: 'en' | 'zh';
  stemmer?: boolean;
  resamples?: number;
  seed?: number;
}

export interface CorpusResult<I> {
  items: I[];
  corpus: Record<string, unknown>;
  warnings: ItemWarning[];
}

/** English: rouge_score (score_multi over references) + nltk BLEU-4 (method3, lower().split()). */
export function scoreEnglish(records: readonly ScoreRecord[], opts: Omit<ScoreOptions, 'lang'> = {}): CorpusResult<EnItem> {
  const warnings: ItemWarning[] = [];
  const items = records.map((r) => {
    const seen = new Set<string>();
    const onWarning = (w: TokenizerWarning): void => {
      if (!seen.has(w.message)) { seen.add(w.message); warnings.push({ line: r.line, message: w.message }); }
    };
    const rouge = rougeScoresMulti(r.references, r.prediction, { stemmer: opts.stemmer, onWarning });
    return { ...rouge, bleu4: bleu4En(r.references, r.prediction) };
  });
  const corpus: Record<string, unknown> = {};
  if (items.length) {
    const idx = bootstrapIndices(items.length, opts.resamples ?? 1000, opts.seed ?? 0);
    const ci = (xs: number[]): BootstrapCI => bootstrapCI(xs, {}, idx);
    for (const k of ROUGE_TYPES) {
      corpus[k] = {
        precision: ci(items.map((it) => it[k].precision)),
        recall: ci(items.map((it) => it[k].recall)),
        fmeasure: ci(items.map((it) => it[k].fmeasure)),
      };
    }
    corpus.bleu4 = ci(items.map((it) => it.bleu4));
    Object.assign(corpus, diversityCorpus(records, 'en', idx));
  }
  corpus.n = items.length;
  corpus.resamples = opts.resamples ?? 1000;
  corpus.seed = opts.seed ?? 0;
  return { items, corpus, warnings };
}

/** Chinese: jieba + rouge_chinese F and character BLEU-4, ×100 rounded, as LLaMA-Factory. */
export function scoreChinese(records: readonly ScoreRecord[], opts: Omit<ScoreOptions, 'lang' | 'stemmer'> = {}): CorpusResult<ZhScores> {
  const items = records.map((r) => zhScoresMulti(r.prediction, r.references));
  const corpus: Record<string, unknown> = {};
  if (items.length) {
    const idx = bootstrapIndices(items.length, opts.resamples ?? 1000, opts.seed ?? 0);
    for (const k of ZH_KEYS) corpus[k] = bootstrapCI(items.map((it) => it[k]), {}, idx);
    Object.assign(corpus, diversityCorpus(records, 'zh', idx));
  }
  corpus.n = items.length;
  corpus.resamples = opts.resamples ?? 1000;
  corpus.seed = opts.seed ?? 0;
  return { items, corpus, warnings: [] };
}

/**
 * distinct-1/2 over all predictions (corpus-level: plain values) and repetition (seq-rep-4, a per-item mean:
 * bootstrap interval on the same resamples as the other metrics).
 */
function diversityCorpus(records: readonly ScoreRecord[], lang: 'en' | 'zh', idx: Int32Array[]): Record<string, unknown> {
  const seqs = records.map((r) => diversityTokens(r.prediction, lang));
  return {
    'distinct-1': distinctN(seqs, 1),
    'distinct-2': distinctN(seqs, 2),
    repetition: bootstrapCI(seqs.map((s) => seqRepetition(s)), {}, idx),
  };
}
