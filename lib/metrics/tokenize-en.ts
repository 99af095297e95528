/**
 * rouge_score's DefaultTokenizer (0.1.2): lowercase, every run of `[^a-z0-9]+` becomes a space, split on
 * whitespace, optionally Porter-stem tokens longer than 3 characters, keep tokens matching `^[a-z0-9]+$`.
 * Anything that is not ASCII a–z/0–9 disappears — Chinese, Cyrillic, accented letters — so a non-Latin text
 * scores 0 without any error in the reference. We keep that behaviour (to match it) but report it.
 *
 * @example
 * tokenizeRouge('The cats, running!', true);  // ["the", "cat", "run"]
 */
import { porterStem } from './porter.ts';

/** Raised (through a callback or collected on the result) when the tokenizer drops letters or digits. */
export interface TokenizerWarning {
  kind: 'non-latin';
  /** Letters/digits (any script) that the tokenizer removed. */
  dropped: number;
  /** Tokens that survived. 0 means the whole text scores 0 under rouge_score. */
  tokens: number;
  /** First characters of the text, for the message. */
  sample: string;
  message: string;
}

export type WarningSink = (w: TokenizerWarning) => void;

const ASCII_ALNUM = /[a-z0-9]/;
const ANY_LETTER_OR_DIGIT = /[\p{L}\p{N}]/gu;

/** rouge_score's `tokenize.tokenize(text, stemmer)`. */
export function tokenizeRouge(text: string, stem = false, onWarning?: WarningSink): string[] {
  const lower = text.toLowerCase();
  // Tokens are the maximal runs of [a-z0-9] — the same as replacing every other run by " " and splitting,
  // but one pass over char codes (this is the hot loop of corpus scoring).
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i <= lower.length; i++) {
    const c = i < lower.length ? lower.charCodeAt(i) : 0;
    const alnum = (c >= 97 && c <= 122) || (c >= 48 && c <= 57);
    if (alnum) { if (start < 0) start = i; }
    else if (start >= 0) {
      const tok = lower.slice(start, i);
      out.push(stem && tok.length > 3 ? cachedStem(tok) : tok);
      start = -1;
    }
  }
  if (onWarning) checkDropped(lower, out.length, onWarning);
  return out;
}

// Corpus text repeats words constantly; stemming is pure, so memoize it (bounded so memory stays flat).
const stemCache = new Map<string, string>();
function cachedStem(tok: string): string {
  let s = stemCache.get(tok);
  if (s === undefined) {
    if (stemCache.size >= 200_000) stemCache.clear();
    s = porterStem(tok);
    stemCache.set(tok, s);
  }
  return s;
}

function checkDropped(lower: string, tokens: number, onWarning: WarningSink): void {
  let dropped = 0;
  for (const m of lower.matchAll(ANY_LETTER_OR_DIGIT)) if (!ASCII_ALNUM.test(m[0])) dropped++;
  if (dropped === 0) return;
  const sample = Array.from(lower).slice(0, 24).join('');
  onWarning({
    kind: 'non-latin', dropped, tokens, sample,
    message: tokens === 0
      ? `text "${sample}…" has no a-z/0-9 tokens: the English ROUGE tokenizer drops all ${dropped} letters, so it scores 0 (use --lang zh for Chinese)`
      : `the English ROUGE tokenizer dropped ${dropped} non-ASCII letters/digits from "${sample}…"`,
  });
}

/** nltk users' `text.lower().split()`: Python whitespace split, punctuation stays attached. */
export function tokenizeBleu(text: string): string[] {
  return pySplit(text.toLowerCase());
}

/** Python's `str.split()` with no argument: splits on runs of Unicode whitespace as `str.isspace` defines it. */
export const PY_WHITESPACE = /[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

export function pySplit(text: string): string[] {
  const out = text.split(PY_WHITESPACE);
  if (out.length && out[0] === '') out.shift();
  if (out.length && out[out.length - 1] === '') out.pop();
  return out;
}
