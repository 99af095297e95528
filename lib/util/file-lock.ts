/**
 * An exclusive lock between processes on one machine, held while `fn` runs: a lock file created with
 * O_EXCL (atomic on local filesystems) that records its owner's pid and host. A waiter polls; a lock whose
 * owner process is gone (killed with SIGKILL, crashed) is stale and is taken over, so a killed run never
 * blocks the next one.
 *
 * Hand-written rather than `proper-lockfile`: that library judges staleness by the lock's mtime, which needs a
 * refresh timer that a long synchronous tfjs step starves; the owner's pid is the same liveness rule the run
 * records use (results/run-record.ts).
 *
 * @example
 * await withFileLock(join(cacheRoot, '.lock-ab12'), async () => build(), { onWait: (o) => log(`waiting for pid ${o.pid}`) });
 */
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { pidAlive } from './process.ts';

export interface LockOwner {
  pid: number;
  host: string;
  since: string;
}

export interface FileLockOptions {
  /** Milliseconds between attempts while another process holds the lock (default 200). */
  pollMs?: number;
  /** Called once when the lock is found held by another live process, before waiting. */
  onWait?: (owner: LockOwner) => void;
}

function readOwner(path: string): LockOwner | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockOwner;
  } catch {
    return undefined; // gone, or being written this very moment
  }
}

function tryCreate(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() } satisfies LockOwner));
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Removes a stale lock. The lock is renamed aside first (only one of several waiters can win the rename);
 * if what was renamed turns out to be a fresh lock another process took meanwhile, it is linked back.
 */
function breakStale(path: string, stale: LockOwner): void {
  const aside = `${path}.stale-${process.pid}`;
  try {
    renameSync(path, aside);
  } catch {
    return; // someone else broke it first
  }
  const moved = readOwner(aside);
  if (moved && (moved.pid !== stale.pid || moved.since !== stale.since)) {
    try {
      linkSync(aside, path);
    } catch {
      /* a third process holds it now; the one we moved will find its lock gone when it releases */
    }
  }
  rmSync(aside, { force: true });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Runs `fn` while holding the lock at `path` (created with its folder); waits while another process holds it. */
export async function withFileLock<T>(path: string, fn: () => Promise<T>, opts: FileLockOptions = {}): Promise<T> {
  mkdirSync(dirname(path), { recursive: true });
  let told = false;
  for (;;) {
    if (tryCreate(path)) break;
    const owner = readOwner(path);
    if (owner && owner.host === hostname() && !pidAlive(owner.pid)) {
      breakStale(path, owner);
      continue;
    }
    if (owner && !told) {
      told = true;
      opts.onWait?.(owner);
    }
    await sleep(opts.pollMs ?? 200);
  }
  // process.exit (e.g. a run's SIGINT handler) skips `finally`: release on exit too.
  const release = () => {
    try {
      unlinkSync(path);
    } catch {
      /* already gone */
    }
  };
  process.once('exit', release);
  try {
    return await fn();
  } finally {
    process.removeListener('exit', release);
    release();
  }
}
