// 04-incentive-stress executed headless (real Jupyter, tslab) on experiments/sim-quick.json in a temp results
// folder: it must run and record the sweep, show the heat map and the budget curve inline, print the run's
// table.json numbers, and compute the theory checks live.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNotebook } from '../helpers/notebook.ts';
import { ledgerlab } from '../helpers/cli.ts';
import { listRuns } from '../../lib/results/index.ts';
import { formatSweepTable, readSimSweeps, shareLabel } from '../../lib/experiments/index.ts';


test('04-incentive-stress runs sim-quick and prints the recorded table.json numbers', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'll-nb04-'));
  const results = join(tmp, 'results');
  const out = join(tmp, 'nb04.ipynb');
  const r = ledgerlab(['notebook', 'run', '04-incentive-stress', '-p', `resultsDir=${results}`, '-p', 'budgetMultipliers=0.5,1', '--out', out], { timeoutMs: 600_000 });
  assert.is(r.code, 0, r.stderr);
  const { text, html } = readNotebook(out);

  const runs = listRuns(results);
  assert.is(runs.length, 1, 'one recorded sweep');
  assert.is(runs[0].record.kind, 'simulate');
  assert.is(runs[0].record.name, 'sim-quick');
  assert.is(runs[0].status, 'finished');
  const table = JSON.parse(readFileSync(join(runs[0].dir, 'table.json'), 'utf8')) as { design: string; attack: string; metrics: { capturedShare: { mean: number; lo: number; hi: number; n: number } } }[];
  assert.is(table.length, 9);
  assert.match(text, `run ${runs[0].record.runId}: fast mode, seeds 0, 1, numbers from table.json`);
  for (const row of table) {
    const c = row.metrics.capturedShare;
    assert.match(text, `capturedShare[${row.design} × ${row.attack}] = ${c.mean} [${c.lo}, ${c.hi}] (n = 2)`);
  }
  const [sweep] = readSimSweeps(runs);
  assert.match(text, formatSweepTable(sweep.rows));

  // Inline charts: the heat map with its interval labels, and ROI against budget.
  assert.is((html.match(/<svg/g) ?? []).length, 2, 'heat map and budget curve inline');
  assert.match(html, 'Share of the reward pool captured by the attacker (sim-quick)');
  assert.match(html, shareLabel({ ...table[2].metrics.capturedShare, sd: 0 }));
  assert.match(html, 'Attacker ROI against budget under pro-rata');

  // Theory checks computed live: closed form m/c − 1 equals the simulated ROI (9 decimals) for each cap.
  const wash = [...text.matchAll(/wash, cap m = ([\d.]+): c = [\d.]+, m\/c − 1 = (-?[\d.]+), simulated ROI = (-?[\d.]+), cap binds: true/g)];
  assert.equal(wash.map((m) => m[1]), ['0.5', '1', '3']);
  for (const m of wash) assert.is(m[2], m[3]);
  assert.match(text, /sybil, pro-rata: 1 identity ([\d.]+) ETH, 10 identities \1 ETH, ratio 1\.000/);
  assert.match(text, 'duplicates: Shapley pays the copy 0.3833 (pair 0.7667 vs original alone 0.4667); quotient pays the copy 0 and the original 0.4667');
  assert.match(text, '- Theory checks');
});

test.run();
