/**
 * Superseded for timing by lib/measure's engine (issue 28: the scale kind's cells are engine arms and its stop rule
 * is the rungs' ratio-interval half-width); kept for iqrRel / medianSpread, which the kind still records per cell.
 *
 * Interleaved measurement rounds, as pure logic (the timing itself is a callback): every round times every
 * cell exactly once, in an order shuffled by a seeded Rng per round, so slow drift of the machine (thermal,
 * another process, heap growth) spreads over all cells instead of lining up with one factor. Warm-up rounds
 * run first and are not recorded. The run stops after at least `roundsMin` recorded rounds once every cell's
 * MEDIAN has a spread (IQR of the median's bootstrap distribution / median) below `iqrTarget`, or after
 * `roundsMax` rounds, whichever comes first.
 *
 * Why the median's spread and not the samples' IQR: more rounds cannot shrink the IQR of single step times, only
 * the uncertainty of their median, so "enough rounds" can only mean the latter. On this machine (a VM whose host
 * takes the vCPU away in bursts) single timings of identical work vary by ±30% even alone on a pinned core,
 * while the minimum over a second of 3 ms timings stays within 1%; the samples' IQR is still recorded.
 *
 * @example
 * const r = await runRounds(3, { warmupRounds: 1, roundsMin: 3, roundsMax: 9, iqrTarget: 0.05, seed: 'x' }, (cell) => timeIt(cell));
 * r.times[cell];       // that cell's recorded seconds, one per round, in round order
 * r.overTarget;        // cells whose median's spread stayed at or above the target
 */
import { Rng } from '../../util/index.ts';
import { quantile, quantileOf, median } from '../../measure/index.ts';

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

/** Interquartile range over the median; Infinity with fewer than 2 values (no spread known yet). */
export function iqrRel(xs: readonly number[]): number {
  if (xs.length < 2) return Infinity;
  const s = [...xs].sort((a, b) => a - b);
  return (quantile(s, 0.75) - quantile(s, 0.25)) / quantile(s, 0.5);
}

/**
 * The spread of the median: IQR / median of the medians of `resamples` bootstrap resamples (seeded, so a run's
 * numbers are reproducible from its times). Infinity with fewer than 2 values.
 */
export function medianSpread(xs: readonly number[], seed: number | string = 'median-spread', resamples = 400): number {
  if (xs.length < 2) return Infinity;
  const rng = new Rng(`${seed}:${xs.length}`);
  const medians = Array.from({ length: resamples }, () => median(Array.from({ length: xs.length }, () => xs[rng.int(xs.length)]!)));
  return (quantileOf(medians, 0.75) - quantileOf(medians, 0.25)) / median(xs);
}

const spreads = (times: readonly (readonly number[])[]) => times.map((t, c) => medianSpread(t, c));

/** The stop rule after `rounds` recorded rounds whose cells' medians have these spreads. */
function stopAt(rounds: number, spread: readonly number[], o: Pick<RoundOptions, 'roundsMin' | 'roundsMax' | 'iqrTarget'>): boolean {
  if (rounds >= o.roundsMax) return true;
  if (rounds < o.roundsMin) return false;
  return spread.every((x) => x < o.iqrTarget);
}

/** The stop rule after `times[c]` holds every recorded round of cell c. */
export function shouldStop(times: readonly (readonly number[])[], o: Pick<RoundOptions, 'roundsMin' | 'roundsMax' | 'iqrTarget'>): boolean {
  return stopAt(times[0]?.length ?? 0, spreads(times), o);
}

export interface RoundsResult {
  /** times[cell][round]: recorded seconds. */
  times: number[][];
  rounds: number;
  /** the order each recorded round ran in (cell indices). */
  orders: number[][];
  /** spread[cell]: the median's spread at the end (medianSpread). */
  spread: number[];
  /** cells whose median's spread is still ≥ the target at the end. */
  overTarget: number[];
}

// Timings are synchronous tensor work: a turn of the event loop between them lets SIGINT/SIGTERM handlers
// (which mark the run interrupted) run, between timings rather than inside one.
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Runs the rounds; `time(cell)` returns the seconds one timing of that cell took. */
export async function runRounds(cells: number, o: RoundOptions, time: (cell: number, round: number) => number | Promise<number>, onRound?: (round: number, times: readonly (readonly number[])[], spread: readonly number[]) => void): Promise<RoundsResult> {
  if (cells === 0) return { times: [], rounds: 0, orders: [], spread: [], overTarget: [] };
  for (let w = -o.warmupRounds; w < 0; w++) {
    for (const c of roundOrder(cells, o.seed, w)) {
      await time(c, w);
      await yieldToEventLoop();
    }
  }
  const times: number[][] = Array.from({ length: cells }, () => []);
  const orders: number[][] = [];
  let round = 0;
  let spread = spreads(times);
  while (!stopAt(round, spread, o)) {
    const order = roundOrder(cells, o.seed, round);
    for (const c of order) {
      times[c].push(await time(c, round));
      await yieldToEventLoop();
    }
    orders.push(order);
    round++;
    spread = spreads(times);
    onRound?.(round, times, spread);
  }
  return { times, rounds: round, orders, spread, overTarget: spread.flatMap((x, c) => (x < o.iqrTarget ? [] : [c])) };
}
