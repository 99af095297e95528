/**
 * Sentence BLEU exactly as NLTK 3.8 `sentence_bleu(references, hypothesis, weights=(0.25,)*4,
 * smoothing_function=SmoothingFunction().method3)`: clipped n-gram precisions against the max count over all
 * references, brevity penalty against the closest reference length (shorter wins ties), 0 when no unigram
 * matches, and NIST geometric smoothing (the k-th zero-match order gets 1/(2^k · #hyp n-grams)).
 *
 * @example
 * bleu4En(['the cat is on the mat'], 'the cat is on a mat');  // ≈ 0.5373 (method3)
 */
import { LedgerLabError } from '../errors.ts';
import { tokenizeBleu } from './tokenize-en.ts';
import { Interner, ngramCounts } from './ngrams.ts';

/** Python's math.fsum (Shewchuk partials, correctly rounded), so the log-sum matches NLTK bit for bit. */
export function fsum(xs: Iterable<number>): number {
  const partials: number[] = [];
  for (let x of xs) {
    let i = 0;
    for (let y of partials) {
      if (Math.abs(x) < Math.abs(y)) [x, y] = [y, x];
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) partials[i++] = lo;
      x = hi;
    }
    partials.length = i;
    partials.push(x);
  }
  let n = partials.length;
  if (n === 0) return 0;
  let hi = partials[--n];
  let lo = 0;
  while (n > 0) {
    const x = hi;
    const y = partials[--n];
    hi = x + y;
    lo = y - (hi - x);
    if (lo !== 0) break;
  }
  if (n > 0 && ((lo < 0 && partials[n - 1] < 0) || (lo > 0 && partials[n - 1] > 0))) {
    const y = lo * 2;
    const x = hi + y;
    if (y === x - hi) hi = x;
  }
  return hi;
}

function intern(references: readonly (readonly string[])[], hypothesis: readonly string[]): { refs: Int32Array[]; hyp: Int32Array; vocab: number } {
  const interner = new Interner();
  const hyp = interner.of(hypothesis);
  const refs = references.map((r) => interner.of(r));
  return { refs, hyp, vocab: Math.max(interner.ids.size, 1) };
}

function precisionOf(refs: Int32Array[], hyp: Int32Array, n: number, vocab: number): [number, number] {
  const h = ngramCounts(hyp, n, vocab);
  const rc = refs.map((r) => ngramCounts(r, n, vocab));
  let num = 0, total = 0;
  for (const [g, c] of h) {
    let max = 0;
    for (const m of rc) max = Math.max(max, m.get(g) ?? 0);
    num += Math.min(c, max);
    total += c;
  }
  return [num, Math.max(1, total)];
}

/** NLTK `modified_precision` as [numerator, denominator] (the Fraction is not normalized). */
export function modifiedPrecision(references: readonly (readonly string[])[], hypothesis: readonly string[], n: number): [number, number] {
  const { refs, hyp, vocab } = intern(references, hypothesis);
  return precisionOf(refs, hyp, n, vocab);
}

/** NLTK `closest_ref_length`: the reference length nearest the hypothesis length, the shorter on ties. */
export function closestRefLength(references: readonly (readonly string[])[], hypLen: number): number {
  let best = Infinity, bestDiff = Infinity;
  for (const r of references) {
    const d = Math.abs(r.length - hypLen);
    if (d < bestDiff || (d === bestDiff && r.length < best)) { best = r.length; bestDiff = d; }
  }
  return best;
}

export function brevityPenalty(closestRefLen: number, hypLen: number): number {
  if (hypLen > closestRefLen) return 1;
  if (hypLen === 0) return 0;
  return Math.exp(1 - closestRefLen / hypLen);
}

export interface BleuOptions {
  /** n-gram weights; default BLEU-4 (0.25 × 4). */
  weights?: readonly number[];
}

/** `sentence_bleu(references, hypothesis, weights, smoothing_function=SmoothingFunction().method3)`. */
export function sentenceBleu(references: readonly (readonly string[])[], hypothesis: readonly string[], opts: BleuOptions = {}): number {
  const weights = opts.weights ?? [0.25, 0.25, 0.25, 0.25];
  if (references.length === 0) throw new LedgerLabError({ kind: 'data', code: 'metrics.no_reference', problem: 'sentenceBleu needs at least one reference', issues: [{ path: ['references'], message: 'is empty' }] });
  const { refs, hyp, vocab } = intern(references, hypothesis);
  const p: [number, number][] = [];
  for (let n = 1; n <= weights.length; n++) p.push(precisionOf(refs, hyp, n, vocab));
  if (p[0][0] === 0) return 0;
  const bp = brevityPenalty(closestRefLength(references, hypothesis.length), hypothesis.length);
  // method3: the k-th order with no match gets 1 / (2^k · denominator).
  let k = 1;
  const pn = p.map(([num, den]) => (num === 0 ? 1 / (2 ** k++ * den) : num / den));
  const terms: number[] = [];
  for (let i = 0; i < weights.length; i++) if (pn[i] > 0) terms.push(weights[i] * Math.log(pn[i]));
  return bp * Math.exp(fsum(terms));
}

/** BLEU-4 on `text.lower().split()` tokens against one or more references (nltk's common usage). */
export function bleu4En(references: readonly string[], prediction: string): number {
  return sentenceBleu(references.map(tokenizeBleu), tokenizeBleu(prediction));
}

/** BLEU-4 on characters (Python `list(text)`: code points), as ChatGLM / LLaMA-Factory score Chinese. */
export function bleu4Chars(references: readonly string[], prediction: string): number {
  return sentenceBleu(references.map((r) => Array.from(r)), Array.from(prediction));
}
