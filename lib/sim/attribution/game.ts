/**
 * A cooperative game over players 0..n-1 (data items, or groups of them). `value` is the utility of a
 * coalition; `incremental` (optional) lets permutation samplers add players one at a time in O(k) instead
 * of re-evaluating the whole coalition, which is what makes Monte-Carlo Shapley affordable per query.
 */
export interface Game {
  n: number;
  /** Utility of a coalition (player indices, any order, no repeats). */
  value(players: readonly number[]): number;
  /** A fresh accumulator starting from the empty coalition; `add(i)` returns the utility after adding i. */
  incremental?(): { add(i: number): number };
}

/** A game from a plain function; the optional incremental form is used when given. */
export function gameOf(n: number, value: (players: readonly number[]) => number, incremental?: () => { add(i: number): number }): Game {
  return incremental ? { n, value, incremental } : { n, value };
}

/** The game restricted/merged to groups: player g of the quotient game is the set of members `groups[g]`. */
export function quotientGame(game: Game, groups: readonly (readonly number[])[]): Game {
  return {
    n: groups.length,
    value: (gs) => game.value(gs.flatMap((g) => groups[g])),
    incremental: game.incremental
      ? () => {
          const inner = game.incremental!();
          let last = 0;
          return {
            add(g: number) {
              for (const i of groups[g]) last = inner.add(i);
              return last;
            },
          };
        }
      : undefined,
  };
}
