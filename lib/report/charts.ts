/**
 * Chart builders: plain data in, a vega-lite spec out, for the handful of chart shapes reports need. Every
 * chart carries a title, axis titles with units and a subtitle slot for provenance (shown under the title in
 * the rendered image, so a PNG copied out of a report still says where it came from), plus a caption that
 * documents and notebooks print under the figure.
 *
 * Specs are pure JSON (no vega loaded here); rendering lives in render.ts.
 *
 * @example
 * const chart = groupedBarChart({
 *   title: 'Training throughput', subtitle: ['3 seeds, CPU, wasm backend'],
 *   x: { title: 'method' }, y: { title: 'throughput', unit: 'samples/s' }, series: { title: 'recipe' },
 *   rows: [{ group: 'LoRA', series: 'own', mean: 21.7, lo: 20.9, hi: 22.4 }],
 * });
 * const svg = await renderSvg(chart);
 */
import { LedgerLabError } from '../errors.ts';
import type { Estimate } from '../measure/index.ts';

export type ChartKind = 'grouped-bar' | 'waterfall' | 'line-band' | 'heatmap' | 'scatter';

/** A vega-lite top-level spec as JSON (kept untyped so lib does not load vega-lite's types eagerly). */
export type VegaLiteSpec = Record<string, unknown>;

export interface Chart {
  kind: ChartKind;
  title: string;
  /** Lines under the title: provenance (config hash, seeds, commit, backend). */
  subtitle: string[];
  /** Text printed under the figure in documents and notebooks (not part of the image). */
  caption?: string;
  spec: VegaLiteSpec;
  /** The rows the chart plots, as given (documents can print them as a table). */
  data: Record<string, unknown>[];
}

export interface AxisSpec {
  title: string;
  /** Unit shown in the axis title: "throughput (samples/s)". */
  unit?: string;
}

export interface ChartCommon {
  title: string;
  subtitle?: string | string[];
  caption?: string;
  /** Plot area size in pixels (default 480 × 280). */
  width?: number;
  height?: number;
}

/** Latin text in DejaVu Sans, Chinese labels fall back to Noto Sans CJK (Debian fonts-noto-cjk). */
export const CHART_FONT = 'DejaVu Sans, Noto Sans CJK SC, sans-serif';

export function axisTitle(a: AxisSpec): string {
  return a.unit ? `${a.title} (${a.unit})` : a.title;
}

function subtitleLines(s: string | string[] | undefined): string[] {
  return s === undefined ? [] : Array.isArray(s) ? s : [s];
}

function requireRows(rows: readonly unknown[], what: string, title: string): void {
  if (rows.length === 0) {
    throw new LedgerLabError({ kind: 'data', problem: `${what} "${title}" has no data`, where: `chart "${title}"`, hint: 'pass at least one row' });
  }
}

function requireFinite(value: unknown, field: string, title: string, index: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new LedgerLabError({
      kind: 'data',
      problem: `field "${field}" of row ${index} is ${JSON.stringify(value)}, not a finite number`,
      where: `chart "${title}" rows[${index}].${field}`,
    });
  }
}

function base(kind: ChartKind, c: ChartCommon, data: Record<string, unknown>[], body: VegaLiteSpec): Chart {
  const subtitle = subtitleLines(c.subtitle);
  const spec: VegaLiteSpec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: c.title, ...(subtitle.length ? { subtitle } : {}), anchor: 'start', fontSize: 15, subtitleFontSize: 10.5, subtitleColor: '#555', offset: 12 },
    width: c.width ?? 480,
    height: c.height ?? 280,
    background: 'white',
    padding: 12,
    data: { values: data },
    config: {
      font: CHART_FONT,
      axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', gridColor: '#e6e6e6' },
      legend: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 'normal', labelLimit: 320 },
      view: { stroke: null },
    },
    ...body,
  };
  return { kind, title: c.title, subtitle, ...(c.caption ? { caption: c.caption } : {}), spec, data };
}

/** Number format for labels: 3 significant digits without exponent noise. */
function fmt(x: number, digits?: number): string {
  if (digits !== undefined) return x.toFixed(digits);
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : a >= 1 ? x.toFixed(2) : x.toPrecision(2);
}

/** Approximate width in px of a label at the axis font (11 px DejaVu Sans; CJK characters are full width). */
export function labelWidth(text: string, fontSize = 11): number {
  let w = 0;
  for (const ch of text) w += /[\u2e80-\u9fff\uff00-\uffef]/.test(ch) ? 1.0 : /[A-Z]/.test(ch) ? 0.68 : 0.6;
  return w * fontSize;
}

/** Greedy word wrap of a label into lines no wider than `px` (a single longer word keeps its own line). */
export function wrapLabel(text: string, px: number, fontSize = 11): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const next = cur ? `${cur} ${word}` : word;
    if (cur && labelWidth(next, fontSize) > px) {
      lines.push(cur);
      cur = word;
    } else cur = next;
  }
  if (cur) lines.push(cur);
  return lines.length ? lines : [text];
}

/**
 * Axis settings so category labels never run into each other: horizontal when every label fits its band,
 * else wrapped onto up to three lines, else (a word wider than its band) angled at -35°. Wrapped lines are
 * looked up by a labelExpr, since vega draws an array label as one line per item.
 */
export function categoryAxis(labels: readonly string[], bandPx: number): VegaLiteSpec {
  const room = bandPx - 6;
  if (labels.every((l) => labelWidth(l) <= room)) return { labelAngle: 0, labelLimit: 0 };
  const wrapped = labels.map((l) => wrapLabel(l, room));
  if (wrapped.every((w) => w.length <= 3 && w.every((line) => labelWidth(line) <= room))) {
    const table = Object.fromEntries(labels.map((l, i) => [l, wrapped[i]]));
    return { labelAngle: 0, labelLimit: 0, labelLineHeight: 13, labelExpr: `(${JSON.stringify(table)})[datum.value] || datum.label` };
  }
  return { labelAngle: -35, labelAlign: 'right', labelBaseline: 'middle', labelLimit: 220 };
}

/** One digit count for a whole set of labels, so 0.0 and 0.30 do not sit side by side. */
export function digitsFor(values: readonly number[]): number {
  const a = Math.max(...values.map(Math.abs));
  return a >= 100 ? 0 : a >= 10 ? 1 : 2;
}

// ---------------------------------------------------------------------------------------------------------
/** A bar: its figure and 95% interval (lo/hi omitted, or equal to mean, when there is one run only). */
export interface BarRow extends Estimate {
  /** Category on the x axis (e.g. method). */
  group: string;
  /** Bar within the group (e.g. recipe); omit for one bar per group. */
  series?: string;
}

export interface GroupedBarOptions extends ChartCommon {
  rows: BarRow[];
  x: AxisSpec;
  y: AxisSpec;
  series?: { title: string };
  /** Print the mean above each bar (default true). */
  labels?: boolean;
  digits?: number;
}

/**
 * Bars of means with 95% interval whiskers, grouped on x and coloured by series.
 *
 * @example
 * groupedBarChart({ title: 'ROUGE-2', x: { title: 'method' }, y: { title: 'ROUGE-2', unit: '%' },
 *   rows: [{ group: 'LoRA', mean: 7.3, lo: 6.9, hi: 7.7 }, { group: 'P-Tuning v2', mean: 7.1, lo: 6.6, hi: 7.6 }] });
 */
export function groupedBarChart(o: GroupedBarOptions): Chart {
  requireRows(o.rows, 'bar chart', o.title);
  const data = o.rows.map((r, i) => {
    for (const f of ['mean', 'lo', 'hi'] as const) if (f === 'mean' || r[f] !== undefined) requireFinite(r[f], f, o.title, i);
    const lo = r.lo ?? r.mean;
    const hi = r.hi ?? r.mean;
    return { group: r.group, series: r.series ?? r.group, mean: r.mean, lo, hi, label: '' };
  });
  const digits = o.digits ?? digitsFor(data.map((d) => d.mean));
  for (const d of data) d.label = fmt(d.mean, digits);
  const hasSeries = o.rows.some((r) => r.series !== undefined);
  const groups = [...new Set(data.map((d) => d.group))];
  const series = [...new Set(data.map((d) => d.series))];
  const yTitle = axisTitle(o.y);
  // A fixed 480 px would turn one or two bars into slabs; size the plot by the number of bars instead.
  // Long category names get a wider band (room for two wrapped lines) rather than a cramped label.
  const bars = (hasSeries ? series.length : 1) * 52 + 24;
  const band = Math.max(bars, Math.min(170, Math.max(...groups.map((g) => labelWidth(g))) / 2 + 24));
  const width = o.width ?? Math.min(520, Math.max(180, groups.length * band));
  const enc: VegaLiteSpec = {
    x: { field: 'group', type: 'nominal', title: axisTitle(o.x), sort: groups, axis: categoryAxis(groups, width / groups.length) },
    ...(hasSeries ? { xOffset: { field: 'series', type: 'nominal', sort: series } } : {}),
  };
  const color = hasSeries
    ? { field: 'series', type: 'nominal', sort: series, title: o.series?.title ?? 'series' }
    : { field: 'group', type: 'nominal', sort: groups, legend: null };
  const layer: VegaLiteSpec[] = [
    { mark: { type: 'bar', tooltip: false }, encoding: { y: { field: 'mean', type: 'quantitative', title: yTitle }, color } },
    {
      mark: { type: 'errorbar', ticks: { width: 6 }, color: '#222' },
      encoding: { y: { field: 'lo', type: 'quantitative', title: yTitle }, y2: { field: 'hi' } },
    },
  ];
  if (o.labels ?? true) {
    layer.push({
      mark: { type: 'text', dy: -6, baseline: 'bottom', fontSize: 10, color: '#222' },
      encoding: { y: { field: 'hi', type: 'quantitative', title: yTitle }, text: { field: 'label' } },
    });
  }
  return base('grouped-bar', { ...o, width }, data, { encoding: enc, layer });
}

// ---------------------------------------------------------------------------------------------------------
export interface WaterfallInput {
  label: string;
  /** Multiplicative contribution (×) of this step. */
  factor: number;
}

export interface WaterfallOptions extends ChartCommon {
  /**
   * Factor steps from 1.0× towards the full ratio (the shape of speedup's `waterfall()` rows: a last row
   * labelled "total" is taken as the full ratio and drawn from zero).
   */
  steps: WaterfallInput[];
  /** Label of the full-ratio bar (default "full ratio"). */
  totalLabel?: string;
  y?: AxisSpec;
  x?: AxisSpec;
  digits?: number;
}

/**
 * Multiplicative waterfall: a 1.0× baseline bar, one floating bar per factor from the running ratio before
 * it to the ratio after it, and the full ratio from zero. Factors that speed up are blue, slow-downs orange.
 */
export function waterfallChart(o: WaterfallOptions): Chart {
  requireRows(o.steps, 'waterfall', o.title);
  o.steps.forEach((s, i) => {
    requireFinite(s.factor, 'factor', o.title, i);
    if (s.factor <= 0) throw new LedgerLabError({ kind: 'data', problem: `factor ${s.factor} is not positive`, where: `chart "${o.title}" steps[${i}].factor` });
  });
  const last = o.steps[o.steps.length - 1];
  const hasTotal = last.label === 'total';
  const factors = hasTotal ? o.steps.slice(0, -1) : o.steps;
  const d = o.digits ?? 2;
  const rows: Record<string, unknown>[] = [{ label: 'baseline', start: 0, end: 1, role: 'baseline', text: `${(1).toFixed(d)}×` }];
  let cum = 1;
  for (const s of factors) {
    const next = cum * s.factor;
    rows.push({ label: s.label, start: cum, end: next, role: s.factor >= 1 ? 'speeds up' : 'slows down', text: `×${s.factor.toFixed(d)}` });
    cum = next;
  }
  const total = hasTotal ? last.factor : cum;
  rows.push({ label: o.totalLabel ?? 'full ratio', start: 0, end: total, role: 'total', text: `${total.toFixed(d)}×` });
  rows.forEach((r) => (r.top = Math.max(r.start as number, r.end as number)));
  const order = rows.map((r) => r.label as string);
  const yTitle = axisTitle(o.y ?? { title: 'speed ratio', unit: '×' });
  return base('waterfall', o, rows, {
    layer: [
      {
        mark: { type: 'bar' },
        encoding: {
          x: { field: 'label', type: 'nominal', sort: order, title: axisTitle(o.x ?? { title: 'factor' }), axis: { labelAngle: 0 } },
          y: { field: 'start', type: 'quantitative', title: yTitle },
          y2: { field: 'end' },
          color: {
            field: 'role', type: 'nominal', title: null,
            scale: { domain: ['baseline', 'speeds up', 'slows down', 'total'], range: ['#9e9e9e', '#4c78a8', '#f58518', '#54a24b'] },
          },
        },
      },
      {
        mark: { type: 'rule', strokeDash: [4, 3], color: '#666' },
        data: { values: [{ one: 1 }] },
        encoding: { y: { field: 'one', type: 'quantitative' } },
      },
      {
        mark: { type: 'text', dy: -5, baseline: 'bottom', fontSize: 10, color: '#222' },
        encoding: { x: { field: 'label', type: 'nominal', sort: order }, y: { field: 'top', type: 'quantitative' }, text: { field: 'text' } },
      },
    ],
  });
}

// ---------------------------------------------------------------------------------------------------------
/** A point of a line with its band (lo/hi omitted: no band there). */
export interface LinePoint extends Estimate {
  x: number;
  series?: string;
}

export interface LineBandOptions extends ChartCommon {
  points: LinePoint[];
  x: AxisSpec;
  y: AxisSpec;
  series?: { title: string };
  /** Log-scale y (e.g. loss). */
  logY?: boolean;
  /** Log-scale x (e.g. parameters along a model-size ladder). */
  logX?: boolean;
}

/** One line per series over x (steps, cycles) with its 95% interval as a translucent band. */
export function lineBandChart(o: LineBandOptions): Chart {
  requireRows(o.points, 'line chart', o.title);
  const data = o.points.map((p, i) => {
    requireFinite(p.x, 'x', o.title, i);
    requireFinite(p.mean, 'mean', o.title, i);
    if (p.lo !== undefined) requireFinite(p.lo, 'lo', o.title, i);
    if (p.hi !== undefined) requireFinite(p.hi, 'hi', o.title, i);
    return { x: p.x, series: p.series ?? 'all', mean: p.mean, lo: p.lo ?? p.mean, hi: p.hi ?? p.mean };
  });
  const series = [...new Set(data.map((d) => d.series))];
  const color = { field: 'series', type: 'nominal', sort: series, title: o.series?.title ?? 'series', ...(o.series ? {} : { legend: null }) };
  const yScale = o.logY ? { type: 'log' } : { zero: false };
  const x = { field: 'x', type: 'quantitative', title: axisTitle(o.x), ...(o.logX ? { scale: { type: 'log' } } : {}) };
  return base('line-band', o, data, {
    layer: [
      { mark: { type: 'area', opacity: 0.22 }, encoding: { x, y: { field: 'lo', type: 'quantitative', scale: yScale, title: axisTitle(o.y) }, y2: { field: 'hi' }, color } },
      { mark: { type: 'line', point: data.length <= 60 }, encoding: { x, y: { field: 'mean', type: 'quantitative', scale: yScale, title: axisTitle(o.y) }, color } },
    ],
  });
}

// ---------------------------------------------------------------------------------------------------------
export interface HeatCell {
  row: string;
  col: string;
  value: number;
  /** Label to print instead of the formatted value (e.g. "0.42 [0.31, 0.55]"). */
  label?: string;
}

export interface HeatmapOptions extends ChartCommon {
  cells: HeatCell[];
  rows: AxisSpec;
  cols: AxisSpec;
  /** Legend title with unit. */
  value: AxisSpec;
  digits?: number;
  /** Colour scheme: sequential (default "blues") or diverging around `midpoint` ("redblue"). */
  scheme?: string;
  midpoint?: number;
}

/** Grid of coloured cells with the value printed in each (e.g. reward design × attack). */
export function heatmapChart(o: HeatmapOptions): Chart {
  requireRows(o.cells, 'heat map', o.title);
  o.cells.forEach((c, i) => requireFinite(c.value, 'value', o.title, i));
  const values = o.cells.map((c) => c.value);
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  // Dark cells get white text: the upper 40% of the colour range under a sequential scheme.
  const mid = o.midpoint;
  const threshold = lo + 0.6 * (hi - lo);
  const data = o.cells.map((c) => ({
    row: c.row, col: c.col, value: c.value,
    label: c.label ?? fmt(c.value, o.digits ?? digitsFor(values)),
    dark: mid === undefined ? c.value > threshold && hi > lo : Math.abs(c.value - mid) > 0.6 * Math.max(hi - mid, mid - lo),
  }));
  const rowOrder = [...new Set(data.map((d) => d.row))];
  const colOrder = [...new Set(data.map((d) => d.col))];
  const scale = mid === undefined ? { scheme: o.scheme ?? 'blues' } : { scheme: o.scheme ?? 'redblue', domainMid: mid };
  const x = { field: 'col', type: 'nominal', sort: colOrder, title: axisTitle(o.cols), axis: { labelAngle: 0 } };
  const y = { field: 'row', type: 'nominal', sort: rowOrder, title: axisTitle(o.rows) };
  return base('heatmap', { ...o, width: o.width ?? Math.max(240, 90 * colOrder.length), height: o.height ?? Math.max(120, 36 * rowOrder.length) }, data, {
    layer: [
      { mark: { type: 'rect' }, encoding: { x, y, color: { field: 'value', type: 'quantitative', title: axisTitle(o.value), scale } } },
      {
        mark: { type: 'text', fontSize: 11 },
        encoding: { x, y, text: { field: 'label' }, color: { condition: { test: 'datum.dark', value: 'white' }, value: '#111' } },
      },
    ],
  });
}

// ---------------------------------------------------------------------------------------------------------
export interface ScatterPoint {
  x: number;
  y: number;
  series?: string;
  /** Printed next to the point. */
  label?: string;
}

export interface ScatterOptions extends ChartCommon {
  points: ScatterPoint[];
  x: AxisSpec;
  y: AxisSpec;
  series?: { title: string };
  logX?: boolean;
  logY?: boolean;
  /** Draw the y = x line across the points' range (predicted vs measured). */
  identity?: boolean;
}

/** Points (e.g. ROI vs budget), coloured by series, optionally labelled. */
export function scatterChart(o: ScatterOptions): Chart {
  requireRows(o.points, 'scatter plot', o.title);
  const data = o.points.map((p, i) => {
    requireFinite(p.x, 'x', o.title, i);
    requireFinite(p.y, 'y', o.title, i);
    return { x: p.x, y: p.y, series: p.series ?? 'all', label: p.label ?? '' };
  });
  const series = [...new Set(data.map((d) => d.series))];
  const color = { field: 'series', type: 'nominal', sort: series, title: o.series?.title ?? 'series', ...(o.series ? {} : { legend: null }) };
  const x = { field: 'x', type: 'quantitative', title: axisTitle(o.x), scale: o.logX ? { type: 'log', padding: 12 } : { zero: false, padding: 12 } };
  const y = { field: 'y', type: 'quantitative', title: axisTitle(o.y), scale: o.logY ? { type: 'log', padding: 12 } : { zero: false, padding: 12 } };
  const layer: VegaLiteSpec[] = [];
  if (o.identity) {
    const all = data.flatMap((d) => [d.x, d.y]);
    const ends = [Math.min(...all), Math.max(...all)].map((v) => ({ x: v, y: v }));
    layer.push({ mark: { type: 'line', color: '#888', strokeDash: [4, 3] }, data: { values: ends }, encoding: { x, y } });
  }
  layer.push({ mark: { type: 'point', filled: true, size: 60, opacity: 0.85 }, encoding: { x, y, color } });
  if (data.some((d) => d.label)) layer.push({ mark: { type: 'text', align: 'left', dx: 6, fontSize: 10, color: '#333' }, encoding: { x, y, text: { field: 'label' } } });
  return base('scatter', o, data, { layer });
}

/** Adds provenance lines / caption to an existing chart (builders of experiment sections use it last). */
export function withProvenance(chart: Chart, lines: string[], caption?: string): Chart {
  const subtitle = [...chart.subtitle, ...lines];
  const title = { ...(chart.spec.title as Record<string, unknown>), subtitle };
  return { ...chart, subtitle, ...(caption ? { caption } : {}), spec: { ...chart.spec, title } };
}
