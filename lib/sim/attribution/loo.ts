/** Leave-one-out: φ_i = U(N) − U(N \ {i}). Cheap (n+1 calls) but blind to redundancy: two copies both get 0. */
import type { Game } from './game.ts';

export function leaveOneOut(game: Game): Float64Array {
  const all = Array.from({ length: game.n }, (_, i) => i);
  const full = game.value(all);
  const out = new Float64Array(game.n);
  for (let i = 0; i < game.n; i++) out[i] = full - game.value(all.filter((j) => j !== i));
  return out;
}
