/** Brute-force span matching (quadratic substring search), the reference the suffix-array version is tested against. */
import type { SpanOptions } from './match.ts';

function occurrences(items: readonly ArrayLike<number>[], pat: ArrayLike<number>): Map<number, number> {
  const out = new Map<number, number>();
  items.forEach((it, j) => {
    for (let p = 0; p + pat.length <= it.length; p++) {
      let ok = true;
      for (let d = 0; d < pat.length && ok; d++) ok = it[p + d] === pat[d];
      if (ok) out.set(j, (out.get(j) ?? 0) + 1);
    }
  });
  return out;
}

export function bruteForceSpans(items: readonly ArrayLike<number>[], out: ArrayLike<number>, o: SpanOptions = {}) {
  const minLength = o.minLength ?? 3;
  const maxOcc = o.maxOccurrences ?? 10_000;
  const T = items.reduce((a, it) => a + it.length, 0);
  const slice = (i: number, len: number) => Array.prototype.slice.call(out, i, i + len) as number[];
  const L: number[] = [];
  for (let i = 0; i < out.length; i++) {
    let len = 0;
    while (i + len < out.length && occurrences(items, slice(i, len + 1)).size > 0) len++;
    L.push(len);
  }
  const spans = [];
  for (let i = 0; i < out.length; i++) {
    if (L[i] < minLength || (i > 0 && L[i] <= L[i - 1] - 1)) continue;
    const occ = occurrences(items, slice(i, L[i]));
    const count = [...occ.values()].reduce((a, b) => a + b, 0);
    spans.push({ start: i, length: L[i], count, weight: L[i] * Math.log2(1 + T / count), items: count <= maxOcc ? occ : new Map<number, number>() });
  }
  return { lengths: L, spans };
}
