// The finetune kind end to end, and the resume guarantee at the level a user sees it: `ledgerlab run`
// killed with SIGKILL after a checkpoint, then run again, ends with exactly the summary of a run that was
// never interrupted.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { planExperiment } from '../../lib/experiments/index.ts';
import { readRunRecord } from '../../lib/results/index.ts';
import { readJsonl } from '../../lib/util/index.ts';
import { ledgerlab, repoRoot } from '../helpers/cli.ts';

const fixture = join(repoRoot, 'test', 'fixtures', 'finetune-tiny.json');
const runId = planExperiment(fixture, []).runs[0]!.runId;

interface Summary { scores: Record<string, number>; evalLoss: number; lastLoss: number; steps: number; resumedFrom: number; trainableParams: number }

test('an uninterrupted run and a killed-then-resumed run end identically', async () => {
  const a = mkdtempSync(join(tmpdir(), 'll-ft-a-'));
  const r = ledgerlab(['run', fixture], { env: { LEDGERLAB_RESULTS: a } });
  assert.is(r.code, 0, r.stderr);
  const whole = readRunRecord(join(a, runId));
  assert.is(whole.status, 'finished');
  const sa = whole.summary as Summary;
  assert.is(sa.steps, 6);
  assert.is(sa.trainableParams, 1 * 2 * 4 * (32 + 32));
  assert.equal(Object.keys(sa.scores), ['rouge-1', 'rouge-2', 'rouge-l', 'bleu-4', 'distinct-1', 'distinct-2', 'repetition']);
  assert.is(readJsonl(join(a, runId, 'predictions.jsonl')).length, 4);

  const b = mkdtempSync(join(tmpdir(), 'll-ft-b-'));
  const child = spawn(process.execPath, [join(repoRoot, 'bin', 'ledgerlab.js'), 'run', fixture], { env: { ...process.env, LEDGERLAB_RESULTS: b }, stdio: 'ignore' });
  const ckpt = join(b, runId, 'checkpoint.safetensors');
  const t0 = Date.now();
  while (!existsSync(ckpt) && Date.now() - t0 < 120_000) await new Promise((res) => setTimeout(res, 20));
  assert.ok(existsSync(ckpt), 'a checkpoint appeared');
  child.kill('SIGKILL');
  await new Promise((res) => child.on('exit', res));
  assert.is(readRunRecord(join(b, runId)).status, 'running', 'SIGKILL leaves the record as running (readers see interrupted)');

  const again = ledgerlab(['run', fixture], { env: { LEDGERLAB_RESULTS: b } });
  assert.is(again.code, 0, again.stderr);
  const resumed = readRunRecord(join(b, runId));
  assert.is(resumed.status, 'finished');
  const sb = resumed.summary as Summary;
  assert.ok(sb.resumedFrom > 0 && sb.resumedFrom < 6, `resumed from step ${sb.resumedFrom}`);
  assert.equal({ ...sb, resumedFrom: 0, base: null, data: null }, { ...sa, resumedFrom: 0, base: null, data: null });
  const losses = (dir: string) => readJsonl<{ step?: number; loss?: number }>(join(dir, runId, 'metrics.jsonl')).filter((l) => l.loss !== undefined).map((l) => [l.step, l.loss]);
  assert.equal(losses(b), losses(a));
});

test('--jobs 2 runs seeds in parallel worker processes with the same results as one process', () => {
  const seq = mkdtempSync(join(tmpdir(), 'll-ft-seq-'));
  const par = mkdtempSync(join(tmpdir(), 'll-ft-par-'));
  const set = ['--set', 'seeds=[0,1]'];
  const a = ledgerlab(['run', fixture, ...set], { env: { LEDGERLAB_RESULTS: seq } });
  assert.is(a.code, 0, a.stderr);
  const b = ledgerlab(['run', fixture, ...set, '--jobs', '2'], { env: { LEDGERLAB_RESULTS: par } });
  assert.is(b.code, 0, b.stderr);
  assert.match(b.stdout, '2 runs: 2 finished, 0 skipped');
  const ids = planExperiment(fixture, ['seeds=[0,1]']).runs.map((r) => r.runId);
  for (const id of ids) {
    const x = readRunRecord(join(seq, id)).summary as Summary, y = readRunRecord(join(par, id)).summary as Summary;
    assert.equal([y.scores, y.evalLoss, y.lastLoss], [x.scores, x.evalLoss, x.lastLoss], id);
    // Workers time, so they start with glibc malloc keeping freed memory (lib/measure/allocator.ts) and record it.
    const node = (readRunRecord(join(par, id)).environment as { node: { malloc: unknown; gc: string } }).node;
    assert.equal(node.malloc, { mmapThresholdBytes: 32 * 2 ** 20, trimThresholdBytes: 256 * 2 ** 20 });
    // Pinned to one core (two CPUs here, taskset present), a worker collects garbage on its main thread only.
    if (existsSync('/usr/bin/taskset') && availableParallelism() >= 2) assert.is(node.gc, 'single-threaded');
  }
  const again = ledgerlab(['run', fixture, ...set, '--jobs', '2'], { env: { LEDGERLAB_RESULTS: par } });
  assert.match(again.stdout, '2 runs: 0 finished, 2 skipped');
  const bad = ledgerlab(['run', fixture, '--only', 'no-such-run'], { env: { LEDGERLAB_RESULTS: par } });
  assert.is(bad.code, 2);
  assert.match(bad.stderr, 'run id(s) not in the plan: no-such-run');
});

test('an unknown config key fails with its path and writes no run', () => {
  const r = ledgerlab(['run', fixture, '--set', 'train.stpes=3'], { env: { LEDGERLAB_RESULTS: mkdtempSync(join(tmpdir(), 'll-ft-c-')) } });
  assert.is(r.code, 1);
  assert.match(r.stderr, 'train.stpes');
  assert.match(r.stderr, 'did you mean "steps"');
});

test.run();
