/**
 * Side-by-side comparison of runs: only the config keys that differ, and each numeric summary metric as a
 * mean with a 95% t-interval across the seeds of runs that share everything else.
 *
 * @example
 * const c = compareRuns(listRuns('results').filter((r) => r.record.kind === 'speedup'));
 * console.log(formatComparison(c));
 */
import { canonicalJson } from '../util/index.ts';
import { meanCI, formatCI, type MeanCI } from '../measure/index.ts';
import type { RunEntry } from './store.ts';

/** Flattens nested objects to dotted paths; arrays and scalars are leaves. */
export function flatten(value: unknown, prefix = '', out: Record<string, unknown> = {}): Record<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) {
    out[prefix] = value;
  }
  return out;
}

const isSeedKey = (path: string) => /(^|\.)(seed|seeds)$/.test(path);

/** Config paths whose values are not identical across all configs (missing counts as a value). */
export function differingKeys(configs: readonly unknown[]): string[] {
  const flat = configs.map((c) => flatten(c));
  const keys = new Set(flat.flatMap((f) => Object.keys(f)));
  return [...keys].filter((k) => new Set(flat.map((f) => canonicalJson(f[k] ?? null))).size > 1).sort();
}

/** Numeric leaves of a run's summary, by dotted path. */
export function summaryMetrics(summary: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(flatten(summary))) if (typeof v === 'number' && Number.isFinite(v)) out[k] = v;
  return out;
}

export interface CompareGroup {
  /** The differing (non-seed) config values that define this group. */
  config: Record<string, unknown>;
  runIds: string[];
  seeds: number[];
  metrics: Record<string, MeanCI>;
}

export interface Comparison {
  differing: string[];
  groups: CompareGroup[];
  metricNames: string[];
}

export function compareRuns(entries: readonly RunEntry[]): Comparison {
  const differing = differingKeys(entries.map((e) => e.record.config)).filter((k) => !isSeedKey(k));
  const groups = new Map<string, { config: Record<string, unknown>; runs: RunEntry[] }>();
  for (const e of entries) {
    const flat = flatten(e.record.config);
    const config = Object.fromEntries(differing.map((k) => [k, flat[k] ?? null]));
    const key = canonicalJson(config);
    if (!groups.has(key)) groups.set(key, { config, runs: [] });
    groups.get(key)!.runs.push(e);
  }
  const metricNames = [...new Set(entries.flatMap((e) => Object.keys(summaryMetrics(e.record.summary))))].sort();
  return {
    differing,
    metricNames,
    groups: [...groups.values()].map(({ config, runs }) => ({
      config,
      runIds: runs.map((r) => r.record.runId),
      seeds: runs.flatMap((r) => r.record.seeds),
      metrics: Object.fromEntries(
        metricNames.map((m) => [m, meanCI(runs.map((r) => summaryMetrics(r.record.summary)[m]).filter((x) => x !== undefined))]),
      ),
    })),
  };
}

/** A plain-text table: one column per group, rows = differing config keys, then metrics as mean [95% CI]. */
export function formatComparison(c: Comparison, digits = 3): string {
  const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v));
  const rows: string[][] = [
    ['', ...c.groups.map((_, i) => `group ${i + 1}`)],
    ...c.differing.map((k) => [k, ...c.groups.map((g) => show(g.config[k]))]),
    ['runs (seeds)', ...c.groups.map((g) => `${g.runIds.length} (${g.seeds.join(',')})`)],
    ...c.metricNames.map((m) => [m, ...c.groups.map((g) => formatCI(g.metrics[m], digits))]),
  ];
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  const line = (r: string[]) => r.map((x, j) => x.padEnd(widths[j])).join('  ').trimEnd();
  const sep = widths.map((w) => '-'.repeat(w)).join('  ');
  return [line(rows[0]), sep, ...rows.slice(1).map(line)].join('\n');
}
