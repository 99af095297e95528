/**
 * Seeded Monte-Carlo estimators. Data Shapley (Ghorbani & Zou 2019) averages marginal contributions over
 * random permutations; Data Banzhaf (Wang & Jia 2023) uses maximum-sample-reuse: every uniformly sampled
 * coalition updates every player's "with" or "without" mean. Same seed, same estimate.
 */
import type { Rng } from '../../util/index.ts';
import type { Game } from './game.ts';

/**
 * Permutation-sampling Shapley. With `antithetic` each permutation is also used reversed, which cancels
 * much of the variance for monotone utilities at no extra randomness.
 *
 * @example
 * monteCarloShapley(game, { permutations: 200, rng: new Rng(1) })
 */
export function monteCarloShapley(game: Game, opts: { permutations: number; rng: Rng; antithetic?: boolean }): Float64Array {
  const n = game.n;
  const phi = new Float64Array(n);
  const ids = Array.from({ length: n }, (_, i) => i);
  let count = 0;
  const walk = (perm: readonly number[]) => {
    let prev = game.value([]);
    if (game.incremental) {
      const acc = game.incremental();
      for (const i of perm) {
        const v = acc.add(i);
        phi[i] += v - prev;
        prev = v;
      }
    } else {
      const members: number[] = [];
      for (const i of perm) {
        members.push(i);
        const v = game.value(members);
        phi[i] += v - prev;
        prev = v;
      }
    }
    count++;
  };
  for (let p = 0; p < opts.permutations; p++) {
    const perm = opts.rng.shuffle(ids);
    walk(perm);
    if (opts.antithetic) walk(perm.slice().reverse());
  }
  for (let i = 0; i < n; i++) phi[i] /= count;
  return phi;
}

/** Maximum-sample-reuse Banzhaf: β_i ≈ mean U(S | i ∈ S) − mean U(S | i ∉ S), S uniform over subsets. */
export function monteCarloBanzhaf(game: Game, opts: { samples: number; rng: Rng }): Float64Array {
  const n = game.n;
  const withSum = new Float64Array(n), withCount = new Float64Array(n);
  const withoutSum = new Float64Array(n), withoutCount = new Float64Array(n);
  const inS = new Uint8Array(n);
  const members: number[] = [];
  for (let t = 0; t < opts.samples; t++) {
    members.length = 0;
    for (let i = 0; i < n; i++) {
      inS[i] = opts.rng.next() < 0.5 ? 1 : 0;
      if (inS[i]) members.push(i);
    }
    const v = game.value(members);
    for (let i = 0; i < n; i++) {
      if (inS[i]) { withSum[i] += v; withCount[i]++; } else { withoutSum[i] += v; withoutCount[i]++; }
    }
  }
  const beta = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const a = withCount[i] ? withSum[i] / withCount[i] : 0;
    const b = withoutCount[i] ? withoutSum[i] / withoutCount[i] : 0;
    beta[i] = a - b;
  }
  return beta;
}
