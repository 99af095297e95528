/**
 * The git commit and dirty flag a run was produced from (null outside a checkout). Read from the repository
 * that holds LedgerLab's code (the package root), not the current directory: a run started from elsewhere
 * still records the code it ran.
 *
 * git runs hardened: with an explicit environment (no inherited GIT_CONFIG_*, GIT_DIR, … — lib/util/child-env.ts),
 * without the system and global config files (GIT_CONFIG_NOSYSTEM, GIT_CONFIG_GLOBAL=/dev/null), with
 * `core.fsmonitor` off (a configured fsmonitor is a command `git status` runs) and without optional locks
 * (reading the state must not write the index).
 */
import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { packageRoot } from '../paths.ts';
import { childEnv } from '../util/index.ts';

export interface GitState {
  commit: string | null;
  dirty: boolean;
}

const GIT_ENV = { GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0' };

/** `git <args>` in `repo`, hardened as above. safe.directory names only this repository (git's ownership check). */
function git(repo: string, args: string[]): { status: number | null; stdout: string } {
  const config = ['-c', 'core.fsmonitor=false', '-c', `safe.directory=${resolve(repo)}`];
  return spawnSync('git', [...config, ...args], { cwd: repo, encoding: 'utf8', env: childEnv(GIT_ENV), timeout: 30_000 });
}

export function gitState(repo: string = packageRoot): GitState {
  const head = git(repo, ['rev-parse', 'HEAD']);
  if (head.status !== 0) return { commit: null, dirty: false };
  // Untracked files count: an experiment may run code that is not committed yet. results/ is ignored.
  const status = git(repo, ['status', '--porcelain']);
  return { commit: head.stdout.trim(), dirty: status.status !== 0 || status.stdout.trim().length > 0 };
}
