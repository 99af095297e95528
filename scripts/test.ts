/**
 * The test command (`npm test`): type-checks the whole repo, builds dist/ for the notebooks, then runs
 * every test/**\/*.test.ts file (uvu) in its own Node process, two at a time (the machine has 2 cores;
 * separate processes keep tfjs backends and chains from leaking between files).
 *
 *   npm test                       # everything
 *   npm test -- metrics ledger     # only test files whose path contains one of the words
 *   npm test -- --no-typecheck     # skip tsc (quicker while iterating)
 *
 * Ends with the line CI reads: `N passed, N failed` (and `, N skipped`).
 */
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const args = process.argv.slice(2);
const flags = new Set(args.filter((a) => a.startsWith('--')));
const filters = args.filter((a) => !a.startsWith('--'));
const jobs = Number(process.env.LEDGERLAB_TEST_JOBS ?? 2);
const fileTimeoutMs = Number(process.env.LEDGERLAB_TEST_TIMEOUT_S ?? 900) * 1000;

interface Outcome { name: string; passed: number; failed: number; skipped: number; ms: number; output: string }

function run(cmd: string, argv: string[], timeoutMs: number): Promise<{ code: number | null; output: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, {
      cwd: root,
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1', LEDGERLAB_QUIET: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => {
      output += `\n[test runner] killed after ${timeoutMs / 1000} s\n`;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output, ms: performance.now() - t0 });
    });
  });
}

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...findTests(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** Reads uvu's closing summary ("Total: N / Passed: N / Skipped: N"). */
function parseUvu(output: string, code: number | null): { passed: number; failed: number; skipped: number } {
  const total = /Total:\s+(\d+)/.exec(output);
  const passed = /Passed:\s+(\d+)/.exec(output);
  const skipped = /Skipped:\s+(\d+)/.exec(output);
  if (!total || !passed) return { passed: 0, failed: 1, skipped: 0 }; // crashed before uvu reported
  const t = Number(total[1]);
  const p = Number(passed[1]);
  const s = skipped ? Number(skipped[1]) : 0;
  const failed = Math.max(t - p - s, code === 0 ? 0 : 1);
  return { passed: p, failed, skipped: s };
}

const tsc = join(root, 'node_modules/typescript/bin/tsc');
const outcomes: Outcome[] = [];
const report = (o: Outcome) => {
  outcomes.push(o);
  const status = o.failed > 0 ? 'FAIL' : 'ok  ';
  console.log(`${status} ${o.name}  (${o.passed} passed, ${o.failed} failed${o.skipped ? `, ${o.skipped} skipped` : ''}; ${(o.ms / 1000).toFixed(1)} s)`);
  if (o.failed > 0) console.log(o.output.split('\n').map((l) => '     | ' + l).join('\n'));
};

console.log(`node ${process.version} (${process.execPath})`);

if (!flags.has('--no-typecheck')) {
  const r = await run(process.execPath, [tsc, '--noEmit', '-p', 'tsconfig.json'], 600_000);
  report({ name: 'typecheck (tsc --noEmit)', passed: r.code === 0 ? 1 : 0, failed: r.code === 0 ? 0 : 1, skipped: 0, ms: r.ms, output: r.output });
}
{
  // Notebooks import the built copy of lib/, so build it before any notebook test.
  const r = await run(process.execPath, [tsc, '-p', 'tsconfig.build.json'], 600_000);
  if (r.code !== 0) report({ name: 'build dist/ (tsc -p tsconfig.build.json)', passed: 0, failed: 1, skipped: 0, ms: r.ms, output: r.output });
}

const files = findTests(join(root, 'test')).filter((f) => filters.length === 0 || filters.some((w) => relative(root, f).includes(w)));
const queue = [...files];
await Promise.all(
  Array.from({ length: Math.max(1, jobs) }, async () => {
    for (let f = queue.shift(); f; f = queue.shift()) {
      const r = await run(process.execPath, [f], fileTimeoutMs);
      report({ name: relative(root, f), ...parseUvu(r.output, r.code), ms: r.ms, output: r.output });
    }
  }),
);

const sum = (k: 'passed' | 'failed' | 'skipped') => outcomes.reduce((a, o) => a + o[k], 0);
const skipped = sum('skipped');
console.log(`\n${sum('passed')} passed, ${sum('failed')} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(sum('failed') > 0 || (outcomes.length === 0) ? 1 : 0);
