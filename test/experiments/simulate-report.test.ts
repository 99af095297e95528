// The simulator's reviewer-report section: every number in the heat map and tables is the recorded run's
// table.json number; per-seed `ledgerlab run` runs pool to the same rows; the theory checks hold live.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listRuns } from '../../lib/results/index.ts';
import { startRun } from '../../lib/results/run.ts';
import { buildReport, renderReportHtml, type TableBlock, type ChartBlock, type Section } from '../../lib/report/index.ts';
import { budgetCurve, parseSimConfig, SimConfigSchema, runSweep } from '../../lib/sim/index.ts';
import {
  loadSimFile, simBudgetCurves, readSimSweeps, recordSweep, shareLabel, simReport, simulateKind, theoryChecks, reportSections,
  type SimFile,
} from '../../lib/experiments/index.ts';

const raw = {
  world: { honest: 6, itemsPerHonest: 4, queriesPerEpoch: 50, epochs: 2 },
  designs: [{ name: 'pro-rata', rule: 'pro-rata' }, { name: 'sqrt', rule: 'sqrt' }, { name: 'pro-rata/quotient+dedup', rule: 'pro-rata', attribution: 'quotient', defences: ['duplicates'] }],
  attacks: [{ type: 'sybil', budgetEth: 0.1, identities: 4 }, { type: 'wash', budgetEth: 0.1 }, { type: 'freerider', budgetEth: 0.1 }],
};
const sim: SimFile = { file: 'inline', name: 'sim-report-test', seeds: [0, 1, 2], config: parseSimConfig(raw) };
const root = mkdtempSync(join(tmpdir(), 'll-simreport-'));
const result = runSweep(sim.config, sim.seeds);
const dir = await recordSweep(sim, result, root, 'fast');
const table = (JSON.parse(readFileSync(join(dir, 'table.json'), 'utf8')) as { design: string; attack: string; metrics: Record<string, { mean: number | null; lo: number | null; hi: number | null; n: number }> }[]);
const part = simReport(listRuns(root));
const section = (t: string): Section => part.sections.find((s) => s.title === t)!;
const tableIn = (t: string, i = 0) => section(t).blocks.filter((b): b is TableBlock => b.type === 'table')[i];

test('sweep read back from table.json equals the sweep in memory', () => {
  const [s] = readSimSweeps(listRuns(root));
  assert.is(s.source, 'table.json');
  assert.is(s.name, 'sim-report-test');
  assert.equal(s.seeds, [0, 1, 2]);
  assert.equal(s.config, sim.config);
  assert.equal(s.rows, result.rows); // NaN (null in JSON) comes back as NaN
  assert.is(s.rows.length, 9);
});

test('heat map cells and captured-share table are the table.json numbers (%)', () => {
  const chart = section('Captured share').blocks.find((b): b is ChartBlock => b.type === 'chart')!.chart;
  assert.is(chart.kind, 'heatmap');
  assert.is(chart.data.length, 9);
  for (const [i, row] of table.entries()) {
    const d = chart.data[i] as { row: string; col: string; value: number; label: string };
    assert.equal([d.row, d.col], [row.design, row.attack]);
    assert.is(d.value, row.metrics.capturedShare.mean! * 100);
    assert.is(d.label, shareLabel({ ...row.metrics.capturedShare, sd: 0 } as never));
  }
  // pro-rata × sybil, by hand: "mean [lo, hi]" in percent with one decimal.
  const c = table[0].metrics.capturedShare;
  assert.is((chart.data[0] as { label: string }).label, `${(c.mean! * 100).toFixed(1)} [${(c.lo! * 100).toFixed(1)}, ${(c.hi! * 100).toFixed(1)}]`);
  const t = tableIn('Captured share');
  assert.equal(t.columns.map((x) => x.title), ['design \\ attack', 'sybil', 'wash', 'freerider']);
  assert.equal(t.rows.map((r) => r.design), ['pro-rata', 'sqrt', 'pro-rata/quotient+dedup']);
  assert.equal(t.rows[1].a2, { mean: table[5].metrics.capturedShare.mean! * 100, lo: table[5].metrics.capturedShare.lo! * 100, hi: table[5].metrics.capturedShare.hi! * 100, n: 3 });
});

test('ROI and honest retention tables are the table.json numbers; profitable attacks named', () => {
  const roi = tableIn('Attacker ROI');
  const retention = tableIn('Honest retention');
  table.forEach((row, i) => {
    const cell = roi.rows[Math.floor(i / 3)][`a${i % 3}`] as { mean: number; lo: number; hi: number; n: number };
    assert.equal([cell.mean, cell.lo, cell.hi, cell.n], [row.metrics.roi.mean, row.metrics.roi.lo, row.metrics.roi.hi, 3]);
    const h = retention.rows[Math.floor(i / 3)][`a${i % 3}`] as { mean: number };
    assert.is(h.mean, row.metrics.honestRetention.mean! * 100);
  });
  const text = (section('Attacker ROI').blocks[1] as { text: string }).text;
  const profitable = table.filter((r) => r.metrics.roi.lo! > 0);
  if (profitable.length) for (const r of profitable) assert.match(text, `${r.attack} under ${r.design} (${r.metrics.roi.mean!.toFixed(2)})`);
  else assert.match(text, 'No attack is profitable');
  const det = tableIn('Gain, inequality and detection');
  assert.is(det.rows.length, 9);
  assert.is((det.rows[2].gain as { mean: number }).mean, table[2].metrics.gainRatio.mean);
});

test('ROI against budget: the ×1 point is the table cell, and re-simulating it gives the same numbers', () => {
  const t = tableIn('ROI against attacker budget');
  assert.is(t.rows.length, 9); // 3 attacks × budgets 0.05, 0.1, 0.2
  assert.equal(t.rows.map((r) => r.budget), [0.05, 0.1, 0.2, 0.05, 0.1, 0.2, 0.05, 0.1, 0.2]);
  assert.equal(t.rows[4].roi, result.rows[1].metrics.roi); // wash at 0.1 under pro-rata
  const wash = sim.config.attacks[1] as Extract<(typeof sim.config.attacks)[number], { type: 'wash' }>;
  const again = budgetCurve(sim.config.world, sim.config.designs[0], wash, [0.1], sim.seeds)[0];
  assert.equal(again.roi, result.rows[1].metrics.roi);
  assert.equal(again.capturedShare, result.rows[1].metrics.capturedShare);
  // Without the table row, ×1 is simulated too and lands on the same numbers.
  const [s] = readSimSweeps(listRuns(root));
  const noRows = simBudgetCurves({ ...s, rows: [] }, { multipliers: [1, 2], attacks: ['wash'] });
  assert.equal(noRows.curves.map((c) => c.attack), ['wash']);
  assert.equal(noRows.curves[0].points.map((p) => p.budgetEth), [0.1, 0.2]);
  assert.equal(noRows.curves[0].points[0].roi, result.rows[1].metrics.roi);
  assert.equal(noRows.curves[0].points[1].roi, t.rows[5].roi);
  const chart = section('ROI against attacker budget').blocks.find((b): b is ChartBlock => b.type === 'chart')!.chart;
  assert.is(chart.kind, 'line-band');
});

test('theory checks: wash ROI = m/c − 1 with the cap binding; sybil splitting per rule; duplicates', () => {
  const t = theoryChecks();
  assert.equal(t.wash.map((w) => w.capMultiple), [0.5, 1, 3]);
  for (const w of t.wash) {
    assert.ok(w.capBinds);
    assert.ok(Math.abs(w.simulated - w.closedForm) < 1e-12, `${w.simulated} vs ${w.closedForm}`);
    assert.is(w.simulated < 0, w.capMultiple < w.costPerUnit);
  }
  assert.ok(t.wash[0].simulated < 0 && t.wash[2].simulated > 0);
  const ratio = Object.fromEntries(t.sybil.map((s) => [s.design, s.ratio]));
  assert.equal(Object.keys(ratio), ['pro-rata', 'stake', 'sqrt', 'pro-rata, daily cap 5']);
  assert.ok(Math.abs(ratio['pro-rata'] - 1) < 1e-9, `pro-rata ${ratio['pro-rata']}`);
  assert.ok(ratio.stake < 1 && ratio.sqrt > 1.3 && ratio['pro-rata, daily cap 5'] > 1.2, JSON.stringify(ratio));
  const d = t.duplicates;
  assert.ok(Math.abs(d.originalAlone - 7 / 15) < 1e-15 && Math.abs(d.shapleyCopy - 23 / 60) < 1e-15 && Math.abs(d.shapleyOriginal - 23 / 60) < 1e-15);
  assert.is(d.quotientCopy, 0);
  assert.ok(Math.abs(d.quotientOriginal - d.originalAlone) < 1e-15);
  const th = part.sections.find((s) => s.title === 'Theory checks')!;
  assert.is((th.blocks[1] as TableBlock).rows.length, 3);
});

test('per-seed runs (ledgerlab run) pool into the same rows as the sweep', async () => {
  const root2 = mkdtempSync(join(tmpdir(), 'll-simreport-seed-'));
  for (const seed of sim.seeds) {
    const run = await startRun({ kind: 'simulate', name: 'sim-report-test', config: raw, seeds: [seed], root: root2 });
    const summary = await simulateKind.run({ config: SimConfigSchema.parse(raw), seed, run, resume: false, verbose: false } as never); // parsed once, as the runner does
    run.finish(summary as Record<string, unknown>);
  }
  const sweeps = readSimSweeps(listRuns(root2));
  assert.is(sweeps.length, 1);
  assert.is(sweeps[0].source, 'metrics.jsonl');
  assert.is(sweeps[0].runs.length, 3);
  assert.equal(sweeps[0].seeds, [0, 1, 2]);
  assert.equal(sweeps[0].rows, result.rows);
});

test('the "simulate" section (listed in the registry): the HTML report has the heat map and the question', async () => {
  assert.ok(reportSections().simulate, 'the registry lists a simulate section');
  const doc = await buildReport(listRuns(root), { generatedAt: '2026-01-01T00:00:00Z', sections: { simulate: ({ runs }) => simReport(runs, { budget: false, theory: false }) } });
  assert.is(doc.title, part.title);
  assert.not.ok(doc.sections.some((s) => s.title.startsWith('ROI against')));
  const html = await renderReportHtml(doc);
  assert.is((html.match(/<svg/g) ?? []).length, 1);
  assert.match(html, 'Share of the reward pool captured by the attacker (sim-report-test)');
  assert.match(html, 'how much of a reward pool do attackers capture');
  assert.equal(simReport([]).limits, ['No finished run of kind "simulate".']);
});

test('loadSimFile + the example quick file parse (the notebook default)', () => {
  const f = loadSimFile(join(import.meta.dirname, '..', '..', 'experiments', 'sim-quick.json'));
  assert.is(f.name, 'sim-quick');
  assert.equal(f.seeds, [0, 1]);
});

test.run();
