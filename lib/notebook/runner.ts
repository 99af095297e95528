/**
 * Executes a notebook headless: Debian's Jupyter (nbclient) + the tslab kernel on the project's Node 22.
 * Notebooks import the built copy of lib (dist/lib/index.js), so a stale dist/ is rebuilt first.
 * A failing cell becomes a LedgerLabError quoting that cell's error text; the executed notebook (with the
 * error in place) is still written, atomically.
 *
 * @example
 * const r = await runNotebook({ notebook: '00-smoke', params: { seed: 3 } });
 * console.log(r.output);   // results/notebooks/00-smoke.ipynb
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { spawn, spawnSync } from 'node:child_process';
import { basename, join, resolve } from 'node:path';
import { LedgerLabError } from '../errors.ts';
import { paths } from '../paths.ts';
import { ensureKernelSpec } from './kernel.ts';
import { findJupyterPython } from './python.ts';
import { childEnv } from '../util/index.ts';

/** Debian's Python with Jupyter; other systems: see findJupyterPython (python.ts). */
export const JUPYTER_PYTHON = '/usr/bin/python3';
export const DEBIAN_JUPYTER_PACKAGES = ['jupyter-notebook', 'jupyter-nbconvert', 'python3-nbclient', 'python3-ipykernel', 'jupyter-client'];

export interface NotebookRunOptions {
  /** A name under notebooks/ ("01-reproduce-3.7x", with or without .ipynb) or a path. */
  notebook: string;
  /** Values assigned after the cell tagged "parameters" (which must declare them with `let`). */
  params?: Record<string, unknown>;
  /** Where to write the executed notebook; default results/notebooks/<name>.ipynb. */
  out?: string;
  /** Per-cell timeout in seconds. */
  timeoutS?: number;
}

export interface NotebookRunResult {
  input: string;
  output: string;
  durationMs: number;
}

export function resolveNotebook(notebook: string): string {
  const candidates = [notebook, join(paths.notebooks, notebook), join(paths.notebooks, `${notebook}.ipynb`)];
  const found = candidates.find((p) => p.endsWith('.ipynb') && existsSync(p));
  if (found) return resolve(found);
  const available = existsSync(paths.notebooks) ? readdirSync(paths.notebooks).filter((f) => f.endsWith('.ipynb')) : [];
  throw new LedgerLabError({
    kind: 'io',
    problem: `notebook "${notebook}" not found`,
    where: paths.notebooks,
    hint: available.length ? `available: ${available.map((f) => f.replace(/\.ipynb$/, '')).join(', ')}` : 'no notebooks in notebooks/',
  });
}

function newestMtime(dir: string, ext: string): number {
  let newest = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) newest = Math.max(newest, newestMtime(p, ext));
    else if (name.endsWith(ext)) newest = Math.max(newest, st.mtimeMs);
  }
  return newest;
}

/** Rebuilds dist/ (tsc -p tsconfig.build.json) when any lib/*.ts is newer than the built entry. */
export function ensureDistBuilt(): void {
  const entry = join(paths.dist, 'lib', 'index.js');
  if (existsSync(entry) && statSync(entry).mtimeMs >= newestMtime(paths.lib, '.ts')) return;
  const tsc = join(paths.root, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = spawnSync(process.execPath, [tsc, '-p', join(paths.root, 'tsconfig.build.json')], { encoding: 'utf8', cwd: paths.root, env: childEnv() });
  if (r.status !== 0) {
    throw new LedgerLabError({
      kind: 'notebook',
      problem: `building dist/ for notebooks failed:\n${(r.stdout + r.stderr).trim()}`,
      where: 'tsconfig.build.json',
      hint: 'fix the type errors above; notebooks import the built library',
    });
  }
}


export async function runNotebook(opts: NotebookRunOptions): Promise<NotebookRunResult> {
  const input = resolveNotebook(opts.notebook);
  const name = basename(input, '.ipynb');
  const output = resolve(opts.out ?? join(paths.results, 'notebooks', `${name}.ipynb`));
  const python = findJupyterPython();
  ensureDistBuilt();
  const { kernelName, env } = ensureKernelSpec();
  const t0 = performance.now();
  const args = [
    join(paths.lib, 'notebook', 'nbrun.py'),
    input,
    output,
    '--cwd', paths.notebooks,
    '--kernel', kernelName,
    '--timeout', String(opts.timeoutS ?? 1800),
    '--params', JSON.stringify(opts.params ?? {}),
  ];
  const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((res) => {
    const child = spawn(python, args, { env: childEnv(env), stdio: ['ignore', 'inherit', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    child.on('close', (c) => res({ code: c, stderr: err }));
  });
  if (code !== 0) throw notebookError(input, output, stderr);
  return { input, output, durationMs: performance.now() - t0 };
}

function notebookError(input: string, output: string, stderr: string): LedgerLabError {
  const cell = /LEDGERLAB_CELL_ERROR (.*)/.exec(stderr);
  if (cell) {
    const e = JSON.parse(cell[1]) as { cell: number; ename: string; text: string; source: string };
    const firstLine = e.source.split('\n').find((l) => l.trim() && !l.trim().startsWith('//')) ?? '';
    return new LedgerLabError({
      kind: 'notebook',
      problem: `cell ${e.cell + 1} failed: ${e.ename && !e.text.startsWith(e.ename) ? `${e.ename}: ` : ''}${e.text}`,
      where: `${input}, cell ${e.cell + 1} of the executed notebook: ${firstLine.trim().slice(0, 80)}`,
      hint: `the executed notebook with the error is at ${output}`,
    });
  }
  if (stderr.includes('LEDGERLAB_NO_PARAMETERS_CELL')) {
    return new LedgerLabError({ kind: 'usage', problem: 'this notebook has no cell tagged "parameters"', where: input });
  }
  const unknown = /LEDGERLAB_UNKNOWN_PARAMETERS (.*)/.exec(stderr);
  if (unknown) {
    return new LedgerLabError({
      kind: 'usage',
      problem: `unknown notebook parameter(s): ${(JSON.parse(unknown[1]) as string[]).join(', ')}`,
      where: `${input} (parameters cell)`,
      hint: 'a parameter must be declared with `let` in the cell tagged "parameters"',
    });
  }
  return new LedgerLabError({ kind: 'notebook', problem: `notebook execution failed:\n${stderr.trim().split('\n').slice(-15).join('\n')}`, where: input });
}
