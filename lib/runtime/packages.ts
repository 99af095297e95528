/**
 * Which packages are installed, by their real name. Used to decide which tensor backends can load and to
 * report versions in run records.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';

const requireHere = createRequire(import.meta.url);

/**
 * package.json of an installed package, found along Node's lookup paths (not via require.resolve, which
 * `exports` maps can block). Aliases do not count: danfojs needs `@tensorflow/tfjs-node` overridden by
 * `npm:@tensorflow/tfjs`, so that folder exists but holds plain tfjs — we check the real package name.
 */
export function installedPackageJson(pkg: string): { name: string; version: string } | null {
  for (const dir of requireHere.resolve.paths(pkg) ?? []) {
    const file = join(dir, pkg, 'package.json');
    if (!existsSync(file)) continue;
    try {
      const json = JSON.parse(readFileSync(file, 'utf8')) as { name: string; version: string };
      return json.name === pkg ? json : null;
    } catch {
      return null;
    }
  }
  return null;
}

export function isInstalled(pkg: string): boolean {
  return installedPackageJson(pkg) !== null;
}
