/**
 * Exact semivalues by enumerating all 2^n coalitions: the reference the estimators are tested against.
 * Only for small games (n ≤ 20); each coalition is evaluated once and cached by bitmask.
 */
import { LedgerLabError } from '../../errors.ts';
import type { Game } from './game.ts';

const MAX_EXACT = 20;

function allValues(game: Game, where: string): Float64Array {
  const n = game.n;
  if (n > MAX_EXACT) {
    throw new LedgerLabError({
      kind: 'usage', problem: `exact enumeration over ${n} players needs 2^${n} utility calls`, where,
      hint: `use a Monte-Carlo estimator or KNN-Shapley above ${MAX_EXACT} players`,
    });
  }
  const vals = new Float64Array(1 << n);
  const members: number[] = [];
  for (let mask = 0; mask < 1 << n; mask++) {
    members.length = 0;
    for (let i = 0; i < n; i++) if (mask & (1 << i)) members.push(i);
    vals[mask] = game.value(members);
  }
  return vals;
}

function popcount(x: number): number {
  let c = 0;
  while (x) { x &= x - 1; c++; }
  return c;
}

/**
 * Shapley values φ_i = Σ_{S ⊆ N\{i}} |S|!(n−|S|−1)!/n! · (U(S∪{i}) − U(S)).
 *
 * @example
 * bruteForceShapley(gameOf(2, (s) => (s.length === 2 ? 1 : 0)))   // [0.5, 0.5]
 */
export function bruteForceShapley(game: Game): Float64Array {
  const n = game.n;
  const vals = allValues(game, 'bruteForceShapley');
  // weight[s] = s!(n−s−1)!/n!, built as a ratio of products to stay exact-ish in floating point.
  const weight = new Float64Array(n);
  for (let s = 0; s < n; s++) {
    let w = 1 / n;
    // 1/(n · C(n−1, s))
    let c = 1;
    for (let j = 0; j < s; j++) c = (c * (n - 1 - j)) / (j + 1);
    w /= c;
    weight[s] = w;
  }
  const phi = new Float64Array(n);
  for (let mask = 0; mask < 1 << n; mask++) {
    const s = popcount(mask);
    for (let i = 0; i < n; i++) {
      if (mask & (1 << i)) continue;
      phi[i] += weight[s] * (vals[mask | (1 << i)] - vals[mask]);
    }
  }
  return phi;
}

/** Banzhaf values β_i = 2^{−(n−1)} Σ_{S ⊆ N\{i}} (U(S∪{i}) − U(S)). */
export function bruteForceBanzhaf(game: Game): Float64Array {
  const n = game.n;
  const vals = allValues(game, 'bruteForceBanzhaf');
  const beta = new Float64Array(n);
  const scale = 1 / 2 ** (n - 1);
  for (let mask = 0; mask < 1 << n; mask++) {
    for (let i = 0; i < n; i++) if (!(mask & (1 << i))) beta[i] += scale * (vals[mask | (1 << i)] - vals[mask]);
  }
  return beta;
}
