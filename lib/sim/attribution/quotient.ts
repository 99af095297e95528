/**
 * Cluster-level ("quotient") values: groups of near-duplicate items or linked identities are scored as ONE
 * player of the quotient game, then the group's value is split inside the group. Copying an item or
 * splitting across identities then cannot create value: the group is worth what it adds as a whole.
 *
 * `represent: 'first'` lets only each group's first member enter the utility (near-duplicate clusters: the
 * copies add nothing the original does not); `'union'` uses all members (identity clusters).
 * `split: 'first'` gives the whole group value to the first member (the earliest registrant), `'equal'` shares it.
 */
import { LedgerLabError } from '../../errors.ts';
import type { Rng } from '../../util/index.ts';
import { type Game, quotientGame } from './game.ts';
import { bruteForceShapley } from './exact.ts';
import { monteCarloShapley } from './monte-carlo.ts';

export interface QuotientOptions {
  represent?: 'first' | 'union';
  split?: 'first' | 'equal';
  /** Exact enumeration over groups when there are at most this many (default 12), else Monte Carlo. */
  exactUpTo?: number;
  permutations?: number;
  rng?: Rng;
}

/** Checks that groups partition 0..n-1; a missing or repeated player is a usage error naming it. */
export function checkPartition(n: number, groups: readonly (readonly number[])[]): void {
  const seen = new Int32Array(n).fill(-1);
  groups.forEach((g, gi) => {
    if (g.length === 0) throw new LedgerLabError({ kind: 'usage', problem: `group ${gi} is empty`, where: 'quotientShapley groups' });
    for (const i of g) {
      if (!(i >= 0 && i < n) || seen[i] !== -1) {
        throw new LedgerLabError({ kind: 'usage', problem: `player ${i} is ${seen[i] !== -1 ? `in groups ${seen[i]} and ${gi}` : 'out of range'}`, where: 'quotientShapley groups', hint: 'groups must partition the players' });
      }
      seen[i] = gi;
    }
  });
  const missing = seen.indexOf(-1);
  if (missing >= 0) throw new LedgerLabError({ kind: 'usage', problem: `player ${missing} is in no group`, where: 'quotientShapley groups', hint: 'groups must partition the players (use singleton groups)' });
}

/** Splits group values to members by the split rule. */
export function splitGroupValues(n: number, groups: readonly (readonly number[])[], groupValues: ArrayLike<number>, split: 'first' | 'equal'): Float64Array {
  const out = new Float64Array(n);
  groups.forEach((g, gi) => {
    if (split === 'first') out[g[0]] = groupValues[gi];
    else for (const i of g) out[i] = groupValues[gi] / g.length;
  });
  return out;
}

export function quotientShapley(game: Game, groups: readonly (readonly number[])[], opts: QuotientOptions = {}): Float64Array {
  checkPartition(game.n, groups);
  const represent = opts.represent ?? 'first';
  const split = opts.split ?? 'first';
  const members = represent === 'first' ? groups.map((g) => [g[0]]) : groups;
  const q = quotientGame(game, members);
  let gv: Float64Array;
  if (groups.length <= (opts.exactUpTo ?? 12)) gv = bruteForceShapley(q);
  else {
    if (!opts.rng) throw new LedgerLabError({ kind: 'usage', problem: `${groups.length} groups need Monte-Carlo sampling but no rng was given`, where: 'quotientShapley', hint: 'pass { rng: new Rng(seed) }' });
    gv = monteCarloShapley(q, { permutations: opts.permutations ?? 200, rng: opts.rng });
  }
  return splitGroupValues(game.n, groups, gv, split);
}

/**
 * Groups items by near-duplicate similarity (single linkage over pairs with cosine ≥ threshold), members in
 * index order so the first member is the earliest-registered item.
 */
export function clusterBySimilarity(n: number, similar: (a: number, b: number) => boolean): number[][] {
  const parent = Array.from({ length: n }, (_, i) => i);
  const find = (x: number): number => (parent[x] === x ? x : (parent[x] = find(parent[x])));
  for (let a = 0; a < n; a++) for (let b = a + 1; b < n; b++) if (similar(a, b)) parent[find(b)] = find(a);
  const byRoot = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const r = find(i);
    if (!byRoot.has(r)) byRoot.set(r, []);
    byRoot.get(r)!.push(i);
  }
  return [...byRoot.values()].sort((x, y) => x[0] - y[0]);
}
