/**
 * Queued runs. A run put on a job queue (lib/cluster) has no run folder until a worker starts it, so the
 * submitter writes a marker `<root>/.queued/<runId>.json` (atomically) and the store lists it as "queued"
 * while the run has no run.json; from then on run.json says what the run is doing ("running", "finished",
 * "failed", "interrupted"). The worker deletes the marker when the run's job is over. A marker is a view for
 * `ledgerlab runs`, not the queue's truth: `ledgerlab queue status` asks Redis.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { s, type Infer } from '../config/index.ts';
import { isLedgerLabError } from '../errors.ts';
import { writeJsonAtomic } from '../util/index.ts';

export const QUEUED_DIR = '.queued';

export const QueuedRunSchema = s.object({
  runId: s.string({ nonEmpty: true }),
  kind: s.string({ nonEmpty: true }),
  name: s.string(),
  /** The sweep (experiment name) the run belongs to, as `ledgerlab queue status` groups it. */
  sweep: s.string(),
  seed: s.int(),
  point: s.unknown(),
  config: s.unknown(),
  queuedAt: s.string(),
  /** The queue it went to, without any password. */
  queue: s.string(),
});
export type QueuedRun = Infer<typeof QueuedRunSchema>;

const markerPath = (root: string, runId: string) => join(resolve(root), QUEUED_DIR, `${runId}.json`);

export function writeQueuedMarker(root: string, q: QueuedRun): void {
  writeJsonAtomic(markerPath(root, q.runId), q);
}

export function removeQueuedMarker(root: string, runId: string): void {
  rmSync(markerPath(root, runId), { force: true });
}

/** Markers of runs that have not started (no run.json yet), newest first. A damaged marker is skipped with a warning. */
export function listQueuedRuns(root = 'results'): QueuedRun[] {
  const dir = join(resolve(root), QUEUED_DIR);
  if (!existsSync(dir)) return [];
  const out: QueuedRun[] = [];
  for (const name of readdirSync(dir)) {
    if (!name.endsWith('.json') || name.startsWith('.')) continue; // .tmp files of an atomic write in flight
    const path = join(dir, name);
    let q: QueuedRun;
    try {
      q = QueuedRunSchema.parse(JSON.parse(readFileSync(path, 'utf8')), path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // removed by a worker meanwhile
      // As for run records (store.ts): one damaged file must not hide every other run.
      const problem = isLedgerLabError(err) ? err.problem : `not valid JSON (${(err as Error).message})`;
      console.error(`warning: skipping queued-run marker: ${problem} (at ${path})`);
      continue;
    }
    if (!existsSync(join(resolve(root), q.runId, 'run.json'))) out.push(q);
  }
  return out.sort((a, b) => b.queuedAt.localeCompare(a.queuedAt));
}
