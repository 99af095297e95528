/**
 * Chart rendering in Node: vega-lite → vega → SVG (no browser), SVG → PNG with resvg and the system fonts,
 * and the HTML figure used both in reports and inline in tslab notebooks.
 *
 * vega and vega-lite have top-level await, so they are imported lazily here (a static import would make
 * `require(dist/lib/index.js)` from a tslab cell fail with ERR_REQUIRE_ASYNC_MODULE).
 *
 * Notebooks: Jupyter's HTML export blanks `image/svg+xml` outputs but keeps `text/html`, so a chart is shown
 * as a `text/html` output holding an inline `<svg>` (or a base64 `<img>` PNG): it appears in the classic UI,
 * in `nbconvert --to html` and in the PDF printed from that.
 *
 * @example
 * import { display } from 'tslab';
 * await showChart(chart, { display });            // in a notebook cell
 * writeFileSync('fig.png', await renderPng(chart));
 */
import { LedgerLabError } from '../errors.ts';
import { sha256 } from '../util/index.ts';
import type { Chart, VegaLiteSpec } from './charts.ts';

/** Compiles a chart's vega-lite spec and renders it headless to an SVG string (ids made unique per chart). */
export async function renderSvg(chart: Chart | VegaLiteSpec): Promise<string> {
  const spec = isChart(chart) ? chart.spec : chart;
  const [vega, vl] = await Promise.all([import('vega'), import('vega-lite')]);
  let compiled;
  try {
    compiled = vl.compile(spec as unknown as Parameters<typeof vl.compile>[0]).spec;
  } catch (err) {
    throw new LedgerLabError({
      kind: 'data',
      problem: `vega-lite cannot compile the chart: ${(err as Error).message}`,
      where: `chart "${isChart(chart) ? chart.title : 'spec'}"`,
      cause: err,
    });
  }
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  try {
    const svg = await view.toSVG();
    return scopeSvgIds(svg, `c${sha256(svg).slice(0, 8)}`);
  } finally {
    view.finalize();
  }
}

function isChart(x: Chart | VegaLiteSpec): x is Chart {
  return typeof (x as Chart).kind === 'string' && typeof (x as Chart).spec === 'object';
}

/**
 * vega numbers clip paths and gradients clip1, clip2…; two SVGs inlined in one HTML page would share those
 * ids and clip each other. Prefixing every id (and its references) keeps each figure self-contained.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}-${id})`)
    .replace(/href="#([^"]+)"/g, (_, id: string) => `href="#${prefix}-${id}"`);
}

export interface PngOptions {
  /** Pixel density multiplier (default 2: crisp in PDFs and on HiDPI screens). */
  scale?: number;
}

/** SVG (or a chart, rendered first) → PNG bytes, text drawn with the system's DejaVu Sans / Noto Sans CJK. */
export async function renderPng(input: Chart | string, opts: PngOptions = {}): Promise<Uint8Array> {
  const svg = cjkTextFont(typeof input === 'string' ? input : await renderSvg(input));
  const { Resvg } = await import('@resvg/resvg-js');
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: opts.scale ?? 2 },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  });
  return new Uint8Array(r.render().asPng());
}

const CJK = /[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]/;

/**
 * resvg does not fall back per glyph through a font-family list: a text run with any Chinese character is
 * drawn entirely in some CJK serif face, ignoring weight. Naming Noto Sans CJK alone (it has Latin glyphs
 * too) on exactly those runs keeps them sans and bold where asked.
 */
export function cjkTextFont(svg: string): string {
  return svg.replace(/<text([^>]*?)font-family="[^"]*"([^>]*)>([^<]*)</g, (m, a: string, b: string, text: string) =>
    CJK.test(text) ? `<text${a}font-family="Noto Sans CJK SC"${b}>${text}<` : m,
  );
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export interface FigureOptions {
  /** "svg" (default): inline vector; "png": base64 `<img>` (for viewers that mangle inline SVG). */
  format?: 'svg' | 'png';
  /** Print the chart's caption under it (default true). */
  caption?: boolean;
  /** Extra HTML appended inside the figure (e.g. a provenance block). */
  extra?: string;
}

/** A self-contained `<figure>`: the chart (inline SVG or data-URI PNG) and its caption. No external URLs. */
export async function chartFigureHtml(chart: Chart, opts: FigureOptions = {}): Promise<string> {
  const svg = await renderSvg(chart);
  const body =
    opts.format === 'png'
      ? `<img alt="${escapeHtml(chart.title)}" style="max-width:100%" src="data:image/png;base64,${Buffer.from(await renderPng(svg)).toString('base64')}">`
      : svg.replace(/^<svg /, '<svg style="max-width:100%;height:auto" role="img" ');
  const caption = (opts.caption ?? true) && chart.caption ? `<figcaption>${escapeHtml(chart.caption)}</figcaption>` : '';
  return `<figure class="chart" data-kind="${chart.kind}">${body}${caption}${opts.extra ?? ''}</figure>`;
}

/** The part of tslab's `display` (import { display } from 'tslab') that charts use. */
export interface NotebookDisplay {
  html(s: string): void;
  png(b: Uint8Array): void;
}

/**
 * Shows a chart in a tslab notebook as a `text/html` output (inline SVG by default), which survives the
 * nbconvert HTML export. Pass tslab's `display`; without it, tslab is loaded from node_modules (works when
 * the kernel is this package's tslab).
 *
 * @example
 * import { display } from 'tslab';
 * await showChart(groupedBarChart({ ... }), { display });
 */
export async function showChart(chart: Chart, opts: FigureOptions & { display?: NotebookDisplay } = {}): Promise<void> {
  const display = opts.display ?? (await tslabDisplay());
  const html = await chartFigureHtml(chart, opts);
  try {
    display.html(html);
  } catch (err) {
    // tslab's display throws "Not ready" outside a running kernel (e.g. from a script).
    throw new LedgerLabError({ kind: 'notebook', problem: `cannot display the chart: ${(err as Error).message}`, where: `chart "${chart.title}"`, hint: 'showChart works in a tslab notebook; elsewhere use renderSvg / renderPng / chartFigureHtml', cause: err });
  }
}

async function tslabDisplay(): Promise<NotebookDisplay> {
  try {
    const mod = (await import('tslab')) as unknown as { display?: NotebookDisplay; default?: { display?: NotebookDisplay } };
    const d = mod.display ?? mod.default?.display;
    if (d) return d;
  } catch (err) {
    throw new LedgerLabError({ kind: 'notebook', problem: 'cannot load tslab to display a chart', hint: 'pass { display } from "tslab"', cause: err });
  }
  throw new LedgerLabError({ kind: 'notebook', problem: 'tslab has no display API', hint: 'pass { display } from "tslab"' });
}
