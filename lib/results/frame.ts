/**
 * Runs as danfojs DataFrames for notebooks: one row per run (id, kind, status, seeds, flattened config and
 * summary metrics), or one row per logged step of a run's metrics.jsonl. danfojs is loaded lazily (it is large).
 *
 * @example
 * const df = await runsFrame(listRuns());
 * df.groupby(['config.method']).col(['samplesPerSecond']).mean().print();
 */
import type { DataFrame } from 'danfojs-node';
import { join } from 'node:path';
import { flatten, summaryMetrics } from './compare.ts';
import { readJsonl } from '../util/index.ts';
import type { RunEntry } from './store.ts';

export function runRows(entries: readonly RunEntry[]): Record<string, unknown>[] {
  return entries.map((e) => ({
    runId: e.record.runId,
    kind: e.record.kind,
    name: e.record.name,
    status: e.status,
    seed: e.record.seeds.length === 1 ? e.record.seeds[0] : e.record.seeds.join(','),
    configSha256: e.record.configSha256,
    commit: e.record.git.commit ?? null,
    ...Object.fromEntries(Object.entries(flatten(e.record.config)).map(([k, v]) => [`config.${k}`, Array.isArray(v) ? JSON.stringify(v) : v])),
    ...Object.fromEntries(Object.entries(summaryMetrics(e.record.summary)).map(([k, v]) => [`summary.${k}`, v])),
  }));
}

export async function runsFrame(entries: readonly RunEntry[]): Promise<DataFrame> {
  const dfd = await import('danfojs-node');
  return new dfd.DataFrame(runRows(entries));
}

export async function metricsFrame(entry: RunEntry): Promise<DataFrame> {
  const dfd = await import('danfojs-node');
  return new dfd.DataFrame(readJsonl(join(entry.dir, entry.record.artifacts.metrics)));
}
