// Sweeps through a real BullMQ queue on a real redis-server, with real worker processes and tiny real
// finetune experiments: same metrics as a local sweep, a SIGKILLed worker's run resumed bit-exactly
// elsewhere, failing runs retried and reported by --wait, and the status views.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExperiment, planExperiment, listRuns, readRunRecord, readJsonl, summaryMetrics, queueStatus, acquireLock, runLockPath, PREPARE_LOCK, sim, loadSimFile, formatSweepTable } from '../../lib/index.ts';
import { repoRoot } from '../helpers/cli.ts';
import { main } from '../../lib/cli/main.ts';
import { startRedis, type TestRedis } from './redis.ts';

const BIN = join(repoRoot, 'bin', 'ledgerlab.js');
const env = { ...process.env, LEDGERLAB_QUIET: '1' };
const tmp = mkdtempSync(join(tmpdir(), 'll-queue-'));
let redis: TestRedis;

const tiny = (name: string, extra: { seeds?: number[]; sweep?: Record<string, unknown[]>; train?: Record<string, unknown>; data?: Record<string, unknown> } = {}) => {
  const file = join(tmp, `${name}.json`);
  writeFileSync(file, JSON.stringify({
    kind: 'finetune', name, seeds: extra.seeds ?? [0], sweep: extra.sweep ?? {},
    config: {
      data: { source: 'synthetic', syntheticCount: 120, evalCount: 8, maxSource: 32, maxTarget: 48, ...extra.data },
      model: { layers: 1, dModel: 32, heads: 2, context: 96, vocab: 2000 },
      pretrain: { steps: 5, batchSize: 4, blockSize: 32 },
      method: { method: 'lora' },
      train: { steps: 6, batchSize: 4, lr: 0.005, evalEvery: 3, checkpointEvery: 2, logEvery: 1, ...extra.train },
      eval: { count: 4, maxNew: 8 },
    },
  }));
  return file;
};

interface Done { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }
/** `ledgerlab ARGS` as a child process, without blocking this process (workers run meanwhile). */
/** The CLI as a child; `stderr()` reads what it has written so far, while it runs. */
function cliWatched(args: string[]): { done: Promise<Done>; stderr: () => string } {
  let stdout = '';
  let stderr = '';
  const done = new Promise<Done>((resolve) => {
    const p = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout.on('data', (d) => (stdout += d));
    p.stderr.on('data', (d) => (stderr += d));
    p.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { done, stderr: () => stderr };
}
function cli(args: string[]): Promise<Done> {
  return cliWatched(args).done;
}

/** `ledgerlab ARGS` in this process (cheaper than a process for commands that only read). */
async function inProcess(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  try {
    const code = await main(args);
    return { code, stdout: out.join('\n'), stderr: err.join('\n') };
  } finally {
    [console.log, console.error] = [log, error];
  }
}

interface TestWorker { proc: ChildProcess; log: () => string; exited: Promise<void> }
function worker(root: string): TestWorker {
  const proc = spawn(process.execPath, [BIN, 'worker', '--queue', redis.url, '--root', root, '--lock-ms', '2000'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  proc.stderr!.on('data', (d) => (log += d));
  return { proc, log: () => log, exited: new Promise((r) => proc.on('close', () => r())) };
}
async function stop(...ws: TestWorker[]) {
  for (const w of ws) if (w.proc.exitCode === null && w.proc.signalCode === null) w.proc.kill('SIGTERM');
  await Promise.all(ws.map((w) => w.exited));
}

async function until<T>(what: string, f: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 120_000): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const workersConnected = async (n: number) => (await queueStatus(redis.url)).workers === n;
const metricsOf = (root: string) => new Map(listRuns(root).map((e) => [e.record.runId, summaryMetrics(e.record.summary)]));
const losses = (dir: string) => readJsonl(join(dir, 'metrics.jsonl')).filter((l) => l.loss !== undefined).map((l) => [l.step, l.loss]);

test.before(async () => {
  redis = await startRedis();
});
test.after(async () => {
  await redis.stop();
});

test('a 4-run sweep through 2 workers: queued in `runs` and status, then the same metrics as the local sweep', async () => {
  const file = tiny('q-sweep', { seeds: [0, 1], sweep: { 'method.method': ['lora', 'ptuning-v2'] } });
  const local = join(tmp, 'local');
  const shared = join(tmp, 'shared');
  const out = await runExperiment(file, { root: local });
  assert.equal(out.outcomes.map((o) => o.status), ['finished', 'finished', 'finished', 'finished']);

  const sub = await cli(['run', file, '--queue', redis.url, '--root', shared]);
  assert.is(sub.code, 0, sub.stderr);
  const ids = out.outcomes.map((o) => o.runId);
  assert.equal(sub.stdout.trim().split('\n'), [...ids.map((id) => `queued   ${id}`), `q-sweep: 4 queued, 0 already queued, 0 skipped (already finished) on ${redis.url}`]);
  const runs = await inProcess(['runs', '--root', shared, '--json']);
  assert.equal(JSON.parse(runs.stdout).map((r: { runId: string; status: string }) => [r.runId, r.status]).sort(), ids.map((id) => [id, 'queued']).sort());
  const st = await inProcess(['queue', 'status', redis.url]);
  assert.equal(st.stdout.trim().split('\n'), [
    `queue ${redis.url}: 0 workers connected`,
    'sweep    waiting  active  finished  failed',
    'q-sweep        4       0         0       0',
  ]);

  // The --wait submission plans before any worker starts, so no run can finish in between (it would then count
  // as skipped, not already queued): workers start once it has said what it queued.
  const waiting = cliWatched(['run', file, '--queue', redis.url, '--root', shared, '--wait']);
  await until('the --wait submission', () => waiting.stderr().includes('q-sweep: '));
  const ws = [worker(shared), worker(shared)];
  try {
    await until('2 workers', () => workersConnected(2));
    const wait = await waiting.done;
    assert.is(wait.code, 0, wait.stderr);
    assert.match(wait.stderr, 'q-sweep: 0 queued, 4 already queued, 0 skipped (already finished)');
    const lines = wait.stdout.trim().split('\n');
    assert.is(lines.at(-1), '4 runs: 4 finished, 0 skipped (already finished), 0 failed');
    assert.equal(lines.slice(0, 4).map((l) => l.split(/\s+/).slice(0, 2).join(' ')).sort(), ids.map((id) => `finished ${id}`).sort());
    // Both workers took jobs (each runs one at a time, both were idle when the jobs were there).
    for (const w of ws) assert.match(w.log(), /^finished q-sweep-/m);
    const [a, b] = [metricsOf(local), metricsOf(shared)];
    assert.equal([...b.keys()].sort(), [...a.keys()].sort());
    for (const [id, m] of a) {
      assert.ok(Object.keys(m).length > 10);
      assert.equal(b.get(id), m, id);
      assert.equal(losses(join(shared, id)), losses(join(local, id)), id);
    }
    const status = JSON.parse((await inProcess(['queue', 'status', redis.url, '--json'])).stdout);
    assert.equal(status, { queue: redis.url, workers: 2, sweeps: [{ sweep: 'q-sweep', waiting: 0, active: 0, finished: 4, failed: 0, total: 4 }] });
    assert.equal(JSON.parse((await inProcess(['runs', '--root', shared, '--json'])).stdout).map((r: { status: string }) => r.status), ['finished', 'finished', 'finished', 'finished']);
    // Submitting again queues nothing: finished runs are skipped, as locally.
    const again = await cli(['run', file, '--queue', redis.url, '--root', shared, '--wait']);
    assert.is(again.code, 0, again.stderr);
    assert.is(again.stdout.trim().split('\n').at(-1), '4 runs: 0 finished, 4 skipped (already finished), 0 failed');
  } finally {
    await stop(...ws);
  }
});

test('a worker SIGKILLed mid-run: another worker resumes the run from its checkpoint; metrics identical', async () => {
  const file = tiny('q-kill', { train: { steps: 40, checkpointEvery: 4, evalEvery: 20 } });
  const local = join(tmp, 'kill-local');
  const shared = join(tmp, 'kill-shared');
  const [ref] = (await runExperiment(file, { root: local })).outcomes;
  assert.is(ref.status, 'finished');
  const dir = join(shared, ref.runId);

  assert.is((await cli(['run', file, '--queue', redis.url, '--root', shared])).code, 0);
  const w1 = worker(shared);
  await until('a checkpoint of the run', () => existsSync(join(dir, 'checkpoint.safetensors')));
  assert.equal(listRuns(shared).map((e) => [e.record.runId, e.status]), [[ref.runId, 'running']]);
  w1.proc.kill('SIGKILL');
  await w1.exited;
  const killed = readRunRecord(dir);
  assert.is(killed.status, 'running'); // killed mid-run: nothing could record the end
  // The run's own process noticed its worker was gone and stopped (no orphan keeps training).
  await until('the orphaned run process to exit', () => { try { process.kill(killed.process.pid, 0); return false; } catch { return true; } }, 10_000);

  const w2 = worker(shared);
  try {
    const wait = await cli(['run', file, '--queue', redis.url, '--root', shared, '--wait']);
    assert.is(wait.code, 0, wait.stderr + w2.log());
    assert.is(wait.stdout.trim().split('\n').at(-1), '1 runs: 1 finished, 0 skipped (already finished), 0 failed');
  } finally {
    await stop(w2);
  }
  const rec = readRunRecord(dir);
  assert.is(rec.status, 'finished');
  assert.is(rec.resumes, 1);
  const summary = rec.summary as { resumedFrom: number; steps: number };
  assert.ok(summary.resumedFrom >= 4 && summary.resumedFrom < 40, `resumed from step ${summary.resumedFrom}`);
  const { resumedFrom: _r, ...got } = summaryMetrics(rec.summary);
  const { resumedFrom: _l, ...want } = summaryMetrics(ref.summary);
  assert.equal(got, want);
  assert.equal(losses(dir), losses(ref.dir));
  assert.match(w2.log(), `run      ${ref.runId} (attempt 1/3)`);
});

test('a worker stopped with SIGTERM: its run records "interrupted" and another worker resumes it, no attempt used', async () => {
  const file = tiny('q-term', { train: { steps: 40, checkpointEvery: 4, evalEvery: 20 } });
  const shared = join(tmp, 'term-shared');
  const [p] = planExperiment(file).runs;
  const dir = join(shared, p.runId);
  assert.is((await cli(['run', file, '--queue', redis.url, '--root', shared])).code, 0);
  const w1 = worker(shared);
  await until('a checkpoint of the run', () => existsSync(join(dir, 'checkpoint.safetensors')));
  await stop(w1);
  assert.match(w1.log(), 'SIGTERM, stopping; runs in progress will resume on another worker');
  const stopped = readRunRecord(dir);
  assert.equal([stopped.status, stopped.error], ['interrupted', { message: 'received SIGTERM', kind: 'interrupted' }]);
  const w2 = worker(shared);
  try {
    const wait = await cli(['run', file, '--queue', redis.url, '--root', shared, '--wait']);
    assert.is(wait.code, 0, wait.stderr + w2.log());
  } finally {
    await stop(w2);
  }
  const rec = readRunRecord(dir);
  assert.equal([rec.status, rec.resumes], ['finished', 1]);
  assert.ok((rec.summary as { resumedFrom: number }).resumedFrom >= 4);
  assert.match(w2.log(), `run      ${p.runId} (attempt 1/3)`);
});

test('locks: a run waits while another process holds its run lock, then while the prepare lock is held', async () => {
  const file = tiny('q-lock');
  const shared = join(tmp, 'lock-shared');
  const [p] = planExperiment(file).runs;
  const releaseRun = await acquireLock(runLockPath(shared, p.runId), { staleMs: 2000 });
  const releasePrepare = await acquireLock(PREPARE_LOCK, { staleMs: 2000 });
  const w = worker(shared);
  try {
    assert.is((await cli(['run', file, '--queue', redis.url, '--root', shared])).code, 0);
    await until('the worker to wait for the run lock', () => w.log().includes(`waiting  ${p.runId}: its run lock is held by another worker`));
    await new Promise((r) => setTimeout(r, 4000)); // twice the lock's staleness: we keep it fresh, so nobody takes it over
    assert.not.match(w.log(), `run      ${p.runId}`);
    await releaseRun();
    await until('the run to wait for the prepare lock', () => w.log().includes(`waiting  ${p.runId}: the prepare lock is held by another run building shared inputs (a pretrained base)`));
    await new Promise((r) => setTimeout(r, 4000));
    assert.is(existsSync(join(shared, p.runId, 'run.json')), false); // nothing of the run started meanwhile
    await releasePrepare();
    const wait = await cli(['run', file, '--queue', redis.url, '--root', shared, '--wait']);
    assert.is(wait.code, 0, wait.stderr);
    assert.is(readRunRecord(join(shared, p.runId)).status, 'finished');
  } finally {
    await releaseRun().catch(() => {});
    await releasePrepare().catch(() => {});
    await stop(w);
  }
});

test('a failing run is recorded failed, retried with backoff a bounded number of times, and --wait exits 1', async () => {
  const file = tiny('q-fail', { sweep: { 'data.source': ['synthetic', 'file'] }, data: { path: join(tmp, 'missing.jsonl') } });
  const shared = join(tmp, 'fail-shared');
  const w = worker(shared);
  try {
    const wait = await cli(['run', file, '--queue', redis.url, '--root', shared, '--wait', '--attempts', '2', '--backoff', '200']);
    assert.is(wait.code, 1, wait.stderr);
    const lines = wait.stdout.trim().split('\n');
    assert.is(lines.at(-1), '2 runs: 1 finished, 0 skipped (already finished), 1 failed');
    const failed = listRuns(shared).find((e) => e.status === 'failed')!;
    assert.match(failed.record.runId, /^q-fail-file-/);
    const { stack, ...error } = failed.record.error!;
    assert.match(stack!, /^LedgerLabError: dataset file not found/, 'run.json keeps the stack');
    assert.equal(error, { message: `dataset file not found: ${join(tmp, 'missing.jsonl')}`, where: 'data.path', kind: 'io', code: 'io' });
    assert.is(failed.record.resumes, 1); // the second attempt continued the recorded run
    assert.equal(lines.filter((l) => !l.startsWith('finished')), [
      `failed   ${failed.record.runId}`,
      `         error (io): dataset file not found: ${join(tmp, 'missing.jsonl')}`,
      '           where: data.path',
      `           hint:  check the path (relative paths are resolved from ${process.cwd()}); remove data.path to use the default, or --set data.source=synthetic`,
      '         (gave up after 2 attempts)',
      '2 runs: 1 finished, 0 skipped (already finished), 1 failed',
    ]);
    assert.match(w.log(), `failed   ${failed.record.runId} (will retry)`);
    const status = await queueStatus(redis.url);
    assert.equal(status.sweeps.find((s: { sweep: string }) => s.sweep === 'q-fail'), { sweep: 'q-fail', waiting: 0, active: 0, finished: 1, failed: 1, total: 2 });
  } finally {
    await stop(w);
  }
});

test('simulate --queue: one job per seed; --wait prints the same design × attack table as a local sweep', async () => {
  const file = join(repoRoot, 'experiments', 'sim-quick.json');
  const shared = join(tmp, 'sim-shared');
  const local = loadSimFile(file);
  const want = JSON.parse(JSON.stringify(sim.runSweep(local.config, local.seeds).rows));
  const w = worker(shared);
  try {
    const r = await cli(['simulate', file, '--queue', redis.url, '--root', shared, '--wait', '--json']);
    assert.is(r.code, 0, r.stderr + w.log());
    const out = JSON.parse(r.stdout);
    assert.equal(out.seeds, [0, 1]);
    assert.equal(out.runs.map((x: { seed: number; status: string }) => [x.seed, x.status]), [[0, 'finished'], [1, 'finished']]);
    assert.equal(out.rows, want);
    const text = await cli(['simulate', file, '--queue', redis.url, '--root', shared, '--wait']);
    assert.is(text.code, 0);
    assert.equal(text.stdout.trim().split('\n').slice(1, -1), formatSweepTable(want).split('\n'));
    assert.is(text.stdout.trim().split('\n').at(-1), '2 seeds: 2 finished, 0 failed');
    assert.equal(listRuns(shared).map((e) => [e.record.kind, e.record.seeds[0], e.status]).sort(), [['simulate', 0, 'finished'], ['simulate', 1, 'finished']]);
  } finally {
    await stop(w);
  }
});

test('bad queue URLs and flag mixes are usage errors naming the flag', async () => {
  const file = tiny('q-usage');
  const cases: [string[], number, string][] = [
    [['run', file, '--queue', 'http://127.0.0.1:1'], 2, 'error (usage): queue URL must start with redis:// or rediss://, got "http://"\n  where: --queue'],
    [['run', file, '--wait'], 2, 'error (usage): --wait needs --queue URL'],
    [['run', file, '--queue', redis.url, '--jobs', '2'], 2, 'error (usage): --jobs and --queue exclude each other'],
    [['simulate', join(repoRoot, 'experiments', 'sim-quick.json'), '--queue', redis.url, '--mode', 'evm'], 2, 'error (usage): --queue runs fast mode only'],
    [['worker'], 2, 'error (usage): missing --queue URL'],
    [['worker', '--queue', 'redis://10.0.0.5:6379'], 2, 'error (usage): a queue on another machine (10.0.0.5) needs a password\n  where: --queue\n  hint:  start Redis with --requirepass and use redis://:PASSWORD@10.0.0.5:6379'],
    [['queue', 'status', 'redis://127.0.0.1:1'], 1, 'error (io): cannot reach Redis at redis://127.0.0.1:1'],
  ];
  for (const [args, code, message] of cases) {
    const r = await inProcess(args);
    assert.is(r.code, code, args.join(' '));
    assert.match(r.stderr, message);
  }
});

test.run();
