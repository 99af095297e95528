import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { startRun, resumeRun, readRunRecord, listRuns } from '../../lib/results/index.ts';
import { readJsonl, writeFileAtomic } from '../../lib/util/index.ts';
import { sha256Json } from '../../lib/util/hash.ts';
import { LedgerLabError } from '../../lib/errors.ts';
import { s } from '../../lib/config/index.ts';

const env = { stub: 'environment' }; // avoid initialising a tensor backend in this test
const tmp = () => mkdtempSync(join(tmpdir(), 'll-runs-'));

test('a run is "running" on start and "finished" with its summary at the end', async () => {
  const root = tmp();
  const config = { b: 2, a: 1 };
  const run = await startRun({ root, kind: 'smoke', name: 'Tiny LoRA', config, seeds: [0, 1], environment: env });
  assert.match(run.id, /^smoke-tiny-lora-\d{8}-\d{6}$/);
  let rec = readRunRecord(run.dir);
  assert.is(rec.status, 'running');
  assert.is(rec.schemaVersion, 1);
  assert.is(rec.configSha256, sha256Json({ a: 1, b: 2 }));
  assert.equal(rec.seeds, [0, 1]);
  assert.is(rec.process.pid, process.pid);
  assert.match(rec.git.commit ?? '', /^[0-9a-f]{40}$/);
  run.logMetrics({ step: 1, loss: 2.5 });
  run.logMetrics({ step: 2, loss: 2.25 });
  run.writeArtifact('predictions', 'predictions.jsonl', '{"p":"x"}\n');
  run.finish({ rouge2: 7.36 });
  rec = readRunRecord(run.dir);
  assert.is(rec.status, 'finished');
  assert.equal(rec.summary, { rouge2: 7.36 });
  assert.equal(rec.artifacts, { metrics: 'metrics.jsonl', predictions: 'predictions.jsonl' });
  assert.equal(readJsonl(run.metricsPath).map((l) => l.loss), [2.5, 2.25]);
  assert.equal(readdirSync(run.dir).filter((f) => f.endsWith('.tmp')), [], 'no temp files left');
  assert.equal(listRuns(root).map((r) => r.status), ['finished']);
});

test('a failed run records what and where, and the stack', async () => {
  const run = await startRun({ root: tmp(), kind: 'k', name: 'n', config: {}, seeds: [1], environment: env });
  run.fail(new LedgerLabError({ kind: 'data', problem: 'bad line', where: 'x.jsonl:3' }));
  const rec = readRunRecord(run.dir);
  assert.is(rec.status, 'failed');
  const { stack, ...error } = rec.error!;
  assert.equal(error, { message: 'bad line', where: 'x.jsonl:3', kind: 'data', code: 'data' });
  assert.match(stack!, /^LedgerLabError: bad line \(at x\.jsonl:3\)\n\s+at .*run\.test\.ts:\d+:\d+/);
  // A config error keeps its code and every issue with its path.
  const run2 = await startRun({ root: tmp(), kind: 'k', name: 'n', config: {}, seeds: [1], environment: env });
  try {
    s.object({ a: s.int(), b: s.string() }).parse({ a: 1.5, b: 2 }, 'exp.json');
    assert.unreachable('the config is invalid');
  } catch (err) {
    run2.fail(err);
  }
  const { stack: stack2, ...error2 } = readRunRecord(run2.dir).error!;
  assert.match(stack2!, /^LedgerLabError: 2 invalid config values/);
  assert.equal(error2, {
    message: '2 invalid config values:\n  - a: expected integer, got 1.5\n  - b: expected string, got number 2', where: 'exp.json at a', kind: 'config',
    code: 'config.invalid', issues: [{ path: ['a'], message: 'expected integer, got 1.5' }, { path: ['b'], message: 'expected string, got number 2' }],
  });
});

/** Starts a child that begins a run, prints its dir, then idles until signalled. */
function childRun(root: string): Promise<{ child: ReturnType<typeof spawn>; dir: string }> {
  const code = `
    import { startRun } from ${JSON.stringify(join(import.meta.dirname, '../../lib/results/index.ts'))};
    const run = await startRun({ root: ${JSON.stringify(root)}, kind: 'k', name: 'sleepy', config: {}, seeds: [0], environment: {} });
    run.logMetrics({ step: 1 });
    console.log(run.dir);
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((res) => child.stdout!.once('data', (d) => res({ child, dir: String(d).trim() })));
}

const exited = (child: ReturnType<typeof spawn>) => new Promise((res) => child.once('exit', res));

test('SIGTERM marks the run interrupted (never finished)', async () => {
  const { child, dir } = await childRun(tmp());
  child.kill('SIGTERM');
  await exited(child);
  const rec = readRunRecord(dir);
  assert.is(rec.status, 'interrupted');
  assert.is(rec.error?.message, 'received SIGTERM');
});

test('kill -9 leaves "running" on disk but readers see "interrupted"; resume reopens it', async () => {
  const root = tmp();
  const { child, dir } = await childRun(root);
  child.kill('SIGKILL');
  await exited(child);
  assert.is(readRunRecord(dir).status, 'running');
  assert.equal(listRuns(root).map((r) => r.status), ['interrupted']);
  const run = resumeRun(dir);
  assert.is(run.record.resumes, 1);
  assert.is(run.record.process.pid, process.pid);
  run.finish();
  assert.is(readRunRecord(dir).status, 'finished');
  assert.throws(() => resumeRun(dir), /already finished/);
});

test('torn last metrics line is dropped; a bad middle line names file:line', () => {
  const dir = tmp();
  const p = join(dir, 'm.jsonl');
  writeFileSync(p, '{"step":1}\n{"step":2}\n{"ste');
  assert.equal(readJsonl(p), [{ step: 1 }, { step: 2 }]);
  writeFileSync(p, '{"step":1}\nnot json\n{"step":3}\n');
  assert.throws(() => readJsonl(p), (e: LedgerLabError) => e.where === `${p}:2`);
});

test('corrupt or foreign run.json is a located error', () => {
  const dir = tmp();
  writeFileSync(join(dir, 'run.json'), '{"schemaVersion": 2}');
  try {
    readRunRecord(dir);
    assert.unreachable();
  } catch (e) {
    assert.match((e as LedgerLabError).where!, `${join(dir, 'run.json')} at schemaVersion`);
  }
});

test('writeFileAtomic replaces whole files and leaves no temp file', () => {
  const dir = tmp();
  const p = join(dir, 'sub', 'f.txt');
  writeFileAtomic(p, 'one');
  writeFileAtomic(p, 'two');
  assert.is(readFileSync(p, 'utf8'), 'two');
  assert.equal(readdirSync(join(dir, 'sub')), ['f.txt']);
});

test.run();
