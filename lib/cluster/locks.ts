/**
 * Filesystem locks that work across machines sharing a folder (proper-lockfile: an atomic `mkdir` of
 * `<path>.lock`, kept fresh by touching its mtime; a lock not refreshed for `staleMs` is taken over).
 * - the run lock `<results root>/.locks/<runId>`: held by the worker process (whose event loop is never
 *   blocked by training) for as long as a run executes, so the same run never executes twice at once, even
 *   when BullMQ hands a job out again after a false stall;
 * - the prepare lock `<cache>/locks/prepare` (the cache is LEDGERLAB_CACHE, else `<package>/.cache`, where the
 *   bases it guards live): held while a kind prepares shared inputs (the pretrained
 *   base in `.cache/base`), so two workers using the same cache never build the same entry at once.
 * Clocks of the machines must roughly agree (NTP): staleness is judged by mtime.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { packageRoot } from '../paths.ts';

export type Release = () => Promise<void>;

export const runLockPath = (root: string, runId: string) => join(root, '.locks', runId);
export const PREPARE_LOCK = join(process.env.LEDGERLAB_CACHE || join(packageRoot, '.cache'), 'locks', 'prepare');

export interface LockOptions {
  staleMs: number;
  /** Called when the lock was lost (taken over by another process after we failed to refresh it). */
  onCompromised?: (err: Error) => void;
  /** Called once if the lock is busy and we start waiting. */
  onWait?: () => void;
}

/** Waits until the lock is ours; returns its release function. */
export async function acquireLock(path: string, o: LockOptions): Promise<Release> {
  mkdirSync(dirname(path), { recursive: true });
  // Lazily: proper-lockfile installs exit handlers (which release its locks) when it loads.
  const { default: lockfile } = await import('proper-lockfile');
  let waited = false;
  for (;;) {
    try {
      return await lockfile.lock(path, {
        realpath: false, // the locked path need not exist: the lock is the `.lock` folder beside it
        stale: o.staleMs,
        update: Math.max(1000, Math.floor(o.staleMs / 4)),
        onCompromised: o.onCompromised ?? ((err) => console.error(`warning: lock ${path} lost: ${err.message}`)),
      });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ELOCKED') throw err;
      if (!waited) o.onWait?.();
      waited = true;
      await new Promise((r) => setTimeout(r, Math.min(1000, Math.max(200, o.staleMs / 8))));
    }
  }
}
