/**
 * Issue 20 point 8: `data.source: auto` with a mistyped `data.path` must not silently train on synthetic data.
 * A given path that does not exist is an error; 'auto' falls back only when no path was given, and says so.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareTask, DataSchema, ADVERTISEGEN_SAMPLE } from '../../lib/experiments/task.ts';
import { LedgerLabError } from '../../lib/errors.ts';

const small = { syntheticCount: 40, evalCount: 4, vocab: 200 };

for (const source of ['auto', 'advertisegen', 'file'] as const) {
  test(`data.source '${source}' with a data.path that does not exist is an io error at data.path`, async () => {
    try {
      await prepareTask(DataSchema.parse({ ...small, source, path: 'datasets/advertisegen/dev-smaple.jsonl' }));
      assert.unreachable('must throw');
    } catch (err) {
      const e = err as LedgerLabError;
      assert.instance(e, LedgerLabError);
      assert.is(e.kind, 'io');
      assert.is(e.problem, 'dataset file not found: datasets/advertisegen/dev-smaple.jsonl');
      assert.is(e.where, 'data.path');
      assert.match(e.hint!, /relative paths are resolved from /);
    }
  });
}

test("'auto' with the sample present and no path uses the real sample, no fallback", async () => {
  const t = await prepareTask(DataSchema.parse({ ...small, source: 'auto', evalCount: 8 }));
  assert.is(t.manifest.source, 'advertisegen');
  assert.is(t.manifest.path, ADVERTISEGEN_SAMPLE);
  assert.is(t.manifest.fallback, undefined);
});

test("'auto' without a path and without the sample falls back to synthetic data and says so on stderr", () => {
  const empty = mkdtempSync(join(tmpdir(), 'll-nodata-'));
  const code = `
    import { prepareTask, DataSchema } from ${JSON.stringify(join(import.meta.dirname, '../../lib/experiments/task.ts'))};
    const t = await prepareTask(DataSchema.parse(${JSON.stringify({ ...small, source: 'auto' })}));
    console.log(JSON.stringify({ source: t.manifest.source, fallback: t.manifest.fallback, examples: t.manifest.examples }));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', env: { ...process.env, LEDGERLAB_DATASETS: empty } });
  assert.is(r.status, 0, r.stderr);
  const sample = join(empty, 'advertisegen', 'dev-sample.jsonl');
  assert.equal(JSON.parse(r.stdout), { source: 'synthetic', fallback: `the AdvertiseGen sample ${sample} was not found`, examples: 40 });
  assert.is(r.stderr.trim(), `note: data.source 'auto': the AdvertiseGen sample ${sample} was not found, so this run trains on synthetic ad copy (set data.path or LEDGERLAB_DATASETS for real data)`);
});

test.run();
