/**
 * A small report model for reviewers: sections of paragraphs (a markdown subset), tables whose numbers carry
 * their intervals, charts with a provenance block (which runs, config hash, seeds, commit, backend, machine),
 * a limits section and appendices. Rendered to one self-contained HTML file (inline CSS, inline SVG charts,
 * no external URLs), written atomically, and optionally printed to PDF with Chromium.
 *
 * @example
 * const doc: ReportDocument = {
 *   title: 'LoRA vs P-Tuning v2: where does 3.7× come from?',
 *   sections: [{ title: 'Results', blocks: [
 *     paragraph('Throughput over **3 seeds**, 95% t-intervals.'),
 *     table({ columns: ['method', { key: 'sps', title: 'samples/s', digits: 2 }], rows: [{ method: 'LoRA', sps: meanCI([21, 22, 23]) }] }),
 *     chartBlock(chart, runs),
 *   ] }],
 *   limits: ['Tiny model on CPU: absolute speeds do not transfer to an A100.'],
 * };
 * const { html, pdf } = await writeReport(doc, { dir: 'results/reports/speedup', pdf: true });
 */
import { join, resolve } from 'node:path';
import { canonicalJson, writeFileAtomic } from '../util/index.ts';
import { backendLabel } from '../runtime/index.ts';
import type { RunEntry } from '../results/index.ts';
import type { Interval } from '../measure/index.ts';
import type { Chart } from './charts.ts';
import { chartFigureHtml, escapeHtml } from './render.ts';
import { printPdf } from './pdf.ts';

/** A table cell may be a figure with its interval: lib/measure's Interval (MeanCI and BootstrapCI are ones). */
export type { Interval };

export type Cell = string | number | boolean | null | undefined | Interval;

export interface Column {
  key: string;
  title?: string;
  unit?: string;
  /** Decimal places for numbers and intervals (default 3). */
  digits?: number;
}

export interface TableBlock {
  type: 'table';
  columns: Column[];
  rows: Record<string, Cell>[];
  caption?: string;
}

export interface ParagraphBlock {
  type: 'paragraph';
  /** Markdown subset: blank-line paragraphs, "- " lists, **bold**, *italic*, `code`, [text](#anchor-or-url). */
  text: string;
}

export interface ChartBlock {
  type: 'chart';
  chart: Chart;
  /** The runs the figure was drawn from: printed as its provenance block. */
  runs?: readonly RunEntry[];
  format?: 'svg' | 'png';
}

export interface ProvenanceBlock {
  type: 'provenance';
  runs: readonly RunEntry[];
  /** Also print each run's full config (default false; the run records appendix has them). */
  configs?: boolean;
}

export interface CodeBlock {
  type: 'code';
  text: string;
}

export type Block = ParagraphBlock | TableBlock | ChartBlock | ProvenanceBlock | CodeBlock | { type: 'heading'; text: string };

export interface Section {
  title: string;
  /** Anchor id (default: slug of the title). */
  id?: string;
  blocks: Block[];
}

export interface ReportDocument {
  title: string;
  subtitle?: string;
  /** ISO time printed in the header (default: now). */
  generatedAt?: string;
  sections: Section[];
  /** What the results do not show: printed as its own "Limits" section after the results. */
  limits?: string[];
  /** Printed after the limits (e.g. every run's record). */
  appendix?: Section[];
}

// ---- block constructors ---------------------------------------------------------------------------------

export const paragraph = (text: string): ParagraphBlock => ({ type: 'paragraph', text });

export function table(t: { columns: (string | Column)[]; rows: Record<string, Cell>[]; caption?: string }): TableBlock {
  return { type: 'table', columns: t.columns.map((c) => (typeof c === 'string' ? { key: c } : c)), rows: t.rows, ...(t.caption ? { caption: t.caption } : {}) };
}

export const chartBlock = (chart: Chart, runs?: readonly RunEntry[], format?: 'svg' | 'png'): ChartBlock => ({ type: 'chart', chart, ...(runs ? { runs } : {}), ...(format ? { format } : {}) });

export const provenanceBlock = (runs: readonly RunEntry[], configs = false): ProvenanceBlock => ({ type: 'provenance', runs, configs });

// ---- formatting -----------------------------------------------------------------------------------------

export function isInterval(v: unknown): v is Interval {
  return !!v && typeof v === 'object' && typeof (v as Interval).mean === 'number' && typeof (v as Interval).lo === 'number' && typeof (v as Interval).hi === 'number';
}

/**
 * "21.800 [20.180, 23.410]" — the same text as formatCI in lib/measure: n=1 prints "21.800 (n=1)" (no
 * interval from one value), n=0 or a NaN mean prints "—".
 */
export function formatCell(v: Cell, digits = 3): string {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'number') return Number.isFinite(v) ? v.toFixed(digits) : '—';
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (typeof v === 'string') return v;
  if (v.n === 0 || !Number.isFinite(v.mean)) return '—';
  if (v.n === 1) return `${v.mean.toFixed(digits)} (n=1)`;
  return `${v.mean.toFixed(digits)} [${v.lo.toFixed(digits)}, ${v.hi.toFixed(digits)}]`;
}

/** Inline markdown: escapes HTML first, then code spans, bold, italic and links. */
export function inlineMarkdown(text: string): string {
  const codes: string[] = [];
  let s = escapeHtml(text).replace(/`([^`]+)`/g, (_, c: string) => `\u0000${codes.push(c) - 1}\u0000`);
  s = s
    .replace(/\*\*([^*]+)\*\*/g, '<strong>$1</strong>')
    .replace(/(^|[^*\w])\*([^*\s][^*]*)\*(?!\w)/g, '$1<em>$2</em>')
    .replace(/\[([^\]]+)\]\(([^)\s]+)\)/g, (_, t: string, href: string) => `<a href="${href}">${t}</a>`);
  return s.replace(/\u0000(\d+)\u0000/g, (_, i: string) => `<code>${codes[Number(i)]}</code>`);
}

/** Blank-line separated paragraphs; a paragraph whose lines all start with "- " is a bullet list. */
export function markdownHtml(text: string): string {
  return text
    .trim()
    .split(/\n\s*\n/)
    .map((block) => {
      const lines = block.split('\n').map((l) => l.trim());
      if (lines.every((l) => l.startsWith('- '))) return `<ul>${lines.map((l) => `<li>${inlineMarkdown(l.slice(2))}</li>`).join('')}</ul>`;
      return `<p>${inlineMarkdown(lines.join(' '))}</p>`;
    })
    .join('\n');
}

export function slug(s: string): string {
  return s.toLowerCase().replace(/[^a-z0-9\u4e00-\u9fff]+/g, '-').replace(/^-|-$/g, '') || 'section';
}

export function tableHtml(t: TableBlock): string {
  const head = t.columns.map((c) => `<th>${escapeHtml(c.title ?? c.key)}${c.unit ? ` <span class="unit">(${escapeHtml(c.unit)})</span>` : ''}</th>`).join('');
  const body = t.rows
    .map((r) => `<tr>${t.columns.map((c) => {
      const v = r[c.key];
      const num = typeof v === 'number' || isInterval(v);
      return `<td${num ? ' class="num"' : ''}>${escapeHtml(formatCell(v, c.digits))}</td>`;
    }).join('')}</tr>`)
    .join('\n');
  // A <caption> wraps at the table's width, which squeezes it under narrow tables; a block above does not.
  const caption = t.caption ? `<p class="table-caption">${inlineMarkdown(t.caption)}</p>` : '';
  return `${caption}<table><thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody></table>`;
}

// ---- provenance -----------------------------------------------------------------------------------------

export interface RunProvenance {
  runId: string;
  kind: string;
  name: string;
  status: string;
  configSha256: string;
  seeds: number[];
  commit: string;
  backend: string;
  machine: string;
  startedAt: string;
  endedAt: string;
}

function get(o: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((x, k) => (x && typeof x === 'object' ? (x as Record<string, unknown>)[k] : undefined), o);
}

/** What a reader needs to trace a figure back to a run: read from its run record. */
export function runProvenance(e: RunEntry): RunProvenance {
  const r = e.record;
  const env = r.environment;
  const cores = get(env, 'cpu.cores');
  const model = get(env, 'cpu.model');
  const mem = get(env, 'memory.totalBytes');
  const host = get(env, 'os.hostname') ?? r.process.host;
  const machine = [
    typeof cores === 'number' && typeof model === 'string' ? `${cores}× ${model}` : null,
    typeof mem === 'number' ? `${(mem / 2 ** 30).toFixed(1)} GiB` : null,
    typeof get(env, 'node.version') === 'string' ? `Node ${get(env, 'node.version')}` : null,
    typeof host === 'string' ? `host ${host}` : null,
  ].filter(Boolean).join(', ');
  return {
    runId: r.runId,
    kind: r.kind,
    name: r.name,
    status: e.status,
    configSha256: r.configSha256,
    seeds: r.seeds,
    commit: r.git.commit ? r.git.commit.slice(0, 12) + (r.git.dirty ? ' (dirty)' : '') : r.git.dirty ? 'no commit (dirty tree)' : 'no commit',
    backend: backendLabel(env),
    machine: machine || 'unknown',
    startedAt: r.startedAt,
    endedAt: r.endedAt ?? '',
  };
}

const uniq = <T>(xs: T[]): T[] => [...new Set(xs)];

/**
 * One line for a chart subtitle: "3 runs · config 1a2b3c4d5e6f · seeds 0,1,2 · commit 0123abcd · wasm backend".
 *
 * @example
 * withProvenance(chart, [provenanceLine(runs)]);
 */
export function provenanceLine(runs: readonly RunEntry[]): string {
  const p = runs.map(runProvenance);
  const hashes = uniq(p.map((x) => x.configSha256.slice(0, 12)));
  const commits = uniq(p.map((x) => x.commit));
  const backends = uniq(p.map((x) => x.backend));
  return [
    `${p.length} run${p.length === 1 ? '' : 's'}`,
    hashes.length === 1 ? `config ${hashes[0]}` : `${hashes.length} configs`,
    `seeds ${uniq(p.flatMap((x) => x.seeds)).sort((a, b) => a - b).join(',')}`,
    commits.length === 1 ? `commit ${commits[0]}` : `${commits.length} commits`,
    `${backends.join('/')} backend`,
  ].join(' · ');
}

export function provenanceHtml(runs: readonly RunEntry[], configs = false): string {
  const rows = runs.map(runProvenance);
  const t = tableHtml(table({
    columns: [{ key: 'runId', title: 'run' }, { key: 'configSha256', title: 'config sha256' }, 'seeds', 'commit', 'backend', 'machine', 'status'],
    rows: rows.map((r) => ({ ...r, configSha256: r.configSha256.slice(0, 16) + '…', seeds: r.seeds.join(', ') })),
  }));
  const cfg = configs
    ? runs.map((e) => `<p class="small"><code>${escapeHtml(e.record.runId)}</code> config (sha256 ${e.record.configSha256}):</p><pre>${escapeHtml(JSON.stringify(e.record.config, null, 2))}</pre>`).join('\n')
    : '';
  return `<div class="provenance"><div class="prov-title">Provenance</div>${t}${cfg}</div>`;
}

/** Every run's record as an appendix section: provenance table plus each distinct config in full. */
export function runRecordsAppendix(runs: readonly RunEntry[], title = 'Appendix: run records'): Section {
  const byConfig = new Map<string, RunEntry[]>();
  for (const e of runs) byConfig.set(e.record.configSha256, [...(byConfig.get(e.record.configSha256) ?? []), e]);
  const blocks: Block[] = [
    paragraph(`${runs.length} run${runs.length === 1 ? '' : 's'}; each row is the run's \`run.json\` (commit, config sha256, seeds, backend, machine).`),
    provenanceBlock(runs),
  ];
  for (const [hash, es] of byConfig) {
    blocks.push({ type: 'heading', text: `config ${hash.slice(0, 12)} (${es.map((e) => e.record.runId).join(', ')})` });
    blocks.push({ type: 'code', text: canonicalPretty(es[0].record.config) });
  }
  return { title, id: 'run-records', blocks };
}

function canonicalPretty(v: unknown): string {
  return JSON.stringify(JSON.parse(canonicalJson(v ?? null)), null, 2);
}

// ---- rendering ------------------------------------------------------------------------------------------

const CSS = `
@page { size: A4; margin: 14mm 12mm; }
* { box-sizing: border-box; }
body { font-family: 'DejaVu Sans', 'Noto Sans CJK SC', sans-serif; font-size: 10.5pt; line-height: 1.45; color: #1a1a1a; max-width: 60rem; margin: 1.5rem auto; padding: 0 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .2rem; } h2 { font-size: 1.25rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; margin-top: 1.8rem; break-after: avoid; }
h3 { font-size: 1rem; margin: 1rem 0 .3rem; break-after: avoid; }
.subtitle, .meta { color: #555; margin: 0; } .meta { font-size: 9pt; }
table { border-collapse: collapse; margin: .6rem 0; font-size: 9.5pt; break-inside: auto; }
.table-caption { color: #444; font-size: 9.5pt; margin: .6rem 0 -.3rem; }
th, td { border: 1px solid #d0d0d0; padding: .2rem .45rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; font-weight: 600; } td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr { break-inside: avoid; } .unit { font-weight: normal; color: #555; }
figure { margin: 1rem 0; break-inside: avoid; } figcaption { color: #444; font-size: 9.5pt; margin-top: .25rem; }
.provenance { font-size: 8pt; color: #333; margin-top: .3rem; } .provenance table { font-size: 8pt; margin: .2rem 0; }
.prov-title { font-weight: 600; }
pre { background: #f6f6f6; border: 1px solid #e0e0e0; padding: .5rem; font-size: 8pt; white-space: pre-wrap; word-break: break-all; }
code { font-family: 'DejaVu Sans Mono', monospace; font-size: 90%; } .small { font-size: 8.5pt; margin: .4rem 0 .1rem; }
nav ol { margin: .3rem 0; } .limits li { margin: .15rem 0; }
`;

async function blockHtml(b: Block): Promise<string> {
  switch (b.type) {
    case 'paragraph':
      return markdownHtml(b.text);
    case 'heading':
      return `<h3>${inlineMarkdown(b.text)}</h3>`;
    case 'table':
      return tableHtml(b);
    case 'code':
      return `<pre>${escapeHtml(b.text)}</pre>`;
    case 'provenance':
      return provenanceHtml(b.runs, b.configs);
    case 'chart':
      return chartFigureHtml(b.chart, { format: b.format });
  }
}

/**
 * A section's blocks, then one provenance table for the runs behind its charts — once per section, not
 * after every chart (each chart image already names its runs in its subtitle). A section that places its
 * own provenance block gets no second one.
 */
async function sectionHtml(s: Section): Promise<string> {
  const parts = [];
  for (const b of s.blocks) parts.push(await blockHtml(b));
  const chartRuns = new Map(s.blocks.flatMap((b) => (b.type === 'chart' && b.runs ? b.runs.map((r) => [r.dir, r] as const) : [])));
  if (chartRuns.size && !s.blocks.some((b) => b.type === 'provenance')) parts.push(provenanceHtml([...chartRuns.values()]));
  return `<section id="${escapeHtml(s.id ?? slug(s.title))}">\n<h2>${inlineMarkdown(s.title)}</h2>\n${parts.join('\n')}\n</section>`;
}

/** The whole report as one HTML string: no scripts, no external URLs, charts inline. */
export async function renderReportHtml(doc: ReportDocument): Promise<string> {
  const limits: Section[] = doc.limits && doc.limits.length
    ? [{ title: 'Limits', id: 'limits', blocks: [paragraph(doc.limits.map((l) => `- ${l.replace(/\n/g, ' ')}`).join('\n'))] }]
    : [];
  const all = [...doc.sections, ...limits, ...(doc.appendix ?? [])];
  const body: string[] = [];
  for (const s of all) body.push(await sectionHtml(s));
  const toc = `<nav><ol>${all.map((s) => `<li><a href="#${escapeHtml(s.id ?? slug(s.title))}">${inlineMarkdown(s.title)}</a></li>`).join('')}</ol></nav>`;
  const generated = doc.generatedAt ?? new Date().toISOString();
  return [
    '<!DOCTYPE html>',
    '<html lang="en"><head><meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(doc.title)}</title>`,
    `<style>${CSS}</style></head><body>`,
    `<header><h1>${inlineMarkdown(doc.title)}</h1>`,
    doc.subtitle ? `<p class="subtitle">${inlineMarkdown(doc.subtitle)}</p>` : '',
    `<p class="meta">generated ${escapeHtml(generated)} by LedgerLab</p></header>`,
    toc,
    ...body,
    '</body></html>',
    '',
  ].join('\n');
}

export interface WriteReportOptions {
  /** Output folder (created). */
  dir: string;
  /** File stem (default "report": report.html, report.pdf). */
  name?: string;
  pdf?: boolean;
  chromium?: string;
}

export interface WrittenReport {
  html: string;
  pdf?: string;
}

/** Renders and writes report.html atomically; with `pdf`, prints report.pdf next to it via Chromium. */
export async function writeReport(doc: ReportDocument, opts: WriteReportOptions): Promise<WrittenReport> {
  const stem = opts.name ?? 'report';
  const html = resolve(join(opts.dir, `${stem}.html`));
  writeFileAtomic(html, await renderReportHtml(doc));
  if (!opts.pdf) return { html };
  const pdf = await printPdf(html, join(opts.dir, `${stem}.pdf`), { chromium: opts.chromium });
  return { html, pdf };
}
