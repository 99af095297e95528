/** The git commit and dirty flag a run was produced from (null outside a checkout). */
import { spawnSync } from 'node:child_process';

export interface GitState {
  commit: string | null;
  dirty: boolean;
}

export function gitState(cwd: string = process.cwd()): GitState {
  const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8' });
  if (head.status !== 0) return { commit: null, dirty: false };
  // Untracked files count: an experiment may run code that is not committed yet. results/ is ignored.
  const status = spawnSync('git', ['status', '--porcelain'], { cwd, encoding: 'utf8' });
  return { commit: head.stdout.trim(), dirty: status.status !== 0 || status.stdout.trim().length > 0 };
}
