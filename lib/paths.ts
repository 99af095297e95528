/**
 * Where LedgerLab's own files are: the package root (found by walking up from this module, so it works from
 * lib/ sources and from the dist/ copy alike) and the folders under it.
 */
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'ledgerlab') return dir;
    // A plain Error, not LedgerLabError: lib/errors.ts is layer 0 like this file, and a layer imports only lower
    // ones (lib/layers.ts). It is thrown while this module loads, before any command could report it anyway.
    if (dirname(dir) === dir) throw new Error(`cannot find the ledgerlab package root above ${start}`);
  }
}

export const packageRoot: string = findRoot(dirname(fileURLToPath(import.meta.url)));

/** The local repository this checkout was cloned from (`remote "origin"` with a path URL), if any. */
function originDir(root: string): string | undefined {
  try {
    const config = readFileSync(join(root, '.git', 'config'), 'utf8');
    const url = /\[remote "origin"\][^[]*?\burl\s*=\s*(\S+)/.exec(config)?.[1];
    const path = url?.startsWith('file://') ? fileURLToPath(url) : url;
    return path && isAbsolute(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The shared real datasets (AdvertiseGen sample, E2E dev set), which the repo does not redistribute:
 * LEDGERLAB_DATASETS, else `../shared/datasets` beside this checkout, else beside the repository it was cloned
 * from (CI runs a fresh clone made in a temporary folder). The first candidate is returned when none exists, so
 * errors name the conventional place.
 */
function findDatasets(root: string): string {
  if (process.env.LEDGERLAB_DATASETS) return resolve(process.env.LEDGERLAB_DATASETS);
  const origin = originDir(root);
  const candidates = [root, ...(origin ? [origin] : [])].map((dir) => resolve(dir, '..', 'shared', 'datasets'));
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
}

export const paths = {
  root: packageRoot,
  lib: join(packageRoot, 'lib'),
  dist: join(packageRoot, 'dist'),
  notebooks: join(packageRoot, 'notebooks'),
  experiments: join(packageRoot, 'experiments'),
  /** Default results folder: LEDGERLAB_RESULTS overrides (tests point it at a temp dir). */
  results: process.env.LEDGERLAB_RESULTS ?? join(packageRoot, 'results'),
  /** The shared real datasets (see findDatasets); LEDGERLAB_DATASETS overrides. */
  datasets: findDatasets(packageRoot),
  jupyter: join(packageRoot, '.jupyter'),
  nodeModulesBin: join(packageRoot, 'node_modules', '.bin'),
};

/** The real path of `p` (symlinks followed), or of its nearest existing ancestor joined with the rest. */
export function realPathish(p: string): string {
  const abs = resolve(p);
  if (existsSync(abs)) return realpathSync(abs);
  const parent = dirname(abs);
  return parent === abs ? abs : join(realPathish(parent), abs.slice(parent.length + 1));
}

/**
 * True when `p` lies inside `root` (or is `root` itself, with `orSelf`) once every symlink of both is
 * followed: a name from outside (a hub file name, a run id) may only be written where it says it goes.
 */
export function isInside(root: string, p: string, orSelf = false): boolean {
  const rel = relative(realPathish(root), realPathish(p));
  if (rel === '') return orSelf;
  return rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel);
}
