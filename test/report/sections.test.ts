import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRun, listRuns, compareRuns, formatComparison } from '../../lib/results/index.ts';
import {
  buildReport, defaultSection, resolveReportRuns,
  renderReportHtml, groupLabel, paragraph, table, type Section, type ReportSectionBuilder,
} from '../../lib/report/index.ts';
import { reportCommand } from '../../lib/cli/commands/index.ts';
import { parseCommandArgs } from '../../lib/cli/args.ts';
import { LedgerLabError } from '../../lib/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'll-sec-'));
const sps: Record<string, number[]> = { lora: [20, 22, 24], ptuning: [5, 6] };
const env = { backend: { name: 'wasm' }, cpu: { model: 'CPU', cores: 2 } };

test.before(async () => {
  for (const [method, values] of Object.entries(sps)) {
    for (const [i, v] of values.entries()) {
      const run = await startRun({
        root, kind: 'probe', name: 'quick', seeds: [i], environment: env, runId: `probe-${method}-s${i}`,
        config: { method, seed: i, train: { batch: 4 } },
      });
      for (const step of [1, 2]) run.logMetrics({ step, loss: 3 - step * (method === 'lora' ? 0.5 : 0.25) + i * 0.1 });
      run.finish({ samplesPerSecond: v, rouge: { 'rouge-2': v / 4 } });
    }
  }
  const failed = await startRun({ root, kind: 'probe', name: 'quick', seeds: [9], environment: env, runId: 'probe-lora-s9', config: { method: 'lora', seed: 9, train: { batch: 4 } } });
  failed.fail(new LedgerLabError({ kind: 'runtime', problem: 'out of memory' }));
  const sim = await startRun({ root, kind: 'toysim', name: 'sim-a', seeds: [1], environment: env, runId: 'simulate-a-s1', config: { design: 'a' } });
  sim.finish({ roi: 0.12 });
});

test('resolve: run id, prefix, experiment name, kind; unknown names the experiments', () => {
  assert.equal(resolveReportRuns(['probe-lora-s1'], root).map((e) => e.record.runId), ['probe-lora-s1']);
  assert.equal(resolveReportRuns(['probe-ptuning'], root).map((e) => e.record.runId).sort(), ['probe-ptuning-s0', 'probe-ptuning-s1']);
  assert.is(resolveReportRuns(['quick'], root).length, 6);
  assert.equal(resolveReportRuns(['toysim', 'sim-a'], root).map((e) => e.record.runId), ['simulate-a-s1']);
  try {
    resolveReportRuns(['nope'], root);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, LedgerLabError);
    assert.is((err as LedgerLabError).problem, 'no run or experiment matches "nope"');
    assert.match((err as LedgerLabError).hint!, /experiments with runs: quick, sim-a/);
  }
});

test('default section: the compare table with intervals, one chart per metric, unfinished runs named', async () => {
  const runs = resolveReportRuns(['quick'], root);
  const part = defaultSection({ kind: 'probe', runs, allRuns: runs });
  const [s] = part.sections;
  assert.is(s.title, 'probe: results');
  assert.is(s.blocks[0].type, 'paragraph');
  assert.match((s.blocks[0] as { text: string }).text, /6 runs of kind `probe` \(`quick`\); 5 finished\. Not finished \(excluded from the metrics\): `probe-lora-s9` \(failed\)\./);
  const t = s.blocks[1] as { type: string; rows: Record<string, unknown>[] };
  assert.is(t.type, 'table');
  assert.equal(t.rows.map((r) => r.key), ['method', 'runs (seeds)', 'rouge.rouge-2', 'samplesPerSecond']);
  assert.equal(t.rows[0], { key: 'method', g1: 'lora', g2: 'ptuning' });
  assert.equal(t.rows[1], { key: 'runs (seeds)', g1: '3 (0,1,2)', g2: '2 (0,1)' });
  const charts = s.blocks.filter((b) => b.type === 'chart') as { chart: { title: string; subtitle: string[] } }[];
  assert.equal(charts.map((c) => c.chart.title), ['rouge.rouge-2 by configuration', 'samplesPerSecond by configuration', 'loss over training steps']);
  const curve = (charts[2].chart as unknown as { data: { x: number; series: string; mean: number }[] }).data;
  assert.equal(curve.map((p) => [p.x, p.series, Math.round(p.mean * 1000) / 1000]), [[1, 'method=lora', 2.6], [1, 'method=ptuning', 2.8], [2, 'method=lora', 2.1], [2, 'method=ptuning', 2.55]]);
  assert.match(charts[0].chart.subtitle[0], /^5 runs · 5 configs · seeds 0,1,2 · .* · wasm backend$/);
  assert.is(groupLabel({ method: 'lora', 'train.batch': 4 }), 'method=lora, train.batch=4');
  assert.is(groupLabel({}), 'all runs');

  // The HTML shows exactly the numbers `ledgerlab compare` prints for the same runs.
  const finished = runs.filter((e) => e.status === 'finished');
  const text = formatComparison(compareRuns(finished));
  const html = await renderReportHtml(await buildReport(runs, { generatedAt: 'T' }));
  for (const n of ['22.000 [17.032, 26.968]', '5.500 [-0.853, 11.853]', '5.500 [4.258, 6.742]', '1.375 [-0.213, 2.963]']) {
    assert.ok(text.includes(n), `compare lacks ${n}`);
    assert.ok(html.includes(`<td class="num">${n}</td>`), `report lacks ${n}`);
  }
  assert.ok(html.includes('<td>probe-lora-s9</td>'), 'failed run is in the appendix');
});

test('a kind\'s builder (opts.sections) replaces the default; limits merge; appendix lists every run', async () => {
  const calls: string[][] = [];
  const sections: Record<string, ReportSectionBuilder> = {};
  sections.toysim = ({ runs, allRuns }): { sections: Section[]; limits: string[]; title: string } => {
    calls.push([runs.map((e) => e.record.runId).join(','), String(allRuns.length)]);
    return {
      title: 'Incentive simulator',
      sections: [{ title: 'ROI', blocks: [paragraph('ROI by design.'), table({ columns: ['design', 'roi'], rows: runs.map((e) => ({ design: (e.record.config as { design: string }).design, roi: (e.record.summary as { roi: number }).roi })) })] }],
      limits: ['Simulated agents only.'],
    };
  };
  const onlySim = await buildReport(resolveReportRuns(['sim-a'], root), { sections });
  assert.is(onlySim.title, 'Incentive simulator');
  assert.equal(onlySim.limits, ['Simulated agents only.', 'Intervals are two-sided 95% Student-t intervals over seeds unless a section says otherwise.']);
  const both = await buildReport(listRuns(root), { limits: ['CPU only.'], sections });
  assert.is(both.title, 'LedgerLab report: probe, toysim');
  assert.equal(both.sections.map((s) => s.title), ['probe: results', 'ROI']);
  assert.ok(both.limits!.includes('CPU only.') && both.limits!.includes('Simulated agents only.'));
  assert.equal(calls, [['simulate-a-s1', '1'], ['simulate-a-s1', '7']]);
  const html = await renderReportHtml(both);
  assert.ok(html.includes('<td class="num">0.120</td>'));
  const prov = both.appendix![0].blocks[1];
  assert.is(prov.type === 'provenance' ? prov.runs.length : -1, 7);
});

test('CLI command: report → HTML (and --json paths); unknown ref is a usage error', async () => {
  const out = mkdtempSync(join(tmpdir(), 'll-sec-out-'));
  const lines: string[] = [];
  const log = console.log;
  console.log = (s: string) => lines.push(s);
  try {
    await reportCommand.run(parseCommandArgs(reportCommand, ['probe-', '--root', root, '--out', out, '--json', '--title', 'Quick speedup']));
  } finally {
    console.log = log;
  }
  const res = JSON.parse(lines.join('\n')) as { html: string; runs: string[]; pdf?: string };
  assert.is(res.html, join(out, 'report.html'));
  assert.is(res.pdf, undefined);
  assert.is(res.runs.length, 6);
  const html = readFileSync(res.html, 'utf8');
  assert.ok(html.includes('<title>Quick speedup</title>'));
  assert.ok(html.includes('<td class="num">22.000 [17.032, 26.968]</td>'));
  try {
    await reportCommand.run(parseCommandArgs(reportCommand, ['missing-exp', '--root', root, '--out', out]));
    assert.unreachable();
  } catch (err) {
    assert.instance(err, LedgerLabError);
    assert.is((err as LedgerLabError).exitCode, 2);
  }
  // --pdf through the command: Chromium prints report.pdf next to the HTML.
  lines.length = 0;
  console.log = (s: string) => lines.push(s);
  try {
    await reportCommand.run(parseCommandArgs(reportCommand, ['probe-ptuning-s0', '--root', root, '--out', join(out, 'one'), '--pdf']));
  } finally {
    console.log = log;
  }
  assert.equal(lines.map((l) => l.replace(out, 'OUT')), ['report of 1 run → OUT/one/report.html', 'pdf → OUT/one/report.pdf']);
  assert.is(readFileSync(join(out, 'one', 'report.pdf')).subarray(0, 5).toString(), '%PDF-');
  // Default output folder: <root>/reports/<ref>/report.html
  console.log = () => {};
  try {
    await reportCommand.run(parseCommandArgs(reportCommand, ['sim-a', '--root', root]));
  } finally {
    console.log = log;
  }
  assert.ok(existsSync(join(root, 'reports', 'sim-a', 'report.html')));
  assert.is(listRuns(root).length, 7, 'the reports folder is not mistaken for a run');
});

test.run();
