/**
 * Issue 20 point 10, with real processes: `bin/ledgerlab.js`, when it re-runs itself on another Node, passes
 * SIGINT/SIGTERM on to the child and ends the way the child did; `run --jobs` workers stop when the parent is
 * interrupted. The re-run path is forced by starting Node with type stripping off, which any Node 22 can do.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.ts';

const bin = join(repoRoot, 'bin', 'ledgerlab.js');
const fixture = join(repoRoot, 'test', 'fixtures', 'finetune-tiny.json');
// Long enough to be caught running; the signal ends it long before.
const longRun = ['--set', 'train.steps=100000', '--set', 'train.evalEvery=100000', '--set', 'train.checkpointEvery=100000'];

interface Proc { proc: ChildProcess; stderr: string; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }

function start(nodeArgs: string[], args: string[]): Proc {
  const proc = spawn(process.execPath, [...nodeArgs, bin, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, LEDGERLAB_QUIET: '1' } });
  const p = { proc, stderr: '' } as Proc;
  proc.stderr!.on('data', (d) => (p.stderr += d));
  p.exit = new Promise((res) => proc.on('exit', (code, signal) => res({ code, signal })));
  return p;
}

const record = (dir: string) => JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8')) as { status: string; process: { pid: number }; error?: { message: string } };

/** Waits until `n` run folders under root hold a "running" record with a training step logged. */
async function runningRuns(root: string, n: number, p: Proc): Promise<string[]> {
  const t0 = Date.now();
  for (;;) {
    const dirs = existsSync(root) ? readdirSync(root).map((d) => join(root, d)).filter((d) => existsSync(join(d, 'run.json'))) : [];
    const ready = dirs.filter((d) => record(d).status === 'running' && existsSync(join(d, 'metrics.jsonl')));
    if (ready.length >= n) return ready;
    if (Date.now() - t0 > 120_000) throw new Error(`runs did not start: ${p.stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

test('re-run on another Node: SIGTERM to the wrapper reaches the run, which ends "interrupted"; exit 143', async () => {
  const root = mkdtempSync(join(tmpdir(), 'll-sig-'));
  const p = start(['--no-experimental-strip-types'], ['run', fixture, '--root', root, ...longRun]);
  const [dir] = await runningRuns(root, 1, p);
  const inner = record(dir).process.pid;
  assert.is.not(inner, p.proc.pid, 'the run happens in a re-run child');
  p.proc.kill('SIGTERM');
  assert.equal(await p.exit, { code: 143, signal: null });
  assert.is(alive(inner), false, 'the child did not run on after the wrapper ended');
  const rec = record(dir);
  assert.is(rec.status, 'interrupted');
  assert.is(rec.error?.message, 'received SIGTERM');
});

test('re-run on another Node: a child killed by a signal ends the wrapper by that signal, with a word', async () => {
  const root = mkdtempSync(join(tmpdir(), 'll-sig-'));
  const p = start(['--no-experimental-strip-types'], ['run', fixture, '--root', root, ...longRun]);
  const [dir] = await runningRuns(root, 1, p);
  const inner = record(dir).process.pid;
  process.kill(inner, 'SIGKILL');
  assert.equal(await p.exit, { code: null, signal: 'SIGKILL' });
  assert.match(p.stderr, `error (runtime): ledgerlab (pid ${inner}) was killed by SIGKILL`);
});

test('run --jobs 2: SIGINT to the parent stops both workers; their runs end "interrupted"; exit 130', async () => {
  const root = mkdtempSync(join(tmpdir(), 'll-sig-'));
  const p = start([], ['run', fixture, '--root', root, '--jobs', '2', '--set', 'seeds=[0,1]', ...longRun]);
  const dirs = await runningRuns(root, 2, p);
  const workers = dirs.map((d) => record(d).process.pid);
  assert.equal(workers.filter((w) => w === p.proc.pid), [], 'each run is in a worker process');
  p.proc.kill('SIGINT');
  assert.equal(await p.exit, { code: 130, signal: null });
  assert.equal(workers.map(alive), [false, false], 'no worker runs on');
  assert.equal(dirs.map((d) => [record(d).status, record(d).error?.message]), [['interrupted', 'received SIGINT'], ['interrupted', 'received SIGINT']]);
});

test.run();
