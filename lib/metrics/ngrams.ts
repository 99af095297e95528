/**
 * Token interning and n-gram counting shared by the ROUGE, BLEU and Chinese metrics: tokens become small ints,
 * so LCS and n-gram work compares numbers, not strings.
 */

/** Maps token strings to small ints (first seen, first numbered); one instance per scored pair. */
export class Interner {
  readonly ids = new Map<string, number>();
  of(tokens: readonly string[]): Int32Array {
    const out = new Int32Array(tokens.length);
    for (let i = 0; i < tokens.length; i++) {
      let id = this.ids.get(tokens[i]);
      if (id === undefined) { id = this.ids.size; this.ids.set(tokens[i], id); }
      out[i] = id;
    }
    return out;
  }
}

/**
 * n-gram multiset as key → count. Keys are numbers (base-`vocab` digits of the token ids) while they stay
 * exact integers, else id strings, so tokens containing any character stay distinct.
 */
export function ngramCounts(ids: Int32Array, n: number, vocab: number): Map<string | number, number> {
  const m = new Map<string | number, number>();
  const numeric = vocab ** n < Number.MAX_SAFE_INTEGER;
  for (let i = 0; i + n <= ids.length; i++) {
    let key: string | number;
    if (numeric) { key = 0; for (let k = 0; k < n; k++) key = key * vocab + ids[i + k]; }
    else key = ids.subarray(i, i + n).join(',');
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  return m;
}
