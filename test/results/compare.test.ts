import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRun, listRuns, compareRuns, differingKeys, flatten, findRuns, filterRuns, runsFrame } from '../../lib/results/index.ts';
import { ledgerlab } from '../helpers/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'll-cmp-'));
const sps: Record<string, number[]> = { lora: [20, 22, 24], ptuning: [5, 6] };

test.before(async () => {
  for (const [method, values] of Object.entries(sps)) {
    for (const [i, v] of values.entries()) {
      const run = await startRun({
        root, kind: 'speedup', name: method, seeds: [i], environment: {},
        runId: `speedup-${method}-s${i}`,
        config: { method, seed: i, train: { batch: 4, lr: 1e-3 } },
      });
      run.finish({ samplesPerSecond: v, rouge: { 'rouge-2': v / 3 } });
    }
  }
});

test('flatten and differing keys ignore identical values', () => {
  assert.equal(flatten({ a: { b: 1, c: [1, 2] }, d: 'x' }), { 'a.b': 1, 'a.c': [1, 2], d: 'x' });
  assert.equal(differingKeys([{ a: 1, b: { c: 2 } }, { a: 1, b: { c: 3 } }, { a: 1 }]), ['b.c']);
});

test('groups by non-seed config; metrics are mean with t-interval across seeds', () => {
  const c = compareRuns(listRuns(root));
  assert.equal(c.differing, ['method']);
  assert.equal(c.metricNames, ['rouge.rouge-2', 'samplesPerSecond']);
  const lora = c.groups.find((g) => g.config.method === 'lora')!;
  assert.equal(lora.seeds.sort(), [0, 1, 2]);
  assert.is(lora.metrics.samplesPerSecond.mean, 22);
  assert.ok(Math.abs(lora.metrics.samplesPerSecond.hi - (22 + 4.3027 * 2 / Math.sqrt(3))) < 1e-9);
  const pt = c.groups.find((g) => g.config.method === 'ptuning')!;
  assert.is(pt.metrics.samplesPerSecond.mean, 5.5);
});

test('find by id prefix, filter by config path and status', () => {
  assert.is(findRuns(['speedup-lora'], root).length, 3);
  assert.throws(() => findRuns(['nope'], root), /no run matches "nope"/);
  assert.is(filterRuns(listRuns(root), ['config.method=ptuning', 'status=finished']).length, 2);
  assert.is(filterRuns(listRuns(root), ['config.train.batch=4']).length, 5);
});

test('CLI: runs lists, compare prints a table with intervals', () => {
  const list = ledgerlab(['runs', '--root', root, '--filter', 'config.method=lora']);
  assert.is(list.code, 0, list.stderr);
  assert.is(list.stdout.trim().split('\n').length, 4);
  const cmp = ledgerlab(['compare', 'speedup-', '--root', root]);
  assert.is(cmp.code, 0, cmp.stderr);
  assert.match(cmp.stdout, /samplesPerSecond\s+22\.000 \[17\.032, 26\.968\]\s+5\.500 \[-0\.853, 11\.853\]/);
  assert.match(cmp.stdout, /method\s+lora\s+ptuning/);
});

test('runs as a danfojs DataFrame', async () => {
  const df = await runsFrame(listRuns(root));
  assert.equal(df.shape, [5, df.columns.length]);
  assert.ok(df.columns.includes('summary.samplesPerSecond'));
  assert.ok(df.columns.includes('config.train.lr'));
});

test.run();
