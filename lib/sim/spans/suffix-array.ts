/**
 * A suffix array over a token corpus (Int32Array of token ids ≥ 0), built by prefix doubling with two-pass
 * radix sort (Manber & Myers 1993): O(n log n) time, a few typed arrays of n ints, no comparisons of strings.
 * Lookups narrow a [lo, hi) range of suffixes one token at a time by binary search (Infini-gram's count
 * query): O(L log n) for a pattern of L tokens, independent of how many times it occurs.
 */

export class SuffixArray {
  readonly tokens: Int32Array;
  /** sa[r] = start of the r-th smallest suffix. */
  readonly sa: Int32Array;

  constructor(tokens: Int32Array) {
    this.tokens = tokens;
    this.sa = buildSuffixArray(tokens);
  }

  get length(): number {
    return this.tokens.length;
  }

  /**
   * Narrows the range of suffixes whose first `depth` tokens match, to those whose token at `depth` is `t`.
   * Returns [lo, hi) (empty when lo === hi). Start with [0, n) and depth 0.
   */
  refine(lo: number, hi: number, depth: number, t: number): [number, number] {
    const { sa, tokens } = this;
    const n = tokens.length;
    const at = (r: number) => {
      const p = sa[r] + depth;
      return p < n ? tokens[p] : -1; // past the end sorts first
    };
    let a = lo, b = hi;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (at(m) < t) a = m + 1;
      else b = m;
    }
    const start = a;
    b = hi;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (at(m) <= t) a = m + 1;
      else b = m;
    }
    return [start, a];
  }

  /** [lo, hi) of the suffixes starting with `pattern` (hi − lo = its number of occurrences). */
  find(pattern: ArrayLike<number>): [number, number] {
    let lo = 0, hi = this.sa.length;
    for (let d = 0; d < pattern.length && lo < hi; d++) [lo, hi] = this.refine(lo, hi, d, pattern[d]);
    return [lo, hi];
  }
}

/** Suffix array of `s` (values ≥ 0). Ties cannot occur: suffixes have distinct lengths. */
export function buildSuffixArray(s: Int32Array): Int32Array {
  const n = s.length;
  const sa = new Int32Array(n);
  if (n === 0) return sa;
  // Initial ranks: the token values compressed to 1..σ (0 is reserved for "past the end").
  let maxTok = 0;
  for (let i = 0; i < n; i++) if (s[i] > maxTok) maxTok = s[i];
  const present = new Int32Array(maxTok + 2);
  for (let i = 0; i < n; i++) present[s[i] + 1] = 1;
  for (let v = 1; v < present.length; v++) present[v] += present[v - 1];
  let rank = new Int32Array(n);
  for (let i = 0; i < n; i++) rank[i] = present[s[i] + 1];
  let classes = present[present.length - 1];
  let tmp = new Int32Array(n);
  const second = new Int32Array(n);
  for (let k = 1; ; k <<= 1) {
    // Sort by (rank[i], rank[i + k]) with rank past the end = 0: LSD radix, counting sort per key.
    const count = new Int32Array(classes + 1);
    for (let i = 0; i < n; i++) count[i + k < n ? rank[i + k] : 0]++;
    for (let c = 1; c <= classes; c++) count[c] += count[c - 1];
    for (let i = n - 1; i >= 0; i--) second[--count[i + k < n ? rank[i + k] : 0]] = i;
    count.fill(0);
    for (let i = 0; i < n; i++) count[rank[i]]++;
    for (let c = 1; c <= classes; c++) count[c] += count[c - 1];
    for (let j = n - 1; j >= 0; j--) {
      const i = second[j];
      sa[--count[rank[i]]] = i;
    }
    tmp[sa[0]] = 1;
    let c = 1;
    for (let j = 1; j < n; j++) {
      const a = sa[j - 1], b = sa[j];
      const ra = a + k < n ? rank[a + k] : 0, rb = b + k < n ? rank[b + k] : 0;
      if (rank[a] !== rank[b] || ra !== rb) c++;
      tmp[b] = c;
    }
    [rank, tmp] = [tmp, rank];
    classes = c;
    if (classes === n || k >= n) break;
  }
  return sa;
}
