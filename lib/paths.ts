/**
 * Where LedgerLab's own files are: the package root (found by walking up from this module, so it works from
 * lib/ sources and from the dist/ copy alike) and the folders under it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(start: string): string {
  for (let dir = start; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'ledgerlab') return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the ledgerlab package root above ${start}`);
  }
}

export const packageRoot: string = findRoot(dirname(fileURLToPath(import.meta.url)));

export const paths = {
  root: packageRoot,
  lib: join(packageRoot, 'lib'),
  dist: join(packageRoot, 'dist'),
  notebooks: join(packageRoot, 'notebooks'),
  experiments: join(packageRoot, 'experiments'),
  /** Default results folder: LEDGERLAB_RESULTS overrides (tests point it at a temp dir). */
  results: process.env.LEDGERLAB_RESULTS ?? join(packageRoot, 'results'),
  jupyter: join(packageRoot, '.jupyter'),
  nodeModulesBin: join(packageRoot, 'node_modules', '.bin'),
};
