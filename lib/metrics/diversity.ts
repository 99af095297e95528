/**
 * Diversity of generated text, to tell real generations from degenerate ones ("裙*裙*裙款式#连衣裙款式#…"):
 *
 *   distinct-n   (Li et al. 2016) over the whole prediction set: distinct n-grams / all n-grams, 0 when there
 *                are no n-grams. Corpus-level by definition (a per-item mean would reward short outputs).
 *   repetition   seq-rep-4 (Welleck et al. 2019) per prediction: 1 − distinct 4-grams / 4-grams (0 for a
 *                prediction shorter than 4 tokens), the mean over predictions. 0 = no 4-gram repeats.
 *
 * All three are fractions in [0, 1]. Tokens are those the ROUGE of the same language sees: Chinese = jieba
 * words with whitespace dropped (as rouge_chinese splits " ".join(jieba.cut(text))), English = rouge_score's
 * tokens (lowercased alphanumeric runs, no stemming).
 */
import { Interner, ngramCounts } from './ngrams.ts';
import { jiebaCut } from './zh.ts';
import { pySplit, tokenizeRouge } from './tokenize-en.ts';

export const DIVERSITY_KEYS = ['distinct-1', 'distinct-2', 'repetition'] as const;
export type DiversityKey = (typeof DIVERSITY_KEYS)[number];
export type DiversityScores = Record<DiversityKey, number>;

/** The tokens diversity is counted on, per language. */
export function diversityTokens(text: string, lang: 'zh' | 'en'): string[] {
  return lang === 'zh' ? pySplit(jiebaCut(text).join(' ')) : tokenizeRouge(text);
}

/** distinct-n of token sequences (corpus-level). */
export function distinctN(seqs: readonly (readonly string[])[], n: number): number {
  const interner = new Interner();
  const ids = seqs.map((s) => interner.of(s));
  const vocab = Math.max(1, interner.ids.size);
  const seen = new Set<string | number>();
  let total = 0;
  for (const s of ids) for (const [k, c] of ngramCounts(s, n, vocab)) { seen.add(k); total += c; }
  return total === 0 ? 0 : seen.size / total;
}

/** seq-rep-n of one token sequence: 1 − distinct n-grams / n-grams (0 below n tokens). */
export function seqRepetition(tokens: readonly string[], n = 4): number {
  const total = tokens.length - n + 1;
  if (total <= 0) return 0;
  const interner = new Interner();
  const distinct = ngramCounts(interner.of(tokens), n, Math.max(1, interner.ids.size)).size;
  return 1 - distinct / total;
}

/**
 * distinct-1, distinct-2 and repetition of a set of predictions.
 *
 * @example
 * diversityScores(['a b a b', 'x x x x x'], 'en');
 * // distinct-1 = |{a,b,x}| / 9, distinct-2 = |{ab,ba,xx}| / 7, repetition = mean(1 − 1/1, 1 − 1/2) = 0.25 ('a b a b' has one 4-gram)
 */
export function diversityScores(predictions: readonly string[], lang: 'zh' | 'en'): DiversityScores {
  const seqs = predictions.map((p) => diversityTokens(p, lang));
  return {
    'distinct-1': distinctN(seqs, 1),
    'distinct-2': distinctN(seqs, 2),
    repetition: seqs.length === 0 ? 0 : seqs.reduce((a, s) => a + seqRepetition(s), 0) / seqs.length,
  };
}
