/**
 * Chinese ROUGE-1/2/L and BLEU-4 as ChatGLM's P-Tuning `compute_metrics` and LLaMA-Factory's
 * `ComputeSimilarity` report them (how AdvertiseGen results, including the 3.7x claim, are scored):
 *
 *   hyp = jieba.cut(pred), ref = jieba.cut(label)           (default mode, HMM on)
 *   if " ".join(hyp).split() or " ".join(ref).split() is empty: rouge-1/2/l = 0
 *   else rouge_chinese.Rouge().get_scores(" ".join(hyp), " ".join(ref))[0][k]["f"]
 *   bleu-4 = sentence_bleu([list(label)], list(pred), smoothing_function=SmoothingFunction().method3)
 *   each ×100, round(·, 4); corpus = mean of the per-item values
 *
 * rouge_chinese 1.0.3: sentences are cut after 。！？? (and ……, ......), words are the " "-split tokens of
 * all sentences chained; ROUGE-N counts UNIQUE n-grams (sets), ROUGE-L is the plain LCS of the whole word
 * sequences; F = 2·(P·R/(P+R+1e-8)).
 *
 * Segmentation: @node-rs/jieba 2.0.3 (jieba-rs) with its bundled dictionary plus the one entry it lacks
 * compared with Python jieba 0.42.1's dict.txt ("B超 3 n"), so word frequencies and their total are identical.
 */
import { createRequire } from 'node:module';
import { LedgerLabError } from '../errors.ts';
import { bleu4Chars } from './bleu.ts';
import { pySplit } from './tokenize-en.ts';
import { Interner } from './ngrams.ts';

export interface ZhScores {
  'rouge-1': number;
  'rouge-2': number;
  'rouge-l': number;
  'bleu-4': number;
}

export const ZH_KEYS = ['rouge-1', 'rouge-2', 'rouge-l', 'bleu-4'] as const;

export interface FPR { f: number; p: number; r: number }

interface JiebaLike { cut(text: string, hmm?: boolean): string[] }
let jieba: JiebaLike | undefined;

/** The dictionary line in jieba 0.42.1's dict.txt that @node-rs/jieba's bundled dict.txt leaves out. */
const MISSING_DICT_LINES = 'B超 3 n\n';

/** The shared segmenter; loading the 5 MB dictionary takes ~0.3 s, so it happens on first use. */
function segmenter(): JiebaLike {
  if (!jieba) {
    const require = createRequire(import.meta.url);
    const { Jieba } = require('@node-rs/jieba') as { Jieba: { withDict(d: Uint8Array): JiebaLike } };
    const { dict } = require('@node-rs/jieba/dict') as { dict: Uint8Array };
    // `new Jieba()` starts with an EMPTY dictionary (every character becomes a word); the default one has to be passed.
    jieba = Jieba.withDict(Buffer.concat([dict, Buffer.from(MISSING_DICT_LINES, 'utf8')]));
  }
  return jieba;
}

/** `list(jieba.cut(text))` of jieba 0.42.1 (default mode, HMM on). */
export function jiebaCut(text: string): string[] {
  return text.length === 0 ? [] : segmenter().cut(text, true);
}

/** rouge_chinese's `Rouge.cut_sent`: newline after sentence-final punctuation, then split on "\n". */
export function cutSentences(para: string): string[] {
  para = para.replace(/([。！？?])([^”’])/g, '$1\n$2');
  para = para.replace(/(\.{6})([^”’])/g, '$1\n$2');
  para = para.replace(/(…{2})([^”’])/g, '$1\n$2');
  para = para.replace(/([。！？?][”’])([^，。！？?])/g, '$1\n$2');
  para = pyRstrip(para);
  return para.split('\n');
}

function pyRstrip(s: string): string {
  let end = s.length;
  while (end > 0 && PY_SPACE_CHAR.test(s[end - 1])) end--;
  return s.slice(0, end);
}
const PY_SPACE_CHAR = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;

/** Sentences as rouge_chinese's _get_scores prepares them: `" ".join(s.split())` for each non-empty piece. */
function prepare(text: string): string[] {
  return cutSentences(text).filter((s) => s.length > 0).map((s) => pySplit(s).join(' '));
}

/** `_split_into_words`: every sentence split on single spaces (an empty sentence yields one "" word). */
function words(sentences: string[]): string[] {
  const out: string[] = [];
  for (const s of sentences) for (const w of s.split(' ')) out.push(w);
  return out;
}

function fpr(evaluated: number, reference: number, overlap: number): FPR {
  const p = evaluated === 0 ? 0 : overlap / evaluated;
  const r = reference === 0 ? 0 : overlap / reference;
  return { f: 2 * ((p * r) / (p + r + 1e-8)), p, r };
}

/** Set of n-grams (rouge_chinese exclusive=True) as numeric keys over word ids. */
function uniqueNgrams(ws: Int32Array, n: number, vocab: number): Set<number | string> {
  const s = new Set<number | string>();
  const numeric = vocab ** n < Number.MAX_SAFE_INTEGER;
  for (let i = 0; i + n <= ws.length; i++) {
    if (numeric) { let k = 0; for (let j = 0; j < n; j++) k = k * vocab + ws[i + j]; s.add(k); }
    else s.add(ws.subarray(i, i + n).join(','));
  }
  return s;
}

function lcsLength(a: Int32Array, b: Int32Array): number {
  let prev = new Int32Array(b.length + 1), cur = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    const ai = a[i - 1];
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j], left = cur[j - 1];
      cur[j] = ai === b[j - 1] ? prev[j - 1] + 1 : (up > left ? up : left);
    }
    [prev, cur] = [cur, prev];
  }
  return prev[b.length];
}

/**
 * `rouge_chinese.Rouge().get_scores(hyp, ref)[0]` for already segmented, space-joined texts.
 * Throws like the reference when a side has no sentence at all (guard with the emptiness rule first).
 */
export function rougeChinese(hyp: string, ref: string): Record<'rouge-1' | 'rouge-2' | 'rouge-l', FPR> {
  const h = prepare(hyp), r = prepare(ref);
  if (h.length === 0 || r.length === 0) throw new LedgerLabError({ kind: 'data', code: 'metrics.empty_text', problem: 'rouge_chinese: hypothesis or reference is empty', issues: [{ path: [h.length === 0 ? 'hypothesis' : 'reference'], message: 'is empty' }] });
  const interner = new Interner();
  const hw = interner.of(words(h)), rw = interner.of(words(r));
  const ngram = (n: number): FPR => {
    const hs = uniqueNgrams(hw, n, interner.ids.size), rs = uniqueNgrams(rw, n, interner.ids.size);
    let overlap = 0;
    for (const g of hs) if (rs.has(g)) overlap++;
    return fpr(hs.size, rs.size, overlap);
  };
  const l = lcsLength(rw, hw);
  const rl = l / rw.length, pl = l / hw.length;
  return { 'rouge-1': ngram(1), 'rouge-2': ngram(2), 'rouge-l': { f: 2 * ((pl * rl) / (pl + rl + 1e-8)), p: pl, r: rl } };
}

/**
 * Python's `round(x, digits)` for doubles: rounds the EXACT binary value half-to-even
 * (round(0.03125, 4) is 0.0312 in Python, while (0.03125).toFixed(4) is "0.0313").
 */
export function pyRound(x: number, digits: number): number {
  if (!Number.isFinite(x) || x === 0) return x;
  const neg = x < 0;
  const exact = Math.abs(x).toFixed(100); // exact decimal expansion for |x| ≥ ~1e-30 (longer tails cannot be ties)
  const dot = exact.indexOf('.');
  const keep = exact.slice(0, dot + 1 + digits);
  const rest = exact.slice(dot + 1 + digits);
  let up: boolean;
  if (rest[0] > '5') up = true;
  else if (rest[0] < '5') up = false;
  else if (/[1-9]/.test(rest.slice(1))) up = true;
  else up = (Number(keep[keep.length - 1]) % 2) === 1; // exact tie: to even
  let v = Number(keep);
  if (up) v = Number((v + 10 ** -digits).toFixed(digits));
  return neg ? -v : v;
}

/** One item, LLaMA-Factory style: ×100, rounded to 4 decimals. Several references: see `zhScoresMulti`. */
export function zhScores(prediction: string, reference: string): ZhScores {
  const hyp = jiebaCut(prediction), ref = jiebaCut(reference);
  let r1 = 0, r2 = 0, rl = 0;
  if (pySplit(hyp.join(' ')).length > 0 && pySplit(ref.join(' ')).length > 0) {
    const s = rougeChinese(hyp.join(' '), ref.join(' '));
    r1 = s['rouge-1'].f; r2 = s['rouge-2'].f; rl = s['rouge-l'].f;
  }
  return {
    'rouge-1': pyRound(r1 * 100, 4),
    'rouge-2': pyRound(r2 * 100, 4),
    'rouge-l': pyRound(rl * 100, 4),
    'bleu-4': pyRound(bleu4Chars([reference], prediction) * 100, 4),
  };
}

/**
 * LedgerLab extension for several references (the reference metric takes one): each ROUGE value is the
 * maximum over references (like rouge_score's score_multi), BLEU-4 uses all references at once (nltk
 * multi-reference). With one reference this is exactly `zhScores`.
 */
export function zhScoresMulti(prediction: string, references: readonly string[]): ZhScores {
  if (references.length === 0) throw new LedgerLabError({ kind: 'data', code: 'metrics.no_reference', problem: 'zhScoresMulti needs at least one reference', issues: [{ path: ['references'], message: 'is empty' }] });
  if (references.length === 1) return zhScores(prediction, references[0]);
  const each = references.map((r) => zhScores(prediction, r));
  const max = (k: 'rouge-1' | 'rouge-2' | 'rouge-l'): number => Math.max(...each.map((e) => e[k]));
  return {
    'rouge-1': max('rouge-1'), 'rouge-2': max('rouge-2'), 'rouge-l': max('rouge-l'),
    'bleu-4': pyRound(bleu4Chars(references, prediction) * 100, 4),
  };
}
