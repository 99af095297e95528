#!/usr/bin/env node
// The `ledgerlab` executable. LedgerLab needs Node >= 22.13 with TypeScript type stripping; the project
// brings its own Node 22 as the `node` devDependency. When started by an older Node (e.g. a system
// Node 20), re-run this same command on that bundled Node instead of failing.
//
// The re-run child is in the foreground for the user: SIGINT/SIGTERM/SIGHUP sent to this process are passed
// on (so `kill <pid>` stops the real work, not just this wrapper), and this process ends the way the child
// did: with its exit code, or killed by the same signal (said on stderr when nobody here sent it).
// Hand-written rather than `foreground-child`: this file must work before `npm ci` has installed anything.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

//
// One thread means one core: `bench` commands at one thread (`--threads 1`, their default) run on a Node whose V8
// collects garbage on the main thread only (--single-threaded-gc, a startup-only flag: set at run time it crashes
// V8). With V8's four parallel GC helpers a llama-l LoRA step used 1.22 cores (CPU 2,744 ms per 2,248 ms wall);
// single-threaded, 1.01 (2,333 / 2,304), with 15% less CPU in all. LEDGERLAB_GC=parallel keeps V8's default.
const here = dirname(fileURLToPath(import.meta.url));
const [major, minor] = process.versions.node.split('.').map(Number);
const tooOld = major < 22 || (major === 22 && minor < 13);
const canStrip = typeof process.features.typescript === 'string';
const argv = process.argv.slice(2);
const threadsArg = (() => {
  const i = argv.findIndex((a) => a === '--threads' || a.startsWith('--threads='));
  return i < 0 ? '1' : argv[i].includes('=') ? argv[i].slice('--threads='.length) : argv[i + 1];
})();
const wantsSingleGc = argv[0] === 'bench' && threadsArg === '1' && process.env.LEDGERLAB_GC !== 'parallel'
  && !process.execArgv.includes('--single-threaded-gc');
// `bench` commands time, so they run with glibc malloc keeping freed memory (the numbers of ALLOCATOR_ENV in
// lib/measure/allocator.ts, which says why; run workers get them from the runner). LEDGERLAB_MALLOC=default, or
// either variable set by the user, keeps the user's choice.
const ALLOCATOR_ENV = { MALLOC_MMAP_THRESHOLD_: String(32 * 2 ** 20), MALLOC_TRIM_THRESHOLD_: String(256 * 2 ** 20) };
const wantsAllocator = argv[0] === 'bench' && process.platform === 'linux' && process.env.LEDGERLAB_MALLOC !== 'default'
  && Object.keys(ALLOCATOR_ENV).every((k) => process.env[k] === undefined);

if (tooOld || !canStrip || wantsSingleGc || wantsAllocator) {
  const bundled = join(here, '..', 'node_modules', 'node', 'bin', 'node');
  const node = tooOld ? bundled : process.execPath;
  if (tooOld && !existsSync(bundled)) {
    console.error(`error (runtime): ledgerlab needs Node >= 22.13, this is ${process.version}\n  hint:  run \`npm ci\` in the ledgerlab folder (it brings Node 22), or install Node 22+`);
    process.exit(1);
  }
  const flags = [...(canStrip && !tooOld ? [] : ['--experimental-strip-types', '--no-warnings=ExperimentalWarning']), ...(wantsSingleGc ? ['--single-threaded-gc'] : [])];
  const env = wantsAllocator ? { ...process.env, ...ALLOCATOR_ENV } : process.env;
  const child = spawn(node, [...flags, fileURLToPath(import.meta.url), ...argv], { stdio: 'inherit', env });
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const sent = new Set();
  const forward = (sig) => {
    sent.add(sig);
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
  };
  for (const sig of signals) process.on(sig, forward);
  child.on('error', (err) => {
    console.error(`error (runtime): cannot start ${node}: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => {
    if (code !== null) process.exit(code);
    if (!sent.has(signal)) console.error(`error (runtime): ledgerlab (pid ${child.pid}) was killed by ${signal}`);
    for (const sig of signals) process.removeListener(sig, forward);
    process.kill(process.pid, signal); // die of the same signal, so the shell reports it as the child's
  });
} else {
  const { main } = await import('../lib/cli/main.ts');
  process.exitCode = await main(argv);
}
