/**
 * Run ids name folders under a results root, and some come from outside (a queue job, a run.json, a form): an id
 * is checked against a strict pattern, and the folder it names must lie directly inside the root — also after
 * following symlinks — before anything is written there. `..` or `a/../../x` never reaches the filesystem.
 */
import { join, resolve } from 'node:path';
import { LedgerLabError } from '../errors.ts';
import { isInside } from '../paths.ts';

/** Letters, digits, `.`, `_`, `-`; not `.` or `..`; at most 255 characters (a folder name). */
export const RUN_ID_PATTERN = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,255}$/;

export const isRunId = (id: unknown): id is string => typeof id === 'string' && RUN_ID_PATTERN.test(id);

/** `root/runId` once the id is valid and the folder (if it exists) resolves inside the root. */
export function runDirIn(root: string, runId: string, where: string): string {
  if (!isRunId(runId)) {
    throw new LedgerLabError({
      kind: 'config', code: 'config.bad_run_id', problem: `run id ${JSON.stringify(runId)} is not a folder name LedgerLab writes`, where,
      hint: 'run ids are letters, digits, ".", "_" and "-" (not "." or ".."), as planExperiment makes them',
      issues: [{ path: ['runId'], message: 'bad run id' }],
    });
  }
  const dir = join(resolve(root), runId);
  if (!isInside(root, dir)) {
    throw new LedgerLabError({ kind: 'io', code: 'io.outside_root', problem: `run folder ${runId} leads outside the results root (a symlink?)`, where: dir, hint: 'remove the link; run folders are plain folders inside the root' });
  }
  return dir;
}
