/**
 * The quiet-machine guard's decision for one timed round, as a pure function of two /proc/stat samples and
 * what this process (plus any child it timed) spent: "foreign load" is the machine's busy time that was not
 * ours, in cores (core-seconds per wall second); steal is the share of all CPU time the hypervisor took. A
 * round above either limit is noisy. Without /proc/stat the answer is 'unknown', never a guess.
 *
 * Why busy-not-ours rather than the load average: the load average is a 1-minute decaying mean of runnable
 * threads, blind to a burst inside one round and counting our own threads; the tick counters are exact to a
 * tick (10 ms per core), so rounds should last well over 0.1 s for the 0.1-core default to be resolvable.
 *
 * @example
 * judgeRound(before, after, { ourCpuMs: 980, wallMs: 1000 })  // { foreignCores: 0.03, steal: 0, status: 'quiet' }
 */
import { USER_HZ, type ProcStat } from './procstat.ts';

export interface GuardLimits {
  /** Foreign load above which a round is noisy, in cores (default 0.1). */
  maxForeignCores: number;
  /** Steal share above which a round is noisy (default 0.02). */
  maxSteal: number;
}

export const DEFAULT_GUARD: GuardLimits = { maxForeignCores: 0.1, maxSteal: 0.02 };

export type QuietStatus = 'quiet' | 'noisy' | 'unknown';

export interface RoundNoise {
  /** Busy core-seconds per wall second that were not this process's (nor its timed child's); null: unknown. */
  foreignCores: number | null;
  /** Steal ticks over all ticks in the round; null: unknown. */
  steal: number | null;
  status: QuietStatus;
}

/** The guard's verdict on one round. `ourCpuMs`: this process's user+system time plus timed children's. */
export function judgeRound(before: ProcStat | undefined, after: ProcStat | undefined, o: { ourCpuMs: number; wallMs: number }, limits: GuardLimits = DEFAULT_GUARD): RoundNoise {
  if (!before || !after || o.wallMs <= 0) return { foreignCores: null, steal: null, status: 'unknown' };
  const busyS = (after.busy - before.busy) / USER_HZ;
  const dTotal = after.total - before.total;
  // Clamped to [0, cores]: tick rounding can put our CPU time above the machine's busy time, or the reverse.
  const foreignCores = Math.min(after.cores || Infinity, Math.max(0, busyS - o.ourCpuMs / 1000) / (o.wallMs / 1000));
  const steal = dTotal > 0 ? (after.steal - before.steal) / dTotal : 0;
  const noisy = foreignCores > limits.maxForeignCores || steal > limits.maxSteal;
  return { foreignCores, steal, status: noisy ? 'noisy' : 'quiet' };
}

/** A cell's status from its kept rounds: noisy when more than `share` of them stayed noisy after re-runs. */
export function cellStatus(rounds: readonly RoundNoise[], share = 0.2): QuietStatus {
  if (rounds.length === 0 || rounds.some((r) => r.status === 'unknown')) return 'unknown';
  const noisy = rounds.filter((r) => r.status === 'noisy').length;
  return noisy > share * rounds.length ? 'noisy' : 'quiet';
}
