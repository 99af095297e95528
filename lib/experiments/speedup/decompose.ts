/**
 * Where does a speed ratio come from? Given throughput measured on a factorial grid of recipe factors
 * (method, padding, prefix length, gradient checkpointing, quantized base), split log(ratio) between the
 * factors. Two views:
 *   - main effects + interaction: each factor switched alone from the fast recipe, and the remainder;
 *   - Shapley values: each factor's average marginal effect over all orders in which the factors can be
 *     switched, which sums exactly to the full log-ratio (no order chosen by us, interactions shared fairly).
 * Ratios are multiplicative, so we work in log space and report exp(contribution) as "×".
 *
 * @example
 * const d = decompose(['padding', 'ckpt'], (switched) => speed[key(switched)], );
 * d.total;           // log(speed(fast) / speed(slow))
 * d.shapley.padding; // share of that log-ratio due to padding
 */

export interface Decomposition {
  factors: string[];
  /** log(speed with no factor switched / speed with all switched): the full log-ratio explained. */
  total: number;
  /** log-ratio when only this factor is switched. */
  main: Record<string, number>;
  /** total − Σ main: what the factors do together beyond their separate effects. */
  interaction: number;
  /** Shapley value of each factor; Σ shapley = total. */
  shapley: Record<string, number>;
}

/**
 * `speedOf(switched)` returns the throughput of the recipe in which exactly the factors in `switched` take the
 * slow recipe's level (the rest keep the fast recipe's). Factors that make no difference in some cells (a
 * prefix length under LoRA) simply return the same speed for both levels.
 */
export function decompose(factors: readonly string[], speedOf: (switched: ReadonlySet<string>) => number): Decomposition {
  const k = factors.length;
  const v = new Map<number, number>();
  const logBase = Math.log(speedOf(new Set()));
  // v(mask) = log speed(none) − log speed(mask): how many log-units slower switching these factors makes it.
  for (let mask = 0; mask < 1 << k; mask++) {
    const set = new Set(factors.filter((_, i) => mask & (1 << i)));
    v.set(mask, logBase - Math.log(speedOf(set)));
  }
  const all = (1 << k) - 1;
  const fact = (n: number): number => (n <= 1 ? 1 : n * fact(n - 1));
  const shapley: Record<string, number> = {};
  const main: Record<string, number> = {};
  factors.forEach((f, i) => {
    const bit = 1 << i;
    main[f] = v.get(bit)!;
    let phi = 0;
    for (let mask = 0; mask <= all; mask++) {
      if (mask & bit) continue;
      const size = popcount(mask);
      const weight = (fact(size) * fact(k - size - 1)) / fact(k);
      phi += weight * (v.get(mask | bit)! - v.get(mask)!);
    }
    shapley[f] = phi;
  });
  const total = v.get(all)!;
  const interaction = total - Object.values(main).reduce((a, b) => a + b, 0);
  return { factors: [...factors], total, main, interaction, shapley };
}

function popcount(x: number): number {
  let n = 0;
  for (; x; x &= x - 1) n++;
  return n;
}

export interface WaterfallStep {
  label: string;
  /** Multiplicative contribution (×). */
  factor: number;
  /** Running ratio after this step, starting from 1.0×. */
  cumulative: number;
}

/** Waterfall rows from 1.0× to the full ratio: one bar per factor (Shapley by default), then the total. */
export function waterfall(d: Decomposition, view: 'shapley' | 'main' = 'shapley'): WaterfallStep[] {
  const parts = d.factors.map((f) => ({ label: f, log: view === 'shapley' ? d.shapley[f] : d.main[f] }));
  if (view === 'main') parts.push({ label: 'interaction', log: d.interaction });
  let cum = 0;
  const rows = parts.map((p) => {
    cum += p.log;
    return { label: p.label, factor: Math.exp(p.log), cumulative: Math.exp(cum) };
  });
  rows.push({ label: 'total', factor: Math.exp(d.total), cumulative: Math.exp(d.total) });
  return rows;
}
