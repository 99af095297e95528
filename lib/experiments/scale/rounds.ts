/**
 * Interleaved measurement rounds, as pure logic (the timing itself is a callback): every round times every
 * cell exactly once, in an order shuffled by a seeded Rng per round, so slow drift of the machine (thermal,
 * another process, heap growth) spreads over all cells instead of lining up with one factor. Warm-up rounds
 * run first and are not recorded. The run stops after at least `roundsMin` recorded rounds once every cell's
 * IQR / median is below `iqrTarget`, or after `roundsMax` rounds, whichever comes first.
 *
 * @example
 * const r = await runRounds(3, { warmupRounds: 1, roundsMin: 3, roundsMax: 9, iqrTarget: 0.05, seed: 'x' }, (cell) => timeIt(cell));
 * r.times[cell];       // that cell's recorded seconds, one per round, in round order
 * r.overTarget;        // cells whose IQR stayed at or above the target
 */
import { Rng } from '../../util/index.ts';
import { quantile } from '../../measure/index.ts';

export interface RoundOptions {
  warmupRounds: number;
  roundsMin: number;
  roundsMax: number;
  iqrTarget: number;
  seed: number | string;
}

/** The order of round `round` (warm-up rounds are numbered −warmupRounds … −1). */
export function roundOrder(cells: number, seed: number | string, round: number): number[] {
  return new Rng(`${seed}:round:${round}`).shuffle(Array.from({ length: cells }, (_, i) => i));
}

/** Quantile of unsorted values (lib/measure's linear interpolation, numpy's default). */
export function quantileOf(xs: readonly number[], q: number): number {
  return quantile([...xs].sort((a, b) => a - b), q);
}

export const medianOf = (xs: readonly number[]): number => quantileOf(xs, 0.5);

/** Interquartile range over the median; Infinity with fewer than 2 values (no spread known yet). */
export function iqrRel(xs: readonly number[]): number {
  if (xs.length < 2) return Infinity;
  const s = [...xs].sort((a, b) => a - b);
  return (quantile(s, 0.75) - quantile(s, 0.25)) / quantile(s, 0.5);
}

/** The stop rule after `times[c]` holds every recorded round of cell c. */
export function shouldStop(times: readonly (readonly number[])[], o: Pick<RoundOptions, 'roundsMin' | 'roundsMax' | 'iqrTarget'>): boolean {
  const rounds = times[0]?.length ?? 0;
  if (rounds >= o.roundsMax) return true;
  if (rounds < o.roundsMin) return false;
  return times.every((t) => iqrRel(t) < o.iqrTarget);
}

export interface RoundsResult {
  /** times[cell][round]: recorded seconds. */
  times: number[][];
  rounds: number;
  /** the order each recorded round ran in (cell indices). */
  orders: number[][];
  /** cells whose IQR / median is still ≥ the target at the end. */
  overTarget: number[];
}

// Timings are synchronous tensor work: a turn of the event loop between them lets SIGINT/SIGTERM handlers
// (which mark the run interrupted) run, between timings rather than inside one.
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs the rounds; `time(cell)` returns the seconds one timing of that cell took. */
export async function runRounds(cells: number, o: RoundOptions, time: (cell: number, round: number) => number | Promise<number>, onRound?: (round: number, times: readonly (readonly number[])[]) => void): Promise<RoundsResult> {
  if (cells === 0) return { times: [], rounds: 0, orders: [], overTarget: [] };
  for (let w = -o.warmupRounds; w < 0; w++) {
    for (const c of roundOrder(cells, o.seed, w)) {
      await time(c, w);
      await yieldToEventLoop();
    }
  }
  const times: number[][] = Array.from({ length: cells }, () => []);
  const orders: number[][] = [];
  let round = 0;
  while (!shouldStop(times, o)) {
    const order = roundOrder(cells, o.seed, round);
    for (const c of order) {
      times[c].push(await time(c, round));
      await yieldToEventLoop();
    }
    orders.push(order);
    round++;
    onRound?.(round, times);
  }
  return { times, rounds: round, orders, overTarget: times.flatMap((t, c) => (iqrRel(t) < o.iqrTarget ? [] : [c])) };
}
