/**
 * Span-matching attribution, Infini-gram style (Liu et al. 2024; OpenLedger's proof of attribution for LLMs):
 * the Datanet's items are tokenised and concatenated, each followed by its own separator so that no match
 * crosses two items; a model output is cut into its maximal matching spans (for each output position the
 * longest continuation that occurs in the Datanet; a span is kept unless it lies inside the previous one),
 * and each span of at least `minLength` tokens credits the items that contain it, weighted by its length and
 * its rarity, log2(1 + T/count) for T Datanet tokens and `count` occurrences, split over occurrences.
 */
import { SuffixArray } from './suffix-array.ts';

export interface SpanIndex {
  sa: SuffixArray;
  /** Item of each corpus position (−1 on separators). */
  itemAt: Int32Array;
  items: number;
  /** Datanet tokens, separators excluded. */
  tokens: number;
  /** Token t is stored as t + offset; ids 0..offset−1 are the items' separators. */
  offset: number;
}

/**
 * Builds the index. Token ids must be ≥ 0. Item j's separator is stored as j and every token t as
 * t + items.length, so a separator matches nothing but itself and no output token (≥ 0) can equal one.
 */
export function buildSpanIndex(items: readonly ArrayLike<number>[]): SpanIndex {
  let total = 0;
  for (const it of items) total += it.length;
  const offset = items.length;
  const corpus = new Int32Array(total + items.length);
  const itemAt = new Int32Array(corpus.length);
  let p = 0;
  items.forEach((it, j) => {
    for (let i = 0; i < it.length; i++) { corpus[p] = it[i] + offset; itemAt[p++] = j; }
    corpus[p] = j;
    itemAt[p++] = -1;
  });
  return { sa: new SuffixArray(corpus), itemAt, items: items.length, tokens: total, offset };
}

export interface Span {
  /** Start in the output and length in tokens. */
  start: number;
  length: number;
  /** Occurrences in the Datanet. */
  count: number;
  /** length · log2(1 + T/count). */
  weight: number;
  /** Items containing the span, with occurrences per item, by item index. */
  items: Map<number, number>;
}

export interface SpanOptions {
  /** Shortest span that credits anyone (tokens); default 3. */
  minLength?: number;
  /** Spans occurring more often than this credit nobody (too common to be anyone's); default 10,000. */
  maxOccurrences?: number;
}

/** Longest match length at each output position (0 if the token never occurs). */
export function matchLengths(idx: SpanIndex, out: ArrayLike<number>): Int32Array {
  const L = new Int32Array(out.length);
  const n = idx.sa.length;
  for (let i = 0; i < out.length; i++) {
    let lo = 0, hi = n, d = 0;
    while (i + d < out.length) {
      const [a, b] = idx.sa.refine(lo, hi, d, out[i + d] + idx.offset);
      if (a === b) break;
      lo = a; hi = b; d++;
    }
    L[i] = d;
  }
  return L;
}

/** The output's maximal matching spans of length ≥ minLength, left to right. */
export function maximalSpans(idx: SpanIndex, out: ArrayLike<number>, o: SpanOptions = {}): Span[] {
  const minLength = o.minLength ?? 3;
  const maxOcc = o.maxOccurrences ?? 10_000;
  const L = matchLengths(idx, out);
  const spans: Span[] = [];
  for (let i = 0; i < out.length; i++) {
    if (L[i] < minLength) continue;
    if (i > 0 && L[i] <= L[i - 1] - 1) continue; // inside the span that starts at i − 1
    const [lo, hi] = idx.sa.find(Array.from({ length: L[i] }, (_, d) => out[i + d] + idx.offset));
    const count = hi - lo;
    const items = new Map<number, number>();
    if (count <= maxOcc) {
      for (let r = lo; r < hi; r++) {
        const it = idx.itemAt[idx.sa.sa[r]];
        items.set(it, (items.get(it) ?? 0) + 1);
      }
    }
    spans.push({ start: i, length: L[i], count, weight: L[i] * Math.log2(1 + idx.tokens / count), items });
  }
  return spans;
}

/** Credit per item for one output: Σ over spans of weight × (occurrences in the item / all occurrences). */
export function spanCredit(idx: SpanIndex, out: ArrayLike<number>, o: SpanOptions = {}): Map<number, number> {
  const credit = new Map<number, number>();
  for (const s of maximalSpans(idx, out, o)) {
    if (s.items.size === 0) continue;
    for (const [it, c] of s.items) credit.set(it, (credit.get(it) ?? 0) + (s.weight * c) / s.count);
  }
  return credit;
}
