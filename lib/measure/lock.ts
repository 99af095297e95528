/**
 * The machine-wide timing lock: timed sections of any two LedgerLab processes (`run --jobs N` workers, queue
 * workers, a second terminal) never overlap, because two timed sections on a 2-core machine share caches and
 * memory bandwidth and each measures the other. Untimed work (pretraining, quality training, generation,
 * scoring) stays parallel: only the engine's rounds hold the lock. One file in the OS temp folder (or
 * LEDGERLAB_TIMING_LOCK), the house file lock (a dead owner's lock is taken over).
 *
 * @example
 * const { value, waitMs } = await withTimingLock(() => timeRounds());
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { pidAlive, withFileLock, type LockOwner } from '../util/index.ts';

export interface LockRecord {
  path: string;
  /** Milliseconds spent waiting for another process's timed section. */
  waitMs: number;
  /** The process that held it when we arrived, if any. */
  waitedFor?: number;
}

/** Where the lock lives: LEDGERLAB_TIMING_LOCK, else <tmpdir>/ledgerlab-timing.lock. */
export function timingLockPath(): string {
  return process.env.LEDGERLAB_TIMING_LOCK || join(tmpdir(), 'ledgerlab-timing.lock');
}

/** Runs `fn` holding the timing lock; returns its value and how long we waited. */
export async function withTimingLock<T>(fn: () => Promise<T>, o: { path?: string; onWait?: (owner: LockOwner) => void } = {}): Promise<{ value: T; lock: LockRecord }> {
  const path = o.path ?? timingLockPath();
  const t0 = performance.now();
  let waitedFor: number | undefined;
  let waitMs = 0;
  const value = await withFileLock(path, async () => {
    waitMs = performance.now() - t0;
    return fn();
  }, { pollMs: 50, onWait: (owner) => { waitedFor = owner.pid; o.onWait?.(owner); } });
  return { value, lock: { path, waitMs, ...(waitedFor !== undefined ? { waitedFor } : {}) } };
}

/**
 * Untimed work (training, pretraining, generation) calls this between its steps: while ANOTHER process holds the
 * timing lock it waits, so that a sibling run's timed section does not see it as foreign load (the guard would
 * mark every round noisy). One small file read when nobody is timing. Returns the milliseconds waited.
 */
export async function waitWhileTiming(o: { path?: string; pollMs?: number } = {}): Promise<number> {
  const path = o.path ?? timingLockPath();
  const t0 = performance.now();
  for (;;) {
    let owner: LockOwner;
    try {
      owner = JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
    } catch {
      return performance.now() - t0; // no lock (or one being written this instant): go on
    }
    if (owner.pid === process.pid || !pidAlive(owner.pid)) return performance.now() - t0;
    await new Promise((r) => setTimeout(r, o.pollMs ?? 100));
  }
}
