/**
 * Which Python runs Jupyter's nbclient for headless notebooks. Not always Debian's /usr/bin/python3: on macOS
 * (Homebrew's jupyterlab), Fedora, Arch or a virtualenv, Jupyter lives elsewhere. Tried in order, the first
 * that can `import nbclient, nbformat` wins:
 *   1. $LEDGERLAB_JUPYTER_PYTHON (an error if set and unusable: it was asked for),
 *   2. the Python in the shebang of the `jupyter` command on PATH,
 *   3. /usr/bin/python3 (Debian's packages), 4. python3 on PATH.
 * scripts/setup-system.sh looks in the same places.
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { LedgerLabError } from '../errors.ts';
import { childEnv } from '../util/index.ts';

export const JUPYTER_MODULES = ['nbclient', 'nbformat']; // the kernel is tslab (Node), so no ipykernel

function onPath(name: string, env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      /* not here */
    }
  }
  return undefined;
}

/** The interpreter named in a script's `#!` line (`#!/usr/bin/env python3` resolves python3 on PATH). */
function shebangPython(script: string, env: NodeJS.ProcessEnv): string | undefined {
  let first: string;
  try {
    first = readFileSync(script, 'utf8').slice(0, 300).split('\n')[0];
  } catch {
    return undefined;
  }
  const m = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(first);
  if (!m) return undefined;
  if (m[1].endsWith('/env') && m[2]) return onPath(m[2], env);
  return m[1];
}

function canRunJupyter(python: string, env: NodeJS.ProcessEnv): boolean {
  if (!existsSync(python) && !python.includes('/')) return false;
  const r = spawnSync(python, ['-c', `import ${JUPYTER_MODULES.join(', ')}`], { encoding: 'utf8', env: childEnv({}, env), timeout: 30_000 });
  return r.status === 0;
}

/** The candidates in the order they are tried (for messages and setup-system.sh's twin). */
export function jupyterPythonCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const jupyter = onPath('jupyter', env);
  const out = [jupyter ? shebangPython(jupyter, env) : undefined, '/usr/bin/python3', onPath('python3', env)];
  return [...new Set(out.filter((p): p is string => Boolean(p)))];
}

let cached: string | undefined;

/** The Python to run nbclient with; a LedgerLabError saying what to install when there is none. */
export function findJupyterPython(env: NodeJS.ProcessEnv = process.env): string {
  const wanted = env.LEDGERLAB_JUPYTER_PYTHON;
  if (wanted) {
    if (canRunJupyter(wanted, env)) return wanted;
    throw new LedgerLabError({
      kind: 'notebook',
      problem: `LEDGERLAB_JUPYTER_PYTHON=${wanted} cannot import ${JUPYTER_MODULES.join(', ')}`,
      where: 'LEDGERLAB_JUPYTER_PYTHON',
      hint: 'point it at the python of a Jupyter install, or unset it to search (see docs/setup.md)',
    });
  }
  if (cached && env === process.env) return cached;
  const tried = jupyterPythonCandidates(env);
  const found = tried.find((p) => canRunJupyter(p, env));
  if (found) {
    if (env === process.env) cached = found;
    return found;
  }
  throw new LedgerLabError({
    kind: 'notebook',
    problem: `no Python with Jupyter's ${JUPYTER_MODULES.join(', ')} found`,
    where: tried.length ? `tried ${tried.join(', ')}` : 'PATH',
    hint: 'run `bash scripts/setup-system.sh` (it says what to install on this platform), or set LEDGERLAB_JUPYTER_PYTHON (docs/setup.md)',
  });
}
