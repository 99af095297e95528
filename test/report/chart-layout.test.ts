/**
 * Issue 20 point 14: category labels on bar charts must not run into each other (the speedup throughput
 * chart's "fast (LoRA recipe)", "slow (P-Tuning recipe)", "slow method, fast recipe" did), and a report shows
 * the provenance table once per section, not after every chart. Label extents are measured with the real
 * font through resvg, on the SVG vega renders.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Resvg } from '@resvg/resvg-js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { groupedBarChart, categoryAxis, wrapLabel } from '../../lib/report/charts.ts';
import { renderSvg } from '../../lib/report/render.ts';
import { chartBlock, paragraph, renderReportHtml, table } from '../../lib/report/document.ts';
import { startRun, listRuns } from '../../lib/results/index.ts';

const RECIPES = ['fast (LoRA recipe)', 'slow (P-Tuning recipe)', 'slow method, fast recipe'];

/** Width in px of one line of 11px DejaVu Sans, measured by drawing it. */
function textWidth(text: string): number {
  const esc = text.replace(/&/g, '&amp;').replace(/</g, '&lt;');
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="2000" height="40"><text x="10" y="20" font-family="DejaVu Sans" font-size="11px">${esc}</text></svg>`;
  const r = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } });
  return r.getBBox()?.width ?? 0;
}

/** The x-axis labels of a rendered bar chart: centre x (middle-anchored, unrotated) and their lines. */
function axisLabels(svg: string): { x: number; lines: string[]; rotated: boolean }[] {
  const group = /<g class="mark-text role-axis-label"[^>]*>([\s\S]*?)<\/g>/.exec(svg)![1];
  return [...group.matchAll(/<text([^>]*)>([\s\S]*?)<\/text>/g)].map(([, attrs, body]) => ({
    x: Number(/translate\(([-\d.]+),/.exec(attrs)![1]),
    rotated: /rotate\(/.test(attrs),
    lines: body.includes('<tspan') ? [...body.matchAll(/<tspan[^>]*>([^<]*)<\/tspan>/g)].map((m) => m[1]) : [body],
  }));
}

async function assertNoOverlap(labels: string[], series?: string[]) {
  const chart = groupedBarChart({
    title: 'Training throughput per recipe', x: { title: 'recipe' }, y: { title: 'throughput', unit: 'samples/s' },
    rows: labels.flatMap((g, i) => (series ?? [undefined]).map((s) => ({ group: g, ...(s ? { series: s } : {}), mean: 10 + i }))),
  });
  const found = axisLabels(await renderSvg(chart));
  assert.is(found.length, labels.length);
  assert.equal(found.map((l) => l.lines.join(' ')), labels, 'every label is shown whole (no "…")');
  for (let i = 0; i + 1 < found.length; i++) {
    const a = found[i], b = found[i + 1];
    if (a.rotated || b.rotated) continue; // angled labels are checked by their own test
    const right = a.x + Math.max(...a.lines.map(textWidth)) / 2;
    const left = b.x - Math.max(...b.lines.map(textWidth)) / 2;
    assert.ok(right + 4 <= left, `"${a.lines.join(' ')}" ends at ${right.toFixed(1)} px, "${b.lines.join(' ')}" starts at ${left.toFixed(1)} px`);
  }
  return found;
}

test('the speedup throughput chart: the three recipe labels wrap onto two lines and do not touch', async () => {
  const found = await assertNoOverlap(RECIPES);
  assert.equal(found.map((l) => l.lines), [['fast (LoRA', 'recipe)'], ['slow (P-Tuning', 'recipe)'], ['slow method,', 'fast recipe']]);
});

test('short labels stay on one line; many long labels in a fixed width do not overlap either', async () => {
  const short = await assertNoOverlap(['full', 'lora', 'ptuning-v2', 'qlora']);
  assert.equal(short.map((l) => l.lines.length), [1, 1, 1, 1]);
  await assertNoOverlap(['rouge-1', 'rouge-2', 'rouge-l', 'bleu-4'], RECIPES);
  await assertNoOverlap(['P-Tuning v2 with projection', 'P-Tuning v1 prompt encoder', 'LoRA r=8 on q,k,v,o', 'prompt tuning (20 tokens)', 'full fine-tuning']);
});

test('categoryAxis: horizontal when labels fit, wrapped by words, angled when one word is wider than its band', () => {
  assert.equal(categoryAxis(['a', 'b'], 80), { labelAngle: 0, labelLimit: 0 });
  assert.equal(wrapLabel('slow method, fast recipe', 90), ['slow method,', 'fast recipe']);
  const wrapped = categoryAxis(RECIPES, 100);
  assert.match(String(wrapped.labelExpr), '"slow method, fast recipe":["slow method,","fast recipe"]');
  assert.equal(categoryAxis(['supercalifragilisticexpialidocious', 'b'], 60), { labelAngle: -35, labelAlign: 'right', labelBaseline: 'middle', labelLimit: 220 });
});

test('a report section with several charts shows one provenance table, after its last block', async () => {
  const root = mkdtempSync(join(tmpdir(), 'll-prov-'));
  for (const i of [0, 1]) (await startRun({ root, kind: 'smoke', name: 'p', config: { seed: i }, seeds: [i], environment: {}, runId: `smoke-p-s${i}` })).finish({ v: i });
  const runs = listRuns(root);
  const bar = (title: string) => groupedBarChart({ title, x: { title: 'method' }, y: { title: 'v' }, rows: [{ group: 'a', mean: 1 }] });
  const html = await renderReportHtml({
    title: 'r',
    sections: [
      { title: 'Speed', blocks: [paragraph('x'), chartBlock(bar('one'), runs), table({ columns: ['a'], rows: [{ a: 1 }] }), chartBlock(bar('two'), runs), chartBlock(bar('three'), runs.slice(0, 1))] },
      { title: 'Quality', blocks: [chartBlock(bar('four'), runs)] },
      { title: 'Text only', blocks: [paragraph('no charts, no provenance')] },
    ],
  });
  const sections = [...html.matchAll(/<section id="([^"]+)">([\s\S]*?)<\/section>/g)].map(([, id, body]) => [id, body.split('class="provenance"').length - 1]);
  assert.equal(sections, [['speed', 1], ['quality', 1], ['text-only', 0]]);
  const speed = /<section id="speed">([\s\S]*?)<\/section>/.exec(html)![1];
  assert.ok(speed.lastIndexOf('<figure') < speed.indexOf('class="provenance"'), 'the table follows the last chart');
  for (const id of ['smoke-p-s0', 'smoke-p-s1']) assert.is(speed.split(`<td>${id}</td>`).length - 1, 1, id);
});

test.run();
