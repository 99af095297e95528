// The scale report section rendered from crafted run records (real run.json files in a temp results folder):
// exact tables, chart specs with the right fields and scales, provenance on every figure, pooling of one
// config's seeds, one section set per config, and a located error for a summary of the wrong shape.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { listRuns } from '../../lib/results/index.ts';
import { provenanceLine, renderReportHtml, formatCell, type ChartBlock, type ParagraphBlock, type Section, type TableBlock } from '../../lib/report/index.ts';
import { scaleReport, scaleGroups, latestScaleGroup, estCell, deviceText, SCALE_TITLE } from '../../lib/experiments/scale/report.ts';
import { scaleVerdict } from '../../lib/experiments/scale/verdict.ts';
import { LedgerLabError } from '../../lib/errors.ts';
import { buildExperimentReport, reportSections } from '../../lib/experiments/registry.ts';
import { craftSummary, writeScaleRun, R0, R1, arm } from '../helpers/scale-summary.ts';

const root = mkdtempSync(join(tmpdir(), 'll-scale-report-'));
const summary = craftSummary();
await writeScaleRun(root, 'scale-crafted-aaaa1111-s0', summary, [0, 1, 2]);
const runs = listRuns(root);
const part = scaleReport(runs);
const section = (t: string): Section => part.sections.find((s) => s.title === t)!;
const tables = (t: string) => section(t).blocks.filter((b): b is TableBlock => b.type === 'table');
const charts = (t: string) => section(t).blocks.filter((b): b is ChartBlock => b.type === 'chart').map((b) => b.chart);
const text = (t: TableBlock) => t.rows.map((r) => t.columns.map((c) => formatCell(r[c.key], c.digits)));
const MACHINE = 'machine 2× Test CPU @ 2.0GHz, 24.0 GiB, Node 22.23.3, host testhost';

test('sections, title and subtitle', () => {
  assert.equal(part.sections.map((s) => s.title), ['Ladder and speed ratio', 'Cost model: predicted vs measured', 'ChatGLM2-6B on an A100: prediction vs published', 'Quality', 'Measurement conditions', 'Verdict']);
  assert.is(part.title, SCALE_TITLE);
  assert.is(part.subtitle, '1 finished run(s); wasm backend on 2× Test CPU @ 2.0GHz, 24.0 GiB, Node 22.23.3, host testhost');
  assert.ok(part.limits!.some((l) => l.includes('datasheet peaks')));
});

test('ladder and ratio tables', () => {
  const [ladder, ratio] = tables('Ladder and speed ratio');
  assert.equal(text(ladder!), [
    ['r0', '500k', '2', '64', '4', '2', '192', '2000', '96', '12', '1', '3'],
    ['r1', '26M', '2', '512', '4', '2', '1536', '2000', '96', '12', '4', '3'],
  ]);
  assert.equal(ratio!.columns.map((c) => c.title ?? c.key), ['rung', 'params', 'fast / slow (×)', 'method (×)', 'padding (×)', 'prefix (×)', 'checkpoint (×)', 'quant (×)']);
  assert.equal(text(ratio!), [
    ['r0', '500k', '3.00 [2.80, 3.20]', '1.00 [0.90, 1.10]', '1.25 [1.15, 1.35]', '1.00 [0.90, 1.10]', '1.60 [1.50, 1.70]', '1.50 [1.40, 1.60]'],
    ['r1', '26M', '2.40 [2.20, 2.60]', '0.98 [0.88, 1.08]', '1.10 [1.00, 1.20]', '1.02 [0.92, 1.12]', '1.80 [1.70, 1.90]', '1.20 [1.10, 1.30]'],
  ]);
});

test('shares vs size: a line-band chart on log axes, one series per factor plus the total, with bands and provenance', () => {
  const [c] = charts('Ladder and speed ratio');
  assert.is(c!.kind, 'line-band');
  assert.is(c!.data.length, 12);
  assert.equal(c!.data[6], { x: 500_000, series: 'gradient checkpointing', mean: 1.6, lo: 1.5, hi: 1.7000000000000002 });
  assert.equal(c!.data.at(-1), { x: 26_000_000, series: 'total: fast / slow ratio', mean: 2.4, lo: 2.1999999999999997, hi: 2.6 });
  assert.equal([...new Set(c!.data.map((d) => d.series))], ['the method (LoRA vs P-Tuning v2)', 'padding', 'prefix length', 'gradient checkpointing', 'the 4-bit base', 'total: fast / slow ratio']);
  const layer = c!.spec.layer as { mark: { type: string }; encoding: Record<string, { field?: string; scale?: { type?: string } }> }[];
  assert.equal(layer.map((l) => l.mark.type), ['area', 'line']);
  assert.equal([layer[0]!.encoding.y!.field, (layer[0]!.encoding.y2 as { field: string }).field], ['lo', 'hi']);
  for (const l of layer) assert.equal([l.encoding.x!.scale?.type, l.encoding.y!.scale?.type], ['log', 'log']);
  assert.equal(c!.subtitle, [provenanceLine(runs), MACHINE]);
  assert.match(provenanceLine(runs), /^1 run · config [0-9a-f]{12} · seeds 0,1,2 · commit .+ · wasm backend$/);
  assert.match(c!.caption!, '95% interval bands over seeds');
});

test('predicted vs measured: scatter on log axes with the y = x line, the held-out rung marked, the error table', () => {
  const [c] = charts('Cost model: predicted vs measured');
  assert.is(c!.kind, 'scatter');
  assert.equal(c!.data.map((d) => [d.x, d.y, d.series]), [
    [0.01, 0.011, 'r0'], [0.015, 0.0147, 'r0'], [0.03, 0.0315, 'r0'],
    [0.2, 0.18, 'r1 (held out)'], [0.26, 0.273, 'r1 (held out)'], [0.48, 0.6, 'r1 (held out)'],
  ]);
  const layer = c!.spec.layer as { mark: { type: string }; data?: { values: unknown[] }; encoding: Record<string, { field?: string; scale?: { type?: string } }> }[];
  assert.equal(layer.map((l) => l.mark.type), ['line', 'point']);
  assert.equal(layer[0]!.data!.values, [{ x: 0.01, y: 0.01 }, { x: 0.6, y: 0.6 }], 'y = x over the points\' range');
  for (const l of layer) assert.equal([l.encoding.x!.field, l.encoding.x!.scale?.type, l.encoding.y!.field, l.encoding.y!.scale?.type], ['x', 'log', 'y', 'log']);
  assert.is(c!.caption, 'Every measured cell of every rung (median over interleaved rounds); dashed line: y = x. Device constants fitted on r0; r1 held out. Median |predicted − measured| / measured: 8.2% over all cells, 19.5% on r1.');
  assert.equal(c!.subtitle, [provenanceLine(runs), MACHINE]);
  assert.is((section('Cost model: predicted vs measured').blocks[0] as ParagraphBlock).text, 'Fitted device (three constants): 20.00 GFLOP/s, 5.00 GB/s, 20.0 µs per kernel; fitted on r0, r1 held out.');
  // A term the non-negative fit dropped: infinite rate in memory, null in run.json.
  assert.is(deviceText({ flopsPerSecond: 4.95e9, bytesPerSecond: null as unknown as number, secondsPerKernel: 1.86e-4 }), '4.95 GFLOP/s, no byte term (the non-negative fit set its cost to 0), 186.0 µs per kernel');
  assert.is(deviceText({ flopsPerSecond: Infinity, bytesPerSecond: 5e9, secondsPerKernel: 0 }), 'no FLOP term (the non-negative fit set its cost to 0), 5.00 GB/s, no per-kernel term (the non-negative fit set its cost to 0)');
  const [errors] = tables('Cost model: predicted vs measured');
  assert.equal(text(errors!), [
    ['r0', 'fitted', '3', '0.050', '0.020', '0.100'],
    ['r1', 'held out', '3', '0.100', '0.050', '0.250'],
    ['all', '', '6', '0.082', '0.020', '0.250'],
  ]);
  assert.match(errors!.caption!, 'Targets: median ≤ 0.15 over all cells, ≤ 0.25 on the held-out rung (recorded: 0.082 and 0.195).');
});

test('the A100 prediction next to the published numbers, and its factor split', () => {
  const [pred, shap] = tables('ChatGLM2-6B on an A100: prediction vs published');
  assert.equal(text(pred!), [
    ['LoRA r 32, samples/s', '23.29 [15.84, 30.46]', '21.67'],
    ['P-Tuning v2 prefix 128, samples/s', '12.90 [8.72, 16.99]', '5.81'],
    ['ratio LoRA / P-Tuning v2 (×)', '1.81 [1.72, 1.94]', '3.73'],
    ['peak memory, LoRA (GiB; published: GB)', '7.14', '5.14'],
    ['peak memory, P-Tuning v2 (GiB; published: GB)', '4.58', '5.78'],
  ]);
  assert.match(pred!.caption!, 'ChatGLM2-6B on a100-80gb');
  assert.equal(shap!.columns.map((c) => c.title), [undefined, 'predicted, a100-80gb (×)', 'measured, r1 (×)']);
  assert.equal(text(shap!), [
    ['method', '0.98', '0.98 [0.88, 1.08]'], ['padding', '1.06', '1.10 [1.00, 1.20]'], ['prefix', '1.00', '1.02 [0.92, 1.12]'],
    ['checkpoint', '1.44', '1.80 [1.70, 1.90]'], ['quant', '1.20', '1.20 [1.10, 1.30]'],
  ]);
});

test('quality: distinct-n and repetition next to ROUGE, the degenerate flag, and whether ROUGE is compared', () => {
  const [q] = tables('Quality');
  assert.match(q!.caption!, '(either arm: distinct-2 < 0.1 or repetition > 0.5) has its ROUGE shown but not compared');
  assert.equal(q!.columns.map((c) => c.title ?? c.key), ['rung', 'recipe', 'ROUGE-L', 'ROUGE-1', 'BLEU-4', 'distinct-1', 'distinct-2', 'repetition', 'train steps', 'degenerate', 'ROUGE compared']);
  assert.equal(text(q!), [
    ['r0', 'fast', '9.90', '12.00', '1.50', '0.020', '0.050', '0.600', '400', 'yes', 'no'],
    ['r0', 'slow', '9.90', '12.00', '1.50', '0.020', '0.031', '0.712', '400', 'yes', 'no'],
    ['r1', 'fast', '14.20', '20.50', '5.10', '0.310', '0.520', '0.080', '400', 'no', 'yes'],
    ['r1', 'slow', '13.10', '20.50', '5.10', '0.310', '0.520', '0.080', '400', 'no', 'yes'],
  ]);
});

test('measurement conditions and the verdict', () => {
  const [m] = tables('Measurement conditions');
  assert.equal(text(m!), [
    ['paired rounds per cell', '8–40 (every round every cell trains on the same batches, seeded shuffled order)'],
    ["target: each rung's ratio interval within ±", '2.5%'],
    ['rungs over the target when the rounds stopped', '0 of 2'],
    ['quiet machine (other load ≤ 0.1 core, steal ≤ 2% per round, noisy rounds re-run)', 'quiet'],
    ['spread of the median, median and max over cells', '3.0%, 3.0%'],
    ['rounds taken, median over cells', '12'],
    ['CPU pinned', 'cpu 1 (taskset)'],
    ['1-min load average at the start of timing', '0.12'],
    ['runs (seeds)', '1 (0, 1, 2)'],
  ]);
  const v = section('Verdict').blocks;
  assert.is((v[0] as ParagraphBlock).text, scaleVerdict(summary));
  assert.is(v[1]!.type, 'provenance');
});

test('several one-seed runs of one config are pooled; another config gets its own sections', async () => {
  const r2 = mkdtempSync(join(tmpdir(), 'll-scale-report2-'));
  const a = craftSummary({ spread: undefined });
  const b = craftSummary({ spread: undefined, rungs: [{ ...R0, ratio: 2.7 }, { ...R1, quality: { fast: arm(), slow: arm({ rougeL: 15.1 }), degenerate: false } }] });
  await writeScaleRun(r2, 'scale-crafted-bbbb2222-s0', a, [0]);
  await writeScaleRun(r2, 'scale-crafted-bbbb2222-s1', b, [1]);
  const [g] = scaleGroups(listRuns(r2));
  assert.is(g!.runs.length, 2);
  assert.equal(g!.seeds, [0, 1]);
  const p = scaleReport(listRuns(r2));
  const ratio = p.sections[0]!.blocks[1] as TableBlock;
  assert.equal(text(ratio)[0]!.slice(0, 3), ['r0', '500k', '2.85 [1.46, 5.56]']);
  assert.equal(text(ratio)[1]!.slice(0, 3), ['r1', '26M', '2.40'], 'two equal values: no interval, a bare number');
  const q = p.sections.find((s) => s.title === 'Quality')!.blocks[0] as TableBlock;
  assert.equal(text(q).map((r) => r.slice(0, 3)), [['r0', 'fast', '9.90'], ['r0', 'slow', '9.90'], ['r1', 'fast', '14.20'], ['r1', 'slow', '14.10']]);
  assert.match((p.sections.at(-1)!.blocks[0] as ParagraphBlock).text, scaleVerdict([a, b]));
  // A second config in the same folder: sections per config, named; 'load' picks the newest config, or by name.
  await new Promise((res) => setTimeout(res, 5));
  await writeScaleRun(r2, 'scale-other-cccc3333-s0', craftSummary(), [0], { name: 'other' });
  assert.is(latestScaleGroup(listRuns(r2)).runs[0]!.record.runId, 'scale-other-cccc3333-s0');
  assert.is(latestScaleGroup(listRuns(r2), 'scale-crafted').runs.length, 2);
  assert.throws(() => latestScaleGroup(listRuns(r2), 'nope', r2), (e: unknown) => e instanceof LedgerLabError && e.problem === 'no finished scale run named "nope"' && e.where === r2);
  const both = scaleReport(listRuns(r2));
  assert.is(both.sections.length, 12);
  assert.match(both.sections[0]!.title, /^scale-crafted \(config [0-9a-f]{8}\): Ladder and speed ratio$/);
  assert.match(both.subtitle!, '3 finished run(s) of 2 configs');
});

test('the registry lists the scale section; the whole report renders to HTML with both charts as inline SVG', async () => {
  assert.type(reportSections().scale, 'function');
  const doc = await buildExperimentReport(runs, { generatedAt: '2026-12-01T00:00:00Z' });
  assert.equal(doc.sections.map((s) => s.title), part.sections.map((s) => s.title));
  assert.is(doc.title, SCALE_TITLE);
  const html = await renderReportHtml(doc);
  assert.is((html.match(/<svg/g) ?? []).length, 2);
  assert.match(html, 'Cost model: predicted vs measured step time');
  assert.match(html, '23.29 [15.84, 30.46]');
  assert.match(html, 'the published ratio lies above the predicted interval');
});

test('a summary of the wrong shape is a located error; no finished run gives an empty section', async () => {
  const r3 = mkdtempSync(join(tmpdir(), 'll-scale-report3-'));
  const dir = await writeScaleRun(r3, 'scale-bad-dddd4444-s0', craftSummary(), [0]);
  const rec = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  delete rec.summary.costModel;
  writeFileSync(join(dir, 'run.json'), JSON.stringify(rec));
  assert.throws(() => scaleReport(listRuns(r3)), (e: unknown) => e instanceof LedgerLabError && e.where === `${dir}/run.json summary.costModel` && /no valid "costModel"/.test(e.problem));
  const empty = scaleReport([]);
  assert.equal(empty.sections.map((s) => s.title), ['Scale: no finished runs']);
  assert.is(estCell(undefined), null);
  assert.is(estCell({ value: NaN }), null);
});

test.run();
