/**
 * Order statistics of timings (median, IQR) and `timeRepeats`, the one-arm door to the timing engine: warm-up
 * runs (JIT, wasm compile, allocator) are discarded, then each timed repeat is one engine round (wall and CPU
 * time, the quiet-machine guard re-running a noisy repeat, the machine-wide timing lock), and we report the median
 * and interquartile range rather than a mean that one GC pause can move.
 *
 * @example
 * const t = await timeRepeats(() => step(), { warmup: 2, repeats: 10 });
 * console.log(formatStat(t, 'ms'));   // "412.3 ms (IQR 405.1–420.8, n=10)"
 * t.cpu?.median; t.timing?.noise.status   // CPU ms per repeat; how quiet the machine was
 */
import { timingRecord, type TimingRecord } from './record.ts';
import { timeArms, type Probe } from './engine.ts';
import { quantile } from './order-stats.ts';


export interface Stat {
  median: number;
  q1: number;
  q3: number;
  iqr: number;
  min: number;
  max: number;
  mean: number;
  n: number;
  samples: number[];
  /** CPU time (user + system ms) of the same repeats, when timed by the engine. */
  cpu?: Stat;
  /** The engine's record of the repeats: rounds, re-runs, noise provenance. */
  timing?: TimingRecord;
}

export function summarize(samples: readonly number[]): Stat {
  const s = [...samples].sort((a, b) => a - b);
  const q1 = quantile(s, 0.25);
  const q3 = quantile(s, 0.75);
  return {
    median: quantile(s, 0.5),
    q1,
    q3,
    iqr: q3 - q1,
    min: s[0] ?? NaN,
    max: s[s.length - 1] ?? NaN,
    mean: s.reduce((a, b) => a + b, 0) / (s.length || 1),
    n: s.length,
    samples: [...samples],
  };
}

/**
 * Times `fn` (sync or async) `repeats` times after `warmup` untimed runs through the timing engine (one arm,
 * one step per round); returns milliseconds, with the CPU ms and the timing record attached.
 */
export async function timeRepeats(fn: () => unknown, opts: { warmup?: number; repeats?: number; probe?: Probe } = {}): Promise<Stat> {
  const { warmup = 1, repeats = 5 } = opts;
  const r = await timeArms([{ name: 'fn', step: async () => void (await fn()) }], {
    seed: 'time-repeats', batches: 1, warmupRounds: warmup, minRounds: repeats, maxRounds: repeats, target: -1, probe: opts.probe,
  });
  const a = r.arms[0]!;
  return { ...summarize(a.wallMs), cpu: summarize(a.cpuMs), timing: timingRecord(r) };
}

export function formatStat(s: Stat, unit: string, digits = 1): string {
  return `${s.median.toFixed(digits)} ${unit} (IQR ${s.q1.toFixed(digits)}–${s.q3.toFixed(digits)}, n=${s.n})`;
}
