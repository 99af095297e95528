/**
 * English ROUGE exactly as Google's rouge_score 0.1.2 (`RougeScorer(['rouge1','rouge2','rougeL','rougeLsum'],
 * use_stemmer)`): n-gram counts clipped by the reference counts, precision = overlap / max(#pred n-grams, 1),
 * recall = overlap / max(#ref n-grams, 1), F = 2PR/(P+R) (0 when P+R = 0); rougeL = token LCS; rougeLsum =
 * summary-level union LCS over "\n"-separated lines with ROUGE-1.5.5's clipped hit counting. Several
 * references: `score_multi` (per ROUGE type, the reference with the highest F; first one on ties).
 *
 * @example
 * const s = rougeScores('the cat sat on the mat', 'the cat on the mat');
 * s.rouge1.fmeasure; // 0.9090909090909091
 */
import { LedgerLabError } from '../errors.ts';
import { tokenizeRouge, type WarningSink } from './tokenize-en.ts';
import { Interner, ngramCounts } from './ngrams.ts';

export interface Score {
  precision: number;
  recall: number;
  fmeasure: number;
}

export const ROUGE_TYPES = ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'] as const;
export type RougeType = (typeof ROUGE_TYPES)[number];
export type RougeScores = Record<RougeType, Score>;

export interface RougeOptions {
  /** Porter-stem tokens longer than 3 characters (rouge_score `use_stemmer=True`). */
  stemmer?: boolean;
  /** Called when the tokenizer drops non-ASCII letters (e.g. Chinese text under the English tokenizer). */
  onWarning?: WarningSink;
}

const ZERO: Score = Object.freeze({ precision: 0, recall: 0, fmeasure: 0 });

/** rouge_score's `scoring.fmeasure`. */
export function fmeasure(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

/** `_score_ngrams`: clipped overlap of the two n-gram multisets (token ids below `vocab`). */
export function scoreNgrams(target: Int32Array, prediction: Int32Array, n: number, vocab = maxId(target, prediction) + 1): Score {
  const t = ngramCounts(target, n, vocab);
  const p = ngramCounts(prediction, n, vocab);
  let overlap = 0;
  for (const [k, c] of t) overlap += Math.min(c, p.get(k) ?? 0);
  const tCount = Math.max(target.length - n + 1, 0);
  const pCount = Math.max(prediction.length - n + 1, 0);
  const precision = overlap / Math.max(pCount, 1);
  const recall = overlap / Math.max(tCount, 1);
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

function maxId(a: Int32Array, b: Int32Array): number {
  let m = 0;
  for (const x of a) if (x > m) m = x;
  for (const x of b) if (x > m) m = x;
  return m;
}

// One growable scratch buffer for the DP tables: scoring allocates nothing per cell row, which keeps GC out
// of corpus-scale runs.
let scratch = new Int32Array(1 << 12);
function table(size: number): Int32Array {
  if (scratch.length < size) scratch = new Int32Array(Math.max(size, scratch.length * 2));
  return scratch;
}

function lcsLength(a: Int32Array, b: Int32Array): number {
  const w = b.length + 1;
  const t = table(2 * w);
  t.fill(0, 0, 2 * w);
  let prev = 0, cur = w;
  for (let i = 1; i <= a.length; i++) {
    const ai = a[i - 1];
    t[cur] = 0;
    for (let j = 1; j < w; j++) {
      const diag = t[prev + j - 1], up = t[prev + j], left = t[cur + j - 1];
      t[cur + j] = ai === b[j - 1] ? diag + 1 : (up > left ? up : left);
    }
    const x = prev; prev = cur; cur = x;
  }
  return t[prev + w - 1];
}

/** `_score_lcs`: token-level LCS. */
export function scoreLcs(target: Int32Array, prediction: Int32Array): Score {
  if (target.length === 0 || prediction.length === 0) return { ...ZERO };
  const l = lcsLength(target, prediction);
  const precision = l / prediction.length;
  const recall = l / target.length;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** `lcs_ind`: indices into `ref` of one LCS, chosen by rouge_score's `_backtrack_norec` tie-breaking. */
function lcsIndices(ref: Int32Array, can: Int32Array): number[] {
  const rows = ref.length, cols = can.length, w = cols + 1;
  const t = table((rows + 1) * w);
  t.fill(0, 0, w);
  for (let i = 1; i <= rows; i++) t[i * w] = 0;
  for (let i = 1; i <= rows; i++) {
    for (let j = 1; j <= cols; j++) {
      t[i * w + j] = ref[i - 1] === can[j - 1] ? t[(i - 1) * w + j - 1] + 1 : Math.max(t[(i - 1) * w + j], t[i * w + j - 1]);
    }
  }
  const out: number[] = [];
  let i = rows, j = cols;
  while (i > 0 && j > 0) {
    if (ref[i - 1] === can[j - 1]) { out.push(i - 1); i--; j--; }
    else if (t[i * w + j - 1] > t[(i - 1) * w + j]) j--;
    else i--;
  }
  return out.reverse();
}

/** `_summary_level_lcs`: union LCS per reference line; each token type counts at most as often as it occurs. */
export function scoreSummaryLcs(refSents: Int32Array[], canSents: Int32Array[]): Score {
  if (refSents.length === 0 || canSents.length === 0) return { ...ZERO };
  let m = 0, n = 0;
  const cntR = new Map<number, number>(), cntC = new Map<number, number>();
  for (const s of refSents) { m += s.length; for (const t of s) cntR.set(t, (cntR.get(t) ?? 0) + 1); }
  for (const s of canSents) { n += s.length; for (const t of s) cntC.set(t, (cntC.get(t) ?? 0) + 1); }
  if (m === 0 || n === 0) return { ...ZERO };
  let hits = 0;
  for (const r of refSents) {
    let union: number[];
    if (canSents.length === 1) union = lcsIndices(r, canSents[0]); // already ascending and distinct
    else {
      const set = new Set<number>();
      for (const c of canSents) for (const idx of lcsIndices(r, c)) set.add(idx);
      union = [...set].sort((a, b) => a - b);
    }
    for (const idx of union) {
      const tok = r[idx];
      const cc = cntC.get(tok) ?? 0, cr = cntR.get(tok) ?? 0;
      if (cc > 0 && cr > 0) { hits++; cntC.set(tok, cc - 1); cntR.set(tok, cr - 1); }
    }
  }
  const recall = hits / m;
  const precision = hits / n;
  return { precision, recall, fmeasure: fmeasure(precision, recall) };
}

/** rouge_score's get_sents without sentence splitting: "\n" only, empty lines dropped. */
function lines(text: string): string[] {
  return text.split('\n').filter((s) => s.length > 0);
}

/**
 * `RougeScorer(ROUGE_TYPES, use_stemmer).score(target, prediction)` — note rouge_score's argument order:
 * reference first.
 */
export function rougeScores(target: string, prediction: string, opts: RougeOptions = {}): RougeScores {
  const stem = opts.stemmer ?? false;
  const intern = new Interner();
  const tTok = tokenizeRouge(target, stem, opts.onWarning);
  const pTok = tokenizeRouge(prediction, stem, opts.onWarning);
  const t = intern.of(tTok), p = intern.of(pTok);
  // Sentence tokens: a text without "\n" is one line whose tokens we already have.
  const sents = (text: string, whole: Int32Array): Int32Array[] =>
    text.includes('\n') ? lines(text).map((s) => intern.of(tokenizeRouge(s, stem))) : text.length ? [whole] : [];
  return {
    rouge1: scoreNgrams(t, p, 1, intern.ids.size),
    rouge2: scoreNgrams(t, p, 2, intern.ids.size),
    rougeL: scoreLcs(t, p),
    rougeLsum: scoreSummaryLcs(sents(target, t), sents(prediction, p)),
  };
}

/** `RougeScorer.score_multi(targets, prediction)`: per type, the reference with the highest F (first on ties). */
export function rougeScoresMulti(targets: readonly string[], prediction: string, opts: RougeOptions = {}): RougeScores {
  if (targets.length === 0) throw new LedgerLabError({ kind: 'data', code: 'metrics.no_reference', problem: 'rougeScoresMulti needs at least one reference', issues: [{ path: ['targets'], message: 'is empty' }] });
  const all = targets.map((t) => rougeScores(t, prediction, opts));
  const best = {} as RougeScores;
  for (const k of ROUGE_TYPES) {
    let bi = 0;
    for (let i = 1; i < all.length; i++) if (all[i][k].fmeasure > all[bi][k].fmeasure) bi = i;
    best[k] = all[bi][k];
  }
  return best;
}
