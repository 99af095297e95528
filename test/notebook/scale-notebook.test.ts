// 05-scale-transfer executed headless (real Jupyter, tslab) in mode 'run' on the tiny scale config
// (test/fixtures/scale-tiny.json: 3 rungs, a few interleaved rounds, one quality rung) in a temp results folder:
// it must run the experiment, draw both charts inline, show the tables, and print the verdict the library
// generates from the run files it wrote.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNotebook, joinLines } from '../helpers/notebook.ts';
import { ledgerlab, repoRoot } from '../helpers/cli.ts';
import { latestScaleGroup, scaleVerdict, predictionTable, deviceText } from '../../lib/experiments/index.ts';
import { listRuns } from '../../lib/results/index.ts';
import { formatCell } from '../../lib/report/index.ts';


const tmp = mkdtempSync(join(tmpdir(), 'll-nb05-'));
const results = join(tmp, 'results');

test('05-scale-transfer runs a tiny scale experiment and shows its charts, tables and verdict', () => {
  const out = join(tmp, 'nb05.ipynb');
  const experiment = join(repoRoot, 'test', 'fixtures', 'scale-tiny.json');
  const r = ledgerlab(['notebook', 'run', '05-scale-transfer', '-p', 'mode=run', '-p', `experiment=${experiment}`, '-p', `resultsDir=${results}`, '--out', out], { timeoutMs: 600_000 });
  assert.is(r.code, 0, r.stderr);
  const { cells, text, html } = readNotebook(out);
  const injected = cells.find((c) => c.metadata.tags?.includes('injected-parameters'))!;
  assert.is(joinLines(injected.source), `mode = "run";\nexperiment = "${experiment}";\nresultsDir = "${results}";`);
  const g = latestScaleGroup(listRuns(results));
  assert.is(g.runs.length, 1);
  assert.match(text, /finished +scale-tiny-[0-9a-f]{8}-s0/);
  assert.match(text, `VERDICT: ${scaleVerdict(g.summary)}`);
  assert.match(text, `scale-tiny: 1 finished run(s) (${g.runs[0]!.record.runId}), seeds 0, config ${g.configSha256.slice(0, 12)}`);
  assert.is((html.match(/<svg/g) ?? []).length, 2, 'shares vs size and predicted vs measured, inline');
  assert.match(html, 'data-kind="line-band"');
  assert.match(html, 'data-kind="scatter"');
  assert.match(html, 'r2 (held out)');
  // The prediction table as the library renders it from the same summary.
  const pred = predictionTable(g.summary);
  for (const row of pred.rows) assert.match(html, `<td class="num">${formatCell(row.predicted, 2)}</td>`);
  assert.match(text, `fitted device: ${deviceText(g.summary.costModel.device)}; fitted on r0, r1, r2 held out`);
  for (const t of ['ROUGE compared', 'distinct-2', 'rungs over the target', 'P-Tuning prefix', 'measured, r2 (×)']) assert.match(html, t);
});

test("mode 'load' shows the newest finished scale runs of the folder without running anything", () => {
  const out = join(tmp, 'nb05-load.ipynb');
  const r = ledgerlab(['notebook', 'run', '05-scale-transfer', '-p', 'mode=load', '-p', `resultsDir=${results}`, '--out', out], { timeoutMs: 300_000 });
  assert.is(r.code, 0, r.stderr);
  const { text, html } = readNotebook(out);
  const g = latestScaleGroup(listRuns(results));
  assert.not.match(text, 'wall time', 'nothing was run');
  assert.match(text, `VERDICT: ${scaleVerdict(g.summary)}`);
  assert.is((html.match(/<svg/g) ?? []).length, 2);
});

test.run();
