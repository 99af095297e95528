/**
 * The timing engine: every timed figure LedgerLab prints or records comes from here. Arms (the recipes of a
 * ratio, the cells of a factorial, LedgerLab and PyTorch) are timed in rounds; in each round every arm runs one
 * step on each of the same batch ids (common random numbers: the caller maps id → a batch fixed per seed, so
 * every arm sees identical work; with `rotate`, successive rounds take successive ids of a larger pool, so a
 * seed's figure covers more of its data at no extra cost per round), and the (arm, batch) steps run in a freshly
 * seeded-shuffled order, so drift of the machine spreads over every arm instead of lining up with one. Figures
 * are formed per round (paired) and summarised by ./paired.ts; wall AND process CPU time are kept for every
 * step; each round is judged by the quiet-machine guard (./guard.ts) and re-run when noisy, up to a cap; rounds
 * continue until every reported ratio's interval is narrow enough (`target`, relative half-width) or a time cap;
 * what stopped it is recorded. The rounds hold the machine-wide timing lock (./lock.ts).
 *
 * @example
 * const r = await timeArms([{ name: 'fast', step: (b) => stepFast(b) }, { name: 'slow', step: (b) => stepSlow(b) }],
 *   { seed: 0, batches: 4, ratios: [ratioOf('fast', 'slow')] });
 * r.ratios['fast/slow'].wall   // { mean: 3.1, lo: 3.0, hi: 3.2, level: 0.95, n: 12 }
 */
import { loadavg } from 'node:os';
import { LedgerLabError } from '../errors.ts';
import { Rng } from '../util/index.ts';
import { readProcStat, type ProcStat } from './procstat.ts';
import { judgeRound, cellStatus, DEFAULT_GUARD, type GuardLimits, type RoundNoise, type QuietStatus } from './guard.ts';
import { logInterval, relHalfWidth } from './paired.ts';
import { withTimingLock, type LockRecord } from './lock.ts';
import { median } from './order-stats.ts';
import type { Interval } from './stats.ts';

/** What a step that timed itself (a child process) reports; the engine times in-process steps itself. */
export interface StepTimes { wallMs: number; cpuMs: number }

export interface Arm {
  name: string;
  /** One step on batch id `batch` (0 … batches − 1, the same ids for every arm). */
  step(batch: number): void | StepTimes | Promise<void | StepTimes>;
  /** Work units (samples, tokens) of the step on `batch`, for throughputs; default 1. */
  work?(batch: number): number;
}

/** A figure formed per round from the arms' throughputs (work / s), as a log (e.g. a log-ratio). */
export interface Estimand { name: string; log(throughput: Readonly<Record<string, number>>): number }

/** The ratio of two arms' throughputs, named "a/b". */
export const ratioOf = (a: string, b: string, name = `${a}/${b}`): Estimand => ({ name, log: (t) => Math.log(t[a]! / t[b]!) });

/** Clocks and counters, injectable so tests replay recorded /proc/stat samples and fake time. */
export interface Probe {
  wallMs(): number;
  /** This process's user + system time, ms. */
  cpuMs(): number;
  procStat(): ProcStat | undefined;
  loadavg(): number[];
}

export const systemProbe: Probe = {
  wallMs: () => performance.now(),
  cpuMs: () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; },
  procStat: () => readProcStat(),
  loadavg: () => loadavg(),
};

export interface TimingOptions {
  seed: number | string;
  /** Batch ids per round (every arm runs each once per round). */
  batches: number;
  /**
   * Rounds per cycle (default 1). The arms' batch ids are a pool of `batches × rotate`, taken `batches` at a time
   * in turn: round r runs ids (r mod rotate)·batches … + batches − 1, every arm the same ones. A seed's figure then
   * rests on the whole pool at the cost of one round's work per round; the stop rule (target, caps) is checked only
   * after whole cycles, so every batch id counts equally in the medians.
   */
  rotate?: number;
  ratios?: readonly Estimand[];
  warmupRounds?: number;
  minRounds?: number;
  maxRounds?: number;
  /** Seconds of recorded rounds after which the engine stops even if the target is not met. */
  timeCapS?: number;
  /** Relative half-width every ratio's interval must reach (default 0.025); arms' throughputs when no ratios. */
  target?: number;
  /** The time the stop rule and the headline figures use (default wall; both are always reported). */
  basis?: 'wall' | 'cpu';
  /** Thread count the timed work runs at (recorded; the caller sets it). */
  threads?: number;
  guard?: Partial<GuardLimits>;
  /** Re-runs of one noisy round before it is kept as noisy (default 2). */
  maxReruns?: number;
  /** Take the machine-wide timing lock (default true). */
  lock?: boolean;
  probe?: Probe;
  resamples?: number;
  onRound?: (round: number, result: TimingResult) => void;
}

export interface ArmTiming {
  name: string;
  /** Per kept round: the arm's summed wall and CPU ms over the round's batches. */
  wallMs: number[];
  cpuMs: number[];
  /** Per kept round: the work units of the round's batches (they differ between rounds only with `rotate`). */
  work: number[];
  throughput: { wall: Interval; cpu: Interval };
  /** Per-step time (ms) per round, summarised the same way. */
  stepMs: { wall: Interval; cpu: Interval };
  status: QuietStatus;
}

export interface EstimandTiming { wall: Interval; cpu: Interval; /** relative half-width on the basis */ halfWidth: number }

export type StopReason = 'target' | 'time-cap' | 'max-rounds';

export interface NoiseRecord {
  status: QuietStatus;
  limits: GuardLimits;
  rounds: RoundNoise[];
  /** Median and max foreign load over kept rounds (cores); null: unknown. */
  foreignCores: { median: number; max: number } | null;
  stealMax: number | null;
  noisyRounds: number;
  loadAvg: { start: number[]; end: number[] };
}

export interface TimingResult {
  arms: ArmTiming[];
  ratios: Record<string, EstimandTiming>;
  rounds: number;
  reruns: number;
  stoppedBy: StopReason;
  basis: 'wall' | 'cpu';
  target: number;
  threads: number;
  batches: number;
  rotate: number;
  /** Seconds of the recorded rounds (re-runs included). */
  seconds: number;
  noise: NoiseRecord;
  lock: LockRecord | null;
}

/** The (arm, batch) steps of one round in their seeded-shuffled order. */
export function roundSteps(arms: number, batches: number, seed: number | string, round: number, attempt = 0): [number, number][] {
  const steps: [number, number][] = [];
  for (let a = 0; a < arms; a++) for (let b = 0; b < batches; b++) steps.push([a, b]);
  return new Rng(`${seed}:timing-round:${round}:${attempt}`).shuffle(steps);
}

// A turn of the event loop between steps lets SIGINT/SIGTERM handlers (which mark a run interrupted) run.
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

interface RoundRecord { wallMs: number[]; cpuMs: number[]; work: number[]; noise: RoundNoise }

/** The batch ids round `round` runs (warm-up rounds have negative numbers and take the pool's last ids). */
export function roundBatchIds(batches: number, rotate: number, round: number): number[] {
  const first = (((round % rotate) + rotate) % rotate) * batches;
  return Array.from({ length: batches }, (_, j) => first + j);
}

async function runRound(arms: readonly Arm[], o: TimingOptions, probe: Probe, round: number, attempt: number, limits: GuardLimits): Promise<RoundRecord> {
  const wallMs = arms.map(() => 0), cpuMs = arms.map(() => 0);
  const ids = roundBatchIds(o.batches, o.rotate ?? 1, round);
  const work = arms.map((arm) => ids.reduce((sum, b) => sum + (arm.work?.(b) ?? 1), 0));
  let childCpuMs = 0;
  const s0 = probe.procStat(), w0 = probe.wallMs(), c0 = probe.cpuMs();
  for (const [a, j] of roundSteps(arms.length, o.batches, o.seed, round, attempt)) {
    const tw = probe.wallMs(), tc = probe.cpuMs();
    const self = await arms[a]!.step(ids[j]!);
    if (self) {
      wallMs[a] += self.wallMs;
      cpuMs[a] += self.cpuMs;
      childCpuMs += self.cpuMs;
    } else {
      wallMs[a] += probe.wallMs() - tw;
      cpuMs[a] += probe.cpuMs() - tc;
    }
    await yieldToEventLoop();
  }
  const noise = judgeRound(s0, probe.procStat(), { ourCpuMs: probe.cpuMs() - c0 + childCpuMs, wallMs: probe.wallMs() - w0 }, limits);
  return { wallMs, cpuMs, work, noise };
}

/** The result so far from the kept rounds. */
export function summarise(arms: readonly Arm[], kept: readonly RoundRecord[], o: TimingOptions, extra: { reruns: number; stoppedBy: StopReason; seconds: number; loadAvg: NoiseRecord['loadAvg']; lock: LockRecord | null }): TimingResult {
  const basis = o.basis ?? 'wall';
  const iv = (logs: number[], key: string) => logInterval(logs, `${o.seed}:${key}`, { resamples: o.resamples });
  const noiseRounds = kept.map((r) => r.noise);
  const status = cellStatus(noiseRounds);
  const armTimings: ArmTiming[] = arms.map((arm, a) => {
    const work = kept.map((r) => r.work[a]!);
    const wall = kept.map((r) => r.wallMs[a]!), cpu = kept.map((r) => r.cpuMs[a]!);
    const rate = (ms: number, i: number) => Math.log(work[i]! / (ms / 1000));
    return {
      name: arm.name, wallMs: wall, cpuMs: cpu, work,
      throughput: { wall: iv(wall.map(rate), `${arm.name}:tw`), cpu: iv(cpu.map(rate), `${arm.name}:tc`) },
      stepMs: { wall: iv(wall.map((ms) => Math.log(ms / o.batches)), `${arm.name}:sw`), cpu: iv(cpu.map((ms) => Math.log(ms / o.batches)), `${arm.name}:sc`) },
      status,
    };
  });
  const perRound = (k: 'wallMs' | 'cpuMs', r: RoundRecord) => Object.fromEntries(arms.map((arm, a) => [arm.name, r.work[a]! / (r[k][a]! / 1000)]));
  const ratios: Record<string, EstimandTiming> = {};
  for (const e of o.ratios ?? []) {
    const wall = iv(kept.map((r) => e.log(perRound('wallMs', r))), `${e.name}:w`);
    const cpu = iv(kept.map((r) => e.log(perRound('cpuMs', r))), `${e.name}:c`);
    ratios[e.name] = { wall, cpu, halfWidth: relHalfWidth(basis === 'wall' ? wall : cpu) };
  }
  return {
    arms: armTimings, ratios, rounds: kept.length, reruns: extra.reruns, stoppedBy: extra.stoppedBy, basis,
    target: o.target ?? 0.025, threads: o.threads ?? 1, batches: o.batches, rotate: o.rotate ?? 1, seconds: extra.seconds,
    noise: noiseRecord(noiseRounds, status, { ...DEFAULT_GUARD, ...o.guard }, extra.loadAvg), lock: extra.lock,
  };
}

function noiseRecord(rounds: RoundNoise[], status: QuietStatus, limits: GuardLimits, loadAvg: NoiseRecord['loadAvg']): NoiseRecord {
  const known = rounds.filter((r) => r.foreignCores !== null);
  const fc = known.map((r) => r.foreignCores!);
  return {
    status, limits, rounds, loadAvg,
    foreignCores: known.length ? { median: median(fc), max: Math.max(...fc) } : null,
    stealMax: known.length ? Math.max(...known.map((r) => r.steal!)) : null,
    noisyRounds: rounds.filter((r) => r.status === 'noisy').length,
  };
}

/** The stop rule, after whole cycles only: target met on every ratio (or every arm's throughput when there are none), or a cap. */
export function stopReason(r: TimingResult, o: TimingOptions): StopReason | undefined {
  if (r.rounds % r.rotate !== 0) return undefined;
  if (r.rounds >= (o.maxRounds ?? 50)) return 'max-rounds';
  if (r.rounds < Math.max(2, o.minRounds ?? 3)) return undefined;
  const widths = Object.keys(r.ratios).length
    ? Object.values(r.ratios).map((x) => x.halfWidth)
    : r.arms.map((a) => relHalfWidth(r.basis === 'wall' ? a.throughput.wall : a.throughput.cpu));
  if (widths.every((w) => w <= r.target)) return 'target';
  if (r.seconds >= (o.timeCapS ?? 120)) return 'time-cap';
  return undefined;
}

async function rounds(arms: readonly Arm[], o: TimingOptions, probe: Probe): Promise<TimingResult> {
  const limits = { ...DEFAULT_GUARD, ...o.guard };
  for (let w = -(o.warmupRounds ?? 1); w < 0; w++) await runRound(arms, o, probe, w, 0, limits);
  const kept: RoundRecord[] = [];
  const start = probe.loadavg(), t0 = probe.wallMs();
  let reruns = 0;
  for (let round = 0; ; round++) {
    let rec = await runRound(arms, o, probe, round, 0, limits);
    for (let attempt = 1; rec.noise.status === 'noisy' && attempt <= (o.maxReruns ?? 2); attempt++) {
      reruns++;
      rec = await runRound(arms, o, probe, round, attempt, limits);
    }
    kept.push(rec);
    const so = { reruns, stoppedBy: 'max-rounds' as StopReason, seconds: (probe.wallMs() - t0) / 1000, loadAvg: { start, end: probe.loadavg() }, lock: null };
    const r = summarise(arms, kept, o, so);
    o.onRound?.(kept.length, r);
    const why = stopReason(r, o);
    if (why) return { ...r, stoppedBy: why };
  }
}

/** Times the arms in paired, shuffled, guarded rounds (see the module comment). */
export async function timeArms(arms: readonly Arm[], o: TimingOptions): Promise<TimingResult> {
  if (arms.length === 0 || o.batches < 1) throw new LedgerLabError({ kind: 'usage', code: 'usage.timing_arms', problem: `timeArms needs at least one arm and one batch (got ${arms.length} arm(s), ${o.batches} batch(es))`, where: 'timeArms' });
  if (!Number.isInteger(o.rotate ?? 1) || (o.rotate ?? 1) < 1) throw new LedgerLabError({ kind: 'usage', code: 'usage.timing_rotate', problem: `timeArms' rotate must be a whole number ≥ 1 (got ${o.rotate})`, where: 'timeArms' });
  const probe = o.probe ?? systemProbe;
  if (o.lock === false) return rounds(arms, o, probe);
  const { value, lock } = await withTimingLock(() => rounds(arms, o, probe));
  return { ...value, lock };
}
