// Runner mechanics (sweeps, skipping, failures, resume) with a tiny in-process experiment kind.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { s } from '../../lib/config/schema.ts';
import { planExperiment, runExperiment, type ExperimentKind } from '../../lib/experiments/index.ts';
import { listRuns, readRunRecord } from '../../lib/results/index.ts';
import { readJsonl } from '../../lib/util/index.ts';
import { LedgerLabError } from '../../lib/errors.ts';

const calls: { method: string; seed: number; resume: boolean }[] = [];
let failOn = 'never';
const toySchema = s.object({ method: s.enum(['a', 'b', 'c'] as const), scale: s.number().default(1) });
// A test kind, passed to the runner explicitly (the shipped kinds are listed in lib/experiments/registry.ts).
const toy: ExperimentKind<{ method: 'a' | 'b' | 'c'; scale: number }> = {
  kind: 'toy',
  summary: 'adds numbers',
  configSchema: toySchema,
  async run({ config, seed, run, resume }) {
    calls.push({ method: config.method, seed, resume });
    run.logMetrics({ step: 1, value: seed * config.scale });
    if (config.method === failOn) throw new LedgerLabError({ kind: 'data', problem: 'planted failure', where: 'toy.jsonl:3' });
    return { value: seed * config.scale, method: config.method };
  },
};
const kinds = [toy as ExperimentKind<unknown>];

const dir = mkdtempSync(join(tmpdir(), 'll-exp-'));
const file = join(dir, 'toy.json');
writeFileSync(file, JSON.stringify({ kind: 'toy', name: 'toy', seeds: [1, 2], sweep: { method: ['a', 'b'] }, config: { method: 'a', scale: 10 } }));

test('plan: grid × seeds, deterministic ids, overrides with config shorthand', () => {
  const plan = planExperiment(file, ['scale=3', 'seeds=[5]'], kinds);
  assert.equal(plan.runs.map((r) => [r.point, r.seed, r.config]), [
    [{ method: 'a' }, 5, { method: 'a', scale: 3 }],
    [{ method: 'b' }, 5, { method: 'b', scale: 3 }],
  ]);
  assert.match(plan.runs[0].runId, /^toy-a-[0-9a-f]{8}-s5$/);
  assert.is(planExperiment(file, ['scale=3', 'seeds=[5]'], kinds).runs[0].runId, plan.runs[0].runId);
  assert.is.not(planExperiment(file, ['scale=4'], kinds).runs[0].runId.split('-')[2], plan.runs[0].runId.split('-')[2]);
});

test('plan: unknown config key and bad sweep value are located errors', () => {
  try {
    planExperiment(file, ['scael=3', 'sweep.method=["a","z"]'], kinds);
    assert.unreachable();
  } catch (e) {
    const err = e as LedgerLabError;
    assert.is(err.kind, 'config');
    assert.match(err.problem, 'config.scael: unknown key (did you mean "scale"?)');
    assert.match(err.problem, 'config.method: expected one of a | b | c, got string "z"');
    assert.match(err.where!, file);
  }
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ kind: 'tyo', name: 'x' }));
  assert.throws(() => planExperiment(join(dir, 'bad.json'), [], kinds), /unknown experiment kind "tyo" \(did you mean "toy"\?\)/);
});

test('run: every point × seed runs; a re-run skips finished runs', async () => {
  const root = mkdtempSync(join(tmpdir(), 'll-exp-root-'));
  calls.length = 0;
  const out = await runExperiment(file, { root, kinds });
  assert.equal(out.outcomes.map((o) => o.status), ['finished', 'finished', 'finished', 'finished']);
  assert.equal(calls.map((c) => `${c.method}${c.seed}`), ['a1', 'a2', 'b1', 'b2']);
  const rec = readRunRecord(out.outcomes[3].dir);
  assert.equal(rec.summary, { value: 20, method: 'b' });
  assert.equal(rec.seeds, [2]);
  assert.equal(readJsonl(join(out.outcomes[3].dir, 'metrics.jsonl')).map((l) => l.value), [20]);
  const again = await runExperiment(file, { root, kinds });
  assert.equal(again.outcomes.map((o) => o.status), ['skipped', 'skipped', 'skipped', 'skipped']);
  assert.is(calls.length, 4);
});

test('a failing run is recorded and the sweep goes on; the next invocation resumes it', async () => {
  const root = mkdtempSync(join(tmpdir(), 'll-exp-root-'));
  calls.length = 0;
  failOn = 'a';
  const out = await runExperiment(file, { root, kinds });
  assert.equal(out.outcomes.map((o) => o.status), ['failed', 'failed', 'finished', 'finished']);
  assert.match(out.failed[0].error!, 'planted failure');
  const rec = readRunRecord(out.failed[0].dir);
  assert.is(rec.status, 'failed');
  const { stack, ...error } = rec.error!;
  assert.equal(error, { message: 'planted failure', where: 'toy.jsonl:3', kind: 'data', code: 'data' });
  assert.match(stack!, /^LedgerLabError: planted failure/, 'run.json keeps the stack');
  failOn = 'never';
  calls.length = 0;
  const again = await runExperiment(file, { root, kinds });
  assert.equal(again.outcomes.map((o) => o.status), ['finished', 'finished', 'skipped', 'skipped']);
  assert.equal(calls.map((c) => c.resume), [true, true]);
  assert.is(readRunRecord(out.failed[0].dir).resumes, 1);
  assert.equal(listRuns(root).map((r) => r.status), ['finished', 'finished', 'finished', 'finished']);
});

test.run();
