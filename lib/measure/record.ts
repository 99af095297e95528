/**
 * What a run records about one timed section, for run.json and reports: the basis (wall or CPU) and thread
 * count, how many rounds, re-runs and what stopped them, the lock wait, and the noise provenance (foreign load,
 * steal, the load average at start and end, noisy rounds). Per-round times stay in the run's artefacts.
 *
 * @example
 * run.summary.timing = { factorial: timingRecord(result) };
 * formatNoise(timingRecord(result))   // "quiet: foreign load 0.02 cores (max 0.05), steal 0.0%, load 0.31 → 0.88"
 */
import type { TimingResult, StopReason } from './engine.ts';
import type { QuietStatus } from './guard.ts';

export interface TimingRecord {
  basis: 'wall' | 'cpu';
  threads: number;
  batches: number;
  /** Rounds per cycle through the pool of batches × rotate fixed batches (1: the same batches every round). */
  rotate: number;
  rounds: number;
  reruns: number;
  stoppedBy: StopReason;
  target: number;
  seconds: number;
  lockWaitMs: number | null;
  noise: {
    status: QuietStatus;
    foreignCores: { median: number; max: number } | null;
    stealMax: number | null;
    noisyRounds: number;
    loadAvg: { start: number[]; end: number[] };
    limits: { maxForeignCores: number; maxSteal: number };
  };
}

export function timingRecord(r: TimingResult): TimingRecord {
  const { status, foreignCores, stealMax, noisyRounds, loadAvg, limits } = r.noise;
  return {
    basis: r.basis, threads: r.threads, batches: r.batches, rotate: r.rotate, rounds: r.rounds, reruns: r.reruns, stoppedBy: r.stoppedBy, target: r.target,
    seconds: r.seconds, lockWaitMs: r.lock ? r.lock.waitMs : null,
    noise: { status, foreignCores, stealMax, noisyRounds, loadAvg, limits },
  };
}

/** One line of noise provenance. */
export function formatNoise(t: TimingRecord): string {
  const n = t.noise;
  const load = `load ${n.loadAvg.start[0]?.toFixed(2) ?? '?'} → ${n.loadAvg.end[0]?.toFixed(2) ?? '?'}`;
  if (!n.foreignCores) return `unknown (no /proc/stat), ${load}`;
  return `${n.status}: foreign load ${n.foreignCores.median.toFixed(2)} cores (max ${n.foreignCores.max.toFixed(2)}), steal ${(100 * (n.stealMax ?? 0)).toFixed(1)}%, ${n.noisyRounds} noisy of ${t.rounds} rounds after ${t.reruns} re-runs, ${load}`;
}

/** How a section stopped, in words. */
export function formatStop(t: TimingRecord): string {
  const why = t.stoppedBy === 'target' ? `every ratio within ±${(100 * t.target).toFixed(1)}%` : t.stoppedBy === 'time-cap' ? 'time cap reached before the target' : 'round limit reached before the target';
  return `${t.rounds} rounds × ${t.batches} batches${t.rotate > 1 ? ` (in turn from ${t.batches * t.rotate})` : ''}, ${t.seconds.toFixed(0)} s, ${t.basis} time, ${t.threads} thread${t.threads === 1 ? '' : 's'}: ${why}${t.lockWaitMs !== null && t.lockWaitMs > 50 ? `; waited ${(t.lockWaitMs / 1000).toFixed(1)} s for another timed section` : ''}`;
}

/** The status of several sections together: noisy if any is, unknown if any is and none is noisy. */
export function worstStatus(xs: readonly QuietStatus[]): QuietStatus {
  return xs.includes('noisy') ? 'noisy' : xs.includes('unknown') ? 'unknown' : 'quiet';
}
