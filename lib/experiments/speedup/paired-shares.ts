/**
 * The factorial decomposition on paired round data: each cell's speed is expressed per round relative to the
 * fast cell of the same round (log throughput − the fast cell's), the median over rounds of that paired
 * log-ratio is the cell's value, and decompose() splits those values. Because the point estimates are one
 * decomposition of one set of values, the Shapley values still multiply exactly to the total ratio, and the
 * total is exactly the paired median of fast / slow, the engine's own `factorial` figure. Intervals: a seeded
 * bootstrap over rounds (the same resampled rounds for every cell, keeping the pairing), percentile, on the
 * ratio scale, so never ≤ 0.
 *
 * @example
 * const d = pairedShares(['padding'], new Map([['', [ln(10), ln(11)]], ['padding', [ln(5), ln(5.5)]]]), 's');
 * d.ratio.mean   // 2 (fast is twice the slow cell in every round)
 */
import { LedgerLabError } from '../../errors.ts';
import { Rng } from '../../util/index.ts';
import { median, quantileOf, type Interval } from '../../measure/index.ts';
import { decompose, type Decomposition } from './decompose.ts';

/** A key of a set of switched factors (order-free); '' = the fast cell. */
export const switchedKey = (s: Iterable<string>) => [...s].sort().join('+');

/**
 * Which measured cell a set of switched factors maps to (the grid is deduplicated: a prefix length under the
 * fast method changes nothing, so those cells are measured once without 'prefix').
 */
export function cellFor(s: ReadonlySet<string>, measured: ReadonlyMap<string, unknown>): string {
  const k = s.has('method') ? switchedKey(s) : switchedKey([...s].filter((f) => f !== 'prefix'));
  if (!measured.has(k)) throw new LedgerLabError({ kind: 'runtime', code: 'runtime.missing_cell', problem: `no measured cell for {${k}}`, where: 'speedup factorial cells' });
  return k;
}

export interface PairedShares {
  ratio: Interval;
  shapley: Record<string, Interval>;
  main: Record<string, Interval>;
  interaction: Interval;
  /** The point decomposition (logs), for waterfalls. */
  decomposition: Decomposition;
}

/** Point decomposition of the paired medians of the given rounds (indices into each cell's per-round logs). */
function decomposeRounds(factors: readonly string[], logs: ReadonlyMap<string, readonly number[]>, rounds: readonly number[]): Decomposition {
  const fast = logs.get('')!;
  const value = new Map([...logs].map(([k, xs]) => [k, median(rounds.map((r) => xs[r]! - fast[r]!))]));
  return decompose(factors, (s) => Math.exp(value.get(cellFor(s, value))!));
}

/** `logs`: per cell key, the log throughput of every kept round (same rounds, same order, for every cell). */
export function pairedShares(factors: readonly string[], logs: ReadonlyMap<string, readonly number[]>, seed: number | string, o: { resamples?: number; level?: number } = {}): PairedShares {
  const n = logs.get('')?.length ?? 0;
  const point = decomposeRounds(factors, logs, Array.from({ length: n }, (_, i) => i));
  const level = o.level ?? 0.95;
  const draws: Decomposition[] = [];
  if (n > 1) {
    const rng = new Rng(`${seed}:paired-shares:${n}`);
    for (let b = 0; b < (o.resamples ?? 1000); b++) draws.push(decomposeRounds(factors, logs, Array.from({ length: n }, () => rng.int(n))));
  }
  const a = (1 - level) / 2;
  const iv = (pt: number, pick: (d: Decomposition) => number): Interval => {
    const xs = draws.map(pick);
    return xs.length ? { mean: Math.exp(pt), lo: Math.exp(quantileOf(xs, a)), hi: Math.exp(quantileOf(xs, 1 - a)), level, n } : { mean: Math.exp(pt), lo: Math.exp(pt), hi: Math.exp(pt), level, n };
  };
  return {
    ratio: iv(point.total, (d) => d.total),
    shapley: Object.fromEntries(factors.map((f) => [f, iv(point.shapley[f]!, (d) => d.shapley[f]!)])),
    main: Object.fromEntries(factors.map((f) => [f, iv(point.main[f]!, (d) => d.main[f]!)])),
    interaction: iv(point.interaction, (d) => d.interaction),
    decomposition: point,
  };
}
