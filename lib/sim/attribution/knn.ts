/**
 * Exact KNN-Shapley (Jia et al. 2019, "Efficient task-specific data valuation for nearest neighbor
 * algorithms", Theorem 1) for a top-K retrieval utility: U(S) = (1/K) Σ_{k ≤ min(K,|S|)} g(α_k(S)), where
 * α_k(S) is the k-th most similar member of S and g an item's gain (1[label matches] in the paper; here any
 * real gain, e.g. quality × relevance — the recursion is linear in the gains, so it holds unchanged).
 * One sort, then an O(N) recursion from the farthest item inwards: O(N log N) per query.
 */
import type { Game } from './game.ts';

/**
 * Ranking used everywhere in the simulator: higher similarity first, ties broken by lower index, so the
 * brute-force game and the recursion agree on "the k-th nearest".
 */
export function rankBySimilarity(similarity: ArrayLike<number>): number[] {
  const idx = Array.from({ length: similarity.length }, (_, i) => i);
  idx.sort((a, b) => similarity[b] - similarity[a] || a - b);
  return idx;
}

/**
 * KNN-Shapley values of every item for one query.
 *
 * @example
 * knnShapley([0.9, 0.1, 0.5], [1, 0, 1], 1)   // item 0 nearest: values [2/3·…] — see tests for exact cases
 */
export function knnShapley(similarity: ArrayLike<number>, gain: ArrayLike<number>, k: number): Float64Array {
  const n = similarity.length;
  const out = new Float64Array(n);
  if (n === 0) return out;
  const order = rankBySimilarity(similarity);
  // s_{α_N} = g_N · min(K, N)/(N·K)... for N ≥ K this is g_N/N as in the paper; the general form covers N < K.
  let s = (gain[order[n - 1]] * Math.min(k, n)) / (n * k);
  out[order[n - 1]] = s;
  for (let r = n - 2; r >= 0; r--) {
    const i = r + 1; // 1-based rank of order[r]
    s += ((gain[order[r]] - gain[order[r + 1]]) / k) * (Math.min(k, i) / i);
    out[order[r]] = s;
  }
  return out;
}

/** The top-K retrieval game itself, for brute force and Monte-Carlo methods (incremental in O(K) per add). */
export function knnGame(similarity: ArrayLike<number>, gain: ArrayLike<number>, k: number): Game {
  const n = similarity.length;
  const rank = new Int32Array(n);
  rankBySimilarity(similarity).forEach((item, r) => (rank[item] = r));
  const value = (players: readonly number[]) => {
    const top = players.slice().sort((a, b) => rank[a] - rank[b]).slice(0, k);
    let u = 0;
    for (const i of top) u += gain[i];
    return u / k;
  };
  const incremental = () => {
    const top: number[] = []; // item ids, nearest first, at most k
    let sum = 0;
    return {
      add(i: number) {
        let pos = top.length;
        while (pos > 0 && rank[top[pos - 1]] > rank[i]) pos--;
        if (pos < k) {
          top.splice(pos, 0, i);
          sum += gain[i];
          if (top.length > k) sum -= gain[top.pop()!];
        }
        return sum / k;
      },
    };
  };
  return { n, value, incremental };
}
