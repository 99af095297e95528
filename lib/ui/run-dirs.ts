/**
 * Run folders as the workbench may read them: an id from a URL or a form is a name (never a path), and the
 * folder it names must really lie inside the results root — a run folder that is a symlink leading out is
 * not a run of this root, so its run.json and files are never served.
 */
import { basename } from 'node:path';
import { LedgerLabError } from '../errors.ts';
import { findRuns, listRuns, type RunEntry } from '../results/index.ts';
import { resolveInside } from './files.ts';

/** A run id: a name (no separators, not `.` or `..`), never a path. */
export const RUN_ID = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,255}$/;

/** The real path of run folder `id` when it is a run folder whose real path lies inside the root. */
export function runDir(root: string, id: string): string | undefined {
  if (!RUN_ID.test(id)) return undefined;
  const dir = resolveInside(root, id, 'dir');
  return dir.status === 200 && resolveInside(dir.path, 'run.json').status === 200 ? dir.path : undefined;
}

/** The run `id` directly under the root; ids are names, never paths, and its folder must not lead out. */
export function runById(root: string, id: string): RunEntry {
  const dir = runDir(root, id);
  if (!dir) throw new LedgerLabError({ kind: 'usage', problem: `no run "${id}"`, where: root, hint: 'GET /api/runs lists run ids' });
  return findRuns([dir], root)[0];
}

/** Every run under the root except folders that are links leading out of it. */
export function runsInside(root: string): RunEntry[] {
  return listRuns(root).filter((e) => runDir(root, basename(e.dir)) !== undefined);
}


/** The files lib/report and lib/experiments read from a run folder when run.json names none. */
const DEFAULT_FILES: Record<string, string> = { metrics: 'metrics.jsonl', table: 'table.json', predictions: 'predictions.jsonl' };

/**
 * Refuses a run whose run.json names a file (or whose default file is a link) leading out of the run folder,
 * before it is handed to code that reads those files without this check (report building, the sim sweep).
 */
export function assertContained(e: RunEntry): RunEntry {
  const named = { ...DEFAULT_FILES, ...e.record.artifacts };
  for (const [key, rel] of Object.entries(named)) {
    if (resolveInside(e.dir, rel).status === 403) {
      throw new LedgerLabError({ kind: 'usage', problem: `run ${e.record.runId}: artifacts.${key} "${rel}" leads outside the run folder`, where: `${e.dir}/run.json`, hint: 'only files inside the run folder are read' });
    }
  }
  return e;
}
