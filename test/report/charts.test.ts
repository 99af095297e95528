import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  groupedBarChart, waterfallChart, lineBandChart, heatmapChart, scatterChart, withProvenance, axisTitle, digitsFor,
  renderSvg, renderPng, chartFigureHtml, showChart, scopeSvgIds, cjkTextFont, CHART_FONT, barRows, bandPoints,
} from '../../lib/report/index.ts';
import { LedgerLabError } from '../../lib/errors.ts';

const bar = () =>
  groupedBarChart({
    title: 'Training throughput',
    subtitle: 'config 1a2b3c4d · seeds 0,1,2',
    caption: 'Mean of 3 seeds.',
    x: { title: 'method' },
    y: { title: 'throughput', unit: 'samples/s' },
    series: { title: 'recipe' },
    rows: [
      { group: 'LoRA', series: 'own', mean: 21.67, lo: 20.9, hi: 22.4 },
      { group: 'LoRA', series: 'matched', mean: 12.1, lo: 11, hi: 13 },
      { group: 'P-Tuning v2', series: 'own', mean: 5.81 },
    ],
  });

/** RGBA pixels of an SVG rendered by resvg, and how many are not (near) white. */
async function inkedPixels(svg: string): Promise<{ width: number; height: number; inked: number }> {
  const { Resvg } = await import('@resvg/resvg-js');
  const img = new Resvg(svg, { font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' } }).render();
  const px = img.pixels;
  let inked = 0;
  for (let i = 0; i < px.length; i += 4) if (px[i] < 200 || px[i + 1] < 200 || px[i + 2] < 200) inked++;
  return { width: img.width, height: img.height, inked };
}

test('axis titles carry units; digit choice is shared across labels', () => {
  assert.is(axisTitle({ title: 'throughput', unit: 'samples/s' }), 'throughput (samples/s)');
  assert.is(axisTitle({ title: 'method' }), 'method');
  assert.is(digitsFor([0, 0.3, 1.1]), 2);
  assert.is(digitsFor([5.8, 21.67]), 1);
  assert.is(digitsFor([150, 3]), 0);
});

test('grouped bar: spec has title, subtitle, axis titles with units, interval fields and labels', () => {
  const c = bar();
  assert.is(c.kind, 'grouped-bar');
  assert.equal(c.spec.title, { text: 'Training throughput', subtitle: ['config 1a2b3c4d · seeds 0,1,2'], anchor: 'start', fontSize: 15, subtitleFontSize: 10.5, subtitleColor: '#555', offset: 12 });
  assert.equal(c.data, [
    { group: 'LoRA', series: 'own', mean: 21.67, lo: 20.9, hi: 22.4, label: '21.7' },
    { group: 'LoRA', series: 'matched', mean: 12.1, lo: 11, hi: 13, label: '12.1' },
    { group: 'P-Tuning v2', series: 'own', mean: 5.81, lo: 5.81, hi: 5.81, label: '5.8' },
  ]);
  const layer = c.spec.layer as { mark: { type: string }; encoding: Record<string, { field?: string; title?: string }> }[];
  assert.equal(layer.map((l) => l.mark.type), ['bar', 'errorbar', 'text']);
  assert.is(layer[0].encoding.y.title, 'throughput (samples/s)');
  assert.equal([layer[1].encoding.y.field, layer[1].encoding.y2.field], ['lo', 'hi']);
  assert.is((c.spec.encoding as Record<string, { title?: string }>).x.title, 'method');
  assert.is((c.spec.config as { font: string }).font, CHART_FONT);
});

test('waterfall: 1.0× baseline, running products per factor, full ratio from zero', () => {
  const c = waterfallChart({
    title: 'Where the ratio comes from',
    steps: [{ label: 'padding', factor: 2 }, { label: 'checkpointing', factor: 1.5 }, { label: 'quantized', factor: 0.9 }, { label: 'total', factor: 2.7 }],
  });
  const rows = c.data.map((r) => [r.label, r.start, r.end, r.role, r.text]);
  assert.equal(rows.slice(0, 3), [
    ['baseline', 0, 1, 'baseline', '1.00×'],
    ['padding', 1, 2, 'speeds up', '×2.00'],
    ['checkpointing', 2, 3, 'speeds up', '×1.50'],
  ]);
  assert.equal(rows[3].slice(0, 2), ['quantized', 3]);
  assert.ok(Math.abs((rows[3][2] as number) - 2.7) < 1e-12);
  assert.equal([rows[3][3], rows[3][4]], ['slows down', '×0.90']);
  assert.equal(rows[4], ['full ratio', 0, 2.7, 'total', '2.70×']);
  assert.is(c.data[3].top, 3);
  // Without a "total" row, the running product is the full ratio.
  const d = waterfallChart({ title: 't', steps: [{ label: 'a', factor: 3 }], totalLabel: 'LoRA / P-Tuning' });
  assert.equal(d.data[2], { label: 'LoRA / P-Tuning', start: 0, end: 3, role: 'total', text: '3.00×', top: 3 });
});

test('line band, heat map, scatter: data rows as plotted', () => {
  const l = lineBandChart({ title: 'loss', x: { title: 'step' }, y: { title: 'loss', unit: 'nats/token' }, points: [{ x: 0, mean: 3, lo: 2.8, hi: 3.2 }, { x: 10, mean: 2 }] });
  assert.equal(l.data, [{ x: 0, series: 'all', mean: 3, lo: 2.8, hi: 3.2 }, { x: 10, series: 'all', mean: 2, lo: 2, hi: 2 }]);
  assert.equal((l.spec.layer as { mark: { type: string } }[]).map((x) => x.mark.type), ['area', 'line']);
  const h = heatmapChart({
    title: 'payoff', rows: { title: 'design' }, cols: { title: 'attack' }, value: { title: 'payoff', unit: 'ETH' },
    cells: [{ row: 'A', col: 'sybil', value: 0 }, { row: 'A', col: 'collusion', value: 0.3 }, { row: 'B', col: 'sybil', value: 1.1, label: '1.1 [0.9, 1.3]' }],
  });
  assert.equal(h.data.map((d) => [d.label, d.dark]), [['0.00', false], ['0.30', false], ['1.1 [0.9, 1.3]', true]]);
  const s = scatterChart({ title: 'ROI vs budget', x: { title: 'budget', unit: 'ETH' }, y: { title: 'ROI', unit: '%' }, points: [{ x: 1, y: 5, label: 'a' }] });
  assert.equal(s.data, [{ x: 1, y: 5, series: 'all', label: 'a' }]);
  assert.is((s.spec.layer as unknown[]).length, 2);
});

test('aggregation: per-seed values to mean and 95% t-interval rows', () => {
  const [r] = barRows([{ group: 'LoRA', series: 'own', values: [20, 22, 24] }]);
  assert.equal([r.group, r.series, r.mean], ['LoRA', 'own', 22]);
  assert.ok(Math.abs(r.hi! - (22 + (4.3027 * 2) / Math.sqrt(3))) < 1e-9);
  const pts = bandPoints([
    { x: 10, series: 'a', value: 1 }, { x: 0, series: 'a', value: 3 }, { x: 10, series: 'a', value: 3 }, { x: 0, series: 'b', value: 5 }, { x: 0, series: 'a', value: NaN },
  ]);
  assert.equal(pts.map((p) => [p.x, p.series, p.mean]), [[0, 'a', 3], [0, 'b', 5], [10, 'a', 2]]);
  assert.equal([pts[0].lo, pts[0].hi], [3, 3]);
  assert.ok(Math.abs(pts[2].hi! - (2 + 12.7062 * Math.SQRT2 / Math.SQRT2)) < 1e-9);
});

test('bad data is a located LedgerLabError', () => {
  try {
    groupedBarChart({ title: 'T', x: { title: 'x' }, y: { title: 'y' }, rows: [{ group: 'a', mean: 1 }, { group: 'b', mean: NaN }] });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, LedgerLabError);
    assert.is((err as LedgerLabError).where, 'chart "T" rows[1].mean');
  }
  assert.throws(() => scatterChart({ title: 'E', x: { title: 'x' }, y: { title: 'y' }, points: [] }), /scatter plot "E" has no data/);
  assert.throws(() => waterfallChart({ title: 'W', steps: [{ label: 'a', factor: 0 }] }), /factor 0 is not positive/);
});

test('SVG: titles, units and provenance are in the image; ids are scoped per chart', async () => {
  const c = withProvenance(bar(), ['commit abc1234 · wasm backend']);
  assert.equal(c.subtitle, ['config 1a2b3c4d · seeds 0,1,2', 'commit abc1234 · wasm backend']);
  const svg = await renderSvg(c);
  assert.ok(svg.startsWith('<svg '));
  for (const text of ['Training throughput', 'throughput (samples/s)', 'method', 'recipe', 'commit abc1234 · wasm backend', '21.7', 'P-Tuning v2']) {
    assert.ok(svg.includes(`>${text}<`), `missing text ${text}`);
  }
  const ids = [...svg.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]);
  assert.ok(ids.every((id) => /^c[0-9a-f]{8}-/.test(id)), ids.join(' '));
  assert.ok(!/url\(#clip/.test(svg));
  assert.is(await renderSvg(c), svg, 'rendering is deterministic');
  assert.is(scopeSvgIds('<g id="a" clip-path="url(#a)"><use href="#a"/></g>', 'p'), '<g id="p-a" clip-path="url(#p-a)"><use href="#p-a"/></g>');
});

test('PNG: 2× pixels, not blank; Chinese runs switch to Noto Sans CJK', async () => {
  const c = lineBandChart({
    title: '训练损失 training loss', x: { title: '步数 step' }, y: { title: 'loss', unit: 'nats/token' }, series: { title: 'method' },
    points: [0, 1, 2].flatMap((s) => [{ x: s, series: 'LoRA', mean: 3 - s / 2, lo: 2.8 - s / 2, hi: 3.2 - s / 2 }, { x: s, series: 'P-Tuning', mean: 3.2 - s / 4 }]),
  });
  const svg = await renderSvg(c);
  const width = Number(/width="(\d+)"/.exec(svg)![1]);
  const png = await renderPng(svg, { scale: 2 });
  assert.equal([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.is(Buffer.from(png).readUInt32BE(16), width * 2);
  const fixed = cjkTextFont(svg);
  assert.match(fixed, /font-family="Noto Sans CJK SC"[^>]*>训练损失 training loss</);
  assert.match(fixed, /font-family="DejaVu Sans, Noto Sans CJK SC, sans-serif"[^>]*>nats|loss \(nats\/token\)</);
  const { inked, width: w, height: h } = await inkedPixels(fixed);
  assert.ok(inked > 0.03 * w * h && inked < 0.6 * w * h, `inked ${inked} of ${w * h}`);
});

test('figure HTML is self-contained (inline SVG or data-URI PNG) and shows in a notebook display', async () => {
  const c = bar();
  const svgFig = await chartFigureHtml(c);
  assert.match(svgFig, /^<figure class="chart" data-kind="grouped-bar"><svg style="max-width:100%;height:auto" role="img" /);
  assert.ok(svgFig.endsWith('<figcaption>Mean of 3 seeds.</figcaption></figure>'));
  const pngFig = await chartFigureHtml(c, { format: 'png', caption: false });
  assert.match(pngFig, /^<figure class="chart" data-kind="grouped-bar"><img alt="Training throughput" style="max-width:100%" src="data:image\/png;base64,iVBORw0KGgo/);
  for (const html of [svgFig, pngFig]) assert.not.match(html, /(src|href)="https?:|url\(https?:|@import/);
  const shown: string[] = [];
  await showChart(c, { display: { html: (s) => shown.push(s), png: () => assert.unreachable() } });
  assert.equal(shown, [svgFig]);
  try {
    await showChart(c, { display: { html: () => { throw new Error('Not ready'); }, png: () => {} } });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, LedgerLabError);
    assert.is((err as LedgerLabError).problem, 'cannot display the chart: Not ready');
  }
});

test.run();
