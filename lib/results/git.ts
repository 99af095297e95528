/**
 * The git commit and dirty flag a run was produced from (null outside a checkout). Read from the repository
 * that holds LedgerLab's code (the package root), not the current directory: a run started from elsewhere
 * still records the code it ran.
 */
import { spawnSync } from 'node:child_process';
import { packageRoot } from '../paths.ts';

export interface GitState {
  commit: string | null;
  dirty: boolean;
}

export function gitState(repo: string = packageRoot): GitState {
  const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd: repo, encoding: 'utf8' });
  if (head.status !== 0) return { commit: null, dirty: false };
  // Untracked files count: an experiment may run code that is not committed yet. results/ is ignored.
  const status = spawnSync('git', ['status', '--porcelain'], { cwd: repo, encoding: 'utf8' });
  return { commit: head.stdout.trim(), dirty: status.status !== 0 || status.stdout.trim().length > 0 };
}
