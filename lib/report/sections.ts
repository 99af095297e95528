/**
 * Report sections per experiment kind. An experiment kind (speedup, qlora, drift, simulate…) may have a
 * builder that turns its runs into sections — the claim, the setup, results with intervals, charts — and
 * limits; the builders are passed in (`sections`: the shipped ones are listed in lib/experiments/registry.ts,
 * which sits above this layer). Kinds without a builder get the generic section: the config keys that differ
 * between runs, every numeric summary metric as mean [95% CI] across seeds (the `ledgerlab compare` table),
 * a bar chart per metric, and the run records appendix.
 *
 * @example
 * const doc = await buildReport(findRuns(['speedup-']), {
 *   sections: { speedup: async ({ runs }) => ({ sections: [{ title: 'Throughput', blocks: [chartBlock(groupedBarChart({ ... }), runs)] }], limits: ['Tiny model on CPU.'] }) },
 * });
 */
import { compareRuns, type Comparison, type RunEntry, flatten } from '../results/index.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonl } from '../util/index.ts';
import { groupedBarChart, lineBandChart, withProvenance } from './charts.ts';
import { bandPoints } from './aggregate.ts';
import {
  chartBlock, paragraph, provenanceLine, runRecordsAppendix, table,
  type Cell, type ReportDocument, type Section,
} from './document.ts';

export interface ReportContext {
  kind: string;
  /** This kind's runs, oldest first. */
  runs: RunEntry[];
  /** Every run in the report (all kinds). */
  allRuns: RunEntry[];
}

export interface ReportPart {
  sections: Section[];
  limits?: string[];
  /** Used as the report's title/subtitle when this is the only kind in the report. */
  title?: string;
  subtitle?: string;
}

export type ReportSectionBuilder = (ctx: ReportContext) => ReportPart | Section[] | Promise<ReportPart | Section[]>;

/** "method=lora, train.batch=4" — the differing config values that name a group ("all runs" if none differ). */
export function groupLabel(config: Record<string, unknown>): string {
  const parts = Object.entries(config).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.length ? parts.join(', ') : 'all runs';
}

/** The compare table as report rows: differing config keys, runs (seeds), then each metric as mean [95% CI]. */
export function comparisonTable(c: Comparison, digits = 3) {
  const cols = c.groups.map((_, i) => `g${i + 1}`);
  const show = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
  const rows: Record<string, Cell>[] = [
    ...c.differing.map((k) => ({ key: k, ...Object.fromEntries(c.groups.map((g, i) => [cols[i], show(g.config[k])])) })),
    { key: 'runs (seeds)', ...Object.fromEntries(c.groups.map((g, i) => [cols[i], `${g.runIds.length} (${g.seeds.join(',')})`])) },
    ...c.metricNames.map((m) => ({ key: m, ...Object.fromEntries(c.groups.map((g, i) => [cols[i], g.metrics[m]])) })),
  ];
  return table({
    columns: [{ key: 'key', title: '' }, ...cols.map((k, i) => ({ key: k, title: `group ${i + 1}`, digits }))],
    rows,
    caption: 'Config keys that differ between runs, then each numeric summary metric as mean [95% t-interval] across seeds.',
  });
}

export interface DefaultSectionOptions {
  /** At most this many metric charts (default 6). */
  maxCharts?: number;
  digits?: number;
}

/** The generic section for any kind: the compare table, one bar chart per metric, notes on unfinished runs. */
export function defaultSection(ctx: ReportContext, opts: DefaultSectionOptions = {}): ReportPart {
  const finished = ctx.runs.filter((e) => e.status === 'finished');
  const others = ctx.runs.filter((e) => e.status !== 'finished');
  const names = [...new Set(ctx.runs.map((e) => e.record.name))];
  const blocks: Section['blocks'] = [
    paragraph(
      `${ctx.runs.length} run${ctx.runs.length === 1 ? '' : 's'} of kind \`${ctx.kind}\` (${names.map((n) => `\`${n}\``).join(', ')}); ` +
        `${finished.length} finished.` +
        (others.length ? ` Not finished (excluded from the metrics): ${others.map((e) => `\`${e.record.runId}\` (${e.status})`).join(', ')}.` : ''),
    ),
  ];
  const limits: string[] = [];
  if (finished.length) {
    const c = compareRuns(finished);
    blocks.push(comparisonTable(c, opts.digits));
    if (c.groups.some((g) => g.runIds.length < 2)) limits.push('Groups with a single run have no interval (printed as "(n=1)").');
    const line = provenanceLine(finished);
    for (const m of c.metricNames.slice(0, opts.maxCharts ?? 6)) {
      const rows = c.groups
        .map((g) => ({ group: groupLabel(g.config), mean: g.metrics[m].mean, lo: g.metrics[m].lo, hi: g.metrics[m].hi }))
        .filter((r) => Number.isFinite(r.mean));
      if (!rows.length) continue;
      const chart = groupedBarChart({
        title: `${m} by configuration`,
        x: { title: c.differing.length ? c.differing.join(', ') : 'runs' },
        y: { title: m },
        rows,
        caption: `Mean over seeds with 95% t-interval whiskers; ${c.groups.map((g) => `${groupLabel(g.config)}: n=${g.runIds.length}`).join('; ')}.`,
      });
      blocks.push(chartBlock(withProvenance(chart, [line]), finished));
    }
    const curve = lossCurve(finished, c.differing);
    if (curve) blocks.push(chartBlock(withProvenance(curve, [line]), finished));
    if (c.metricNames.length > (opts.maxCharts ?? 6)) blocks.push(paragraph(`Charts shown for the first ${opts.maxCharts ?? 6} of ${c.metricNames.length} metrics; the table has all.`));
  } else {
    limits.push(`No finished run of kind "${ctx.kind}": there are no results to show.`);
  }
  return { sections: [{ title: `${ctx.kind}: results`, id: `results-${ctx.kind}`, blocks }], limits };
}

/**
 * Training curves when runs log `{step, loss}` lines to metrics.jsonl: mean loss per step across the seeds of
 * each group, with its 95% band. Undefined when no run logged both.
 */
export function lossCurve(runs: readonly RunEntry[], differing: readonly string[], metric = 'loss') {
  const obs: { x: number; series: string; value: number }[] = [];
  for (const e of runs) {
    const path = join(e.dir, e.record.artifacts.metrics ?? 'metrics.jsonl');
    if (!existsSync(path)) continue;
    const flat = flatten(e.record.config);
    const series = groupLabel(Object.fromEntries(differing.map((k) => [k, flat[k] ?? null])));
    for (const m of readJsonl(path)) {
      if (typeof m.step === 'number' && typeof m[metric] === 'number') obs.push({ x: m.step, series, value: m[metric] as number });
    }
  }
  if (!obs.length) return undefined;
  return lineBandChart({
    title: `${metric} over training steps`,
    x: { title: 'step' },
    y: { title: metric },
    series: { title: differing.length ? differing.join(', ') : 'runs' },
    points: bandPoints(obs),
    caption: `Mean ${metric} per step across seeds, band: 95% t-interval.`,
  });
}

export interface BuildReportOptions {
  title?: string;
  subtitle?: string;
  /** Limits added to every report (after the kinds' own). */
  limits?: string[];
  generatedAt?: string;
  /** kind → its section builder; kinds not listed get defaultSection. */
  sections?: Readonly<Record<string, ReportSectionBuilder>>;
}

const normalize = (p: ReportPart | Section[]): ReportPart => (Array.isArray(p) ? { sections: p } : p);

/**
 * Groups runs by kind, runs each kind's builder from `opts.sections` (or the default section), and adds the limits
 * and the run records appendix. The result renders with renderReportHtml / writeReport.
 */
export async function buildReport(runs: readonly RunEntry[], opts: BuildReportOptions = {}): Promise<ReportDocument> {
  const ordered = [...runs].sort((a, b) => a.record.startedAt.localeCompare(b.record.startedAt) || a.record.runId.localeCompare(b.record.runId));
  const kinds = [...new Set(ordered.map((e) => e.record.kind))];
  const parts: ReportPart[] = [];
  for (const kind of kinds) {
    const ctx: ReportContext = { kind, runs: ordered.filter((e) => e.record.kind === kind), allRuns: ordered };
    const builder = opts.sections?.[kind];
    parts.push(builder ? normalize(await builder(ctx)) : defaultSection(ctx));
  }
  const only = parts.length === 1 ? parts[0] : undefined;
  const limits = [...new Set([...parts.flatMap((p) => p.limits ?? []), ...(opts.limits ?? [])])];
  limits.push('Intervals are two-sided 95% Student-t intervals over seeds unless a section says otherwise.');
  return {
    title: opts.title ?? only?.title ?? `LedgerLab report: ${kinds.join(', ')}`,
    ...((opts.subtitle ?? only?.subtitle) ? { subtitle: opts.subtitle ?? only?.subtitle } : {}),
    ...(opts.generatedAt ? { generatedAt: opts.generatedAt } : {}),
    sections: parts.flatMap((p) => p.sections),
    limits,
    appendix: [runRecordsAppendix(ordered)],
  };
}
