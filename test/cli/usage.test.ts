/**
 * Issue 20 point 12: usage mistakes get a clear message. `bench --help` lists the bench subcommands; a
 * `--filter` with an unknown key or status is an error listing the valid ones; `--set =5` says what is wrong;
 * an empty dataset file gets a hint naming only settings that exist.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerlab } from '../helpers/cli.ts';
import { commands } from '../../lib/cli/commands/index.ts';
import { prepareTask, DataSchema } from '../../lib/experiments/task.ts';
import { detectFormat } from '../../lib/data/load.ts';
import { LedgerLabError } from '../../lib/errors.ts';
import { filterRuns } from '../../lib/results/index.ts';
import { planExperiment } from '../../lib/experiments/spec.ts';

const tmp = mkdtempSync(join(tmpdir(), 'll-usage-'));

test('ledgerlab bench --help lists every bench subcommand with its summary, exit 0', () => {
  const r = ledgerlab(['bench', '--help']);
  assert.is(r.code, 0, r.stderr);
  const bench = commands.filter((c) => c.name.startsWith('bench '));
  assert.ok(bench.length >= 5);
  const lines = r.stdout.trim().split('\n');
  assert.is(lines[0], 'usage: ledgerlab bench <subcommand> [flags]   (ledgerlab bench <subcommand> --help for its flags)');
  assert.equal(lines.slice(3).map((l) => l.trim().split(/\s{2,}/)), bench.map((c) => [c.name, c.summary]));
});

test('a bare group word lists its subcommands on stderr (exit 2); an unknown one names the valid ones', () => {
  const bare = ledgerlab(['bench']);
  assert.is(bare.code, 2);
  assert.match(bare.stderr, 'bench subcommands:');
  const bad = ledgerlab(['bench', 'trian']);
  assert.is(bad.code, 2);
  assert.is(bad.stderr.trim(), 'error (usage): unknown command "bench trian"\n  where: ledgerlab\n  hint:  ledgerlab bench has: kernels, quant, train, score, generate, load, simulate, noise');
});

test('runs --filter: an unknown status or key is a usage error listing the valid values', () => {
  const root = join(tmp, 'empty-results');
  const st = ledgerlab(['runs', '--root', root, '--filter', 'status=weird']);
  assert.is(st.code, 2);
  assert.is(st.stderr.trim(), 'error (usage): unknown status "weird"\n  where: --filter status=weird\n  hint:  valid statuses: running, finished, failed, interrupted, queued');
  const key = ledgerlab(['runs', '--root', root, '--filter', 'stauts=finished']);
  assert.is(key.code, 2);
  assert.is(key.stderr.trim(), 'error (usage): unknown filter key "stauts"\n  where: --filter\n  hint:  did you mean "status"? valid keys: kind, name, status, runId, configSha256, resumedFrom, resumes, config.<dotted.path>');
  assert.equal(filterRuns([], ['status=failed', 'config.train.lr=0.01', 'kind=speedup']), [], 'valid filters pass');
});

test('--set with no key, no "=" or an empty key part says exactly that', () => {
  const cases: [string, string][] = [
    ['=5', 'override "=5" has no key before "="'],
    ['train.lr', 'override "train.lr" has no "=" (expected key.path=value)'],
    ['train..lr=1', 'override "train..lr=1" has an empty part in the key "train..lr"'],
  ];
  for (const [set, problem] of cases) {
    assert.throws(() => planExperiment('test/fixtures/finetune-tiny.json', [set]), (e: LedgerLabError) => e.problem === problem && e.where === '--set' && e.kind === 'usage');
  }
  const r = ledgerlab(['run', 'test/fixtures/finetune-tiny.json', '--root', join(tmp, 'r'), '--set', '=5']);
  assert.is(r.code, 2);
  assert.is(r.stderr.trim(), `error (usage): override "=5" has no key before "="\n  where: --set\n  hint:  an override is a dotted config path, "=", and a value, e.g. --set train.lr=0.001`);
});

test('an empty dataset file: "the dataset file is empty" at file:1, hint names only real formats and settings', async () => {
  const empty = join(tmp, 'empty.jsonl');
  writeFileSync(empty, '\n\n');
  for (const attempt of [() => detectFormat(empty), () => prepareTask(DataSchema.parse({ source: 'file', path: empty }))]) {
    try {
      await attempt();
      assert.unreachable();
    } catch (err) {
      const e = err as LedgerLabError;
      assert.is(e.problem, 'the dataset file is empty');
      assert.is(e.where, `${empty}:1`);
      assert.not.match(e.hint!, /format explicitly/);
    }
  }
  // AdvertiseGen forced by data.source: zero examples is its own error, not "0 examples cannot hold out 48".
  try {
    await prepareTask(DataSchema.parse({ source: 'advertisegen', path: empty }));
    assert.unreachable();
  } catch (err) {
    assert.is((err as LedgerLabError).problem, 'the dataset has no examples');
  }
  const garbage = join(tmp, 'g.jsonl');
  writeFileSync(garbage, '{"text": "x"}\n');
  try {
    detectFormat(garbage);
    assert.unreachable();
  } catch (err) {
    assert.match((err as LedgerLabError).hint!, "data.source 'advertisegen' reads the file as AdvertiseGen");
    assert.ok(Object.keys(DataSchema.parse({}) as object).includes('source'), 'the setting the hint names exists');
  }
});

test.run();
