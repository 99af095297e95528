#!/usr/bin/env node
// The `ledgerlab` executable. LedgerLab needs Node >= 22.13 with TypeScript type stripping; the project
// brings its own Node 22 as the `node` devDependency. When started by an older Node (e.g. a system
// Node 20), re-run this same command on that bundled Node instead of failing.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const [major, minor] = process.versions.node.split('.').map(Number);
const tooOld = major < 22 || (major === 22 && minor < 13);
const canStrip = typeof process.features.typescript === 'string';

if (tooOld || !canStrip) {
  const bundled = join(here, '..', 'node_modules', 'node', 'bin', 'node');
  const node = tooOld ? bundled : process.execPath;
  if (tooOld && !existsSync(bundled)) {
    console.error(`error (runtime): ledgerlab needs Node >= 22.13, this is ${process.version}\n  hint:  run \`npm ci\` in the ledgerlab folder (it brings Node 22), or install Node 22+`);
    process.exit(1);
  }
  const flags = canStrip && !tooOld ? [] : ['--experimental-strip-types', '--no-warnings=ExperimentalWarning'];
  const r = spawnSync(node, [...flags, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const { main } = await import('../lib/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
