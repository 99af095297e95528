// After `npm ci` / `npm install`: make sure Hardhat's simulator (EDR) has its native package for this
// platform. EDR ships one package per platform (@nomicfoundation/edr-<os>-<cpu>[-<libc>]) as optional
// dependencies requiring Node >= 22; npm running on an older Node (e.g. `npm ci` with a system Node 20)
// silently leaves them out. By now the project's own Node 22 (the `node` devDependency) is installed, so the
// missing package is installed here with it, at the version the lockfile pins. Nothing happens when the
// package is present (npm on Node 22, or a second install) or when this platform has none.
//
// Plain JavaScript with no dependencies: it runs on whatever Node npm was started with.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The EDR package name for a platform: edr-linux-x64-gnu, edr-darwin-arm64, edr-win32-x64-msvc, … */
export function edrPackage(platform = process.platform, arch = process.arch, glibc = Boolean(process.report?.getReport?.().header?.glibcVersionRuntime)) {
  if (platform === 'linux') return `@nomicfoundation/edr-linux-${arch}-${glibc ? 'gnu' : 'musl'}`;
  if (platform === 'win32') return `@nomicfoundation/edr-win32-${arch}-msvc`;
  return `@nomicfoundation/edr-${platform}-${arch}`;
}

function main() {
  const name = edrPackage();
  if (existsSync(join(root, 'node_modules', name, 'package.json'))) return 0;
  const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
  const version = lock.packages?.[`node_modules/${name}`]?.version;
  if (!version) {
    console.error(`postinstall: Hardhat's simulator has no native package for ${process.platform}-${process.arch} (${name}); the ledger commands will not run here`);
    return 0;
  }
  const node = join(root, 'node_modules', 'node', 'bin', 'node');
  const npmCli = process.env.npm_execpath;
  if (!existsSync(node) || !npmCli) {
    console.error(`postinstall: ${name} is missing (npm ran on a Node older than 22 and skipped it); rerun the install with Node >= 22: PATH="$PWD/node_modules/.bin:$PATH" npm ci`);
    return 1;
  }
  console.error(`postinstall: npm left out ${name}@${version} (npm ran on a Node older than 22, which EDR needs); installing it with the project's Node 22`);
  const r = spawnSync(node, [npmCli, 'install', '--no-save', '--ignore-scripts', '--no-audit', '--no-fund', `${name}@${version}`], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(join(root, 'node_modules', name, 'package.json'))) {
    console.error(`postinstall: installing ${name} failed; rerun the install with Node >= 22: PATH="$PWD/node_modules/.bin:$PATH" npm ci`);
    return 1;
  }
  return 0;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) process.exitCode = main();
