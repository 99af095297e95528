// 01-reproduce-3.7x executed headless (real Jupyter, tslab) on the tiny speedup config in a temp results
// folder: it must run the experiment, show the charts inline, and print the same verdict the library
// computes from the run files.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNotebook } from '../helpers/notebook.ts';
import { ledgerlab, repoRoot } from '../helpers/cli.ts';
import { aggregateSpeedup } from '../../lib/experiments/index.ts';
import { listRuns } from '../../lib/results/index.ts';


test('01-reproduce-3.7x runs the tiny experiment and states the verdict of the run files', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'll-nb01-'));
  const results = join(tmp, 'results');
  const out = join(tmp, 'nb01.ipynb');
  const r = ledgerlab(['notebook', 'run', '01-reproduce-3.7x', '-p', `experiment=${join(repoRoot, 'test', 'fixtures', 'speedup-tiny.json')}`, '-p', `resultsDir=${results}`, '--out', out], { timeoutMs: 600_000 });
  assert.is(r.code, 0, r.stderr);
  const { text, html } = readNotebook(out);
  const agg = aggregateSpeedup(listRuns(results));
  assert.match(text, agg.verdict);
  assert.match(text, /finished +speedup-tiny-[0-9a-f]{8}-s0/);
  assert.is((html.match(/<svg/g) ?? []).length, 3, 'speed, waterfall and quality charts inline');
  assert.match(html, 'Where the speed ratio comes from');
});

test.run();
