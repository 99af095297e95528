/** Reading results back: list run folders and find runs by reference. */
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { LedgerLabError } from '../errors.ts';
import { readRunRecord } from './run.ts';
import { effectiveStatus, type RunRecord, type RunStatus } from './run-record.ts';

export interface RunEntry {
  dir: string;
  record: RunRecord;
  /** Status as a reader should believe it (a dead "running" run is "interrupted"). */
  status: RunStatus;
}

/** Every run under `root` (newest first). Folders without run.json are skipped; corrupt records throw. */
export function listRuns(root = 'results'): RunEntry[] {
  const abs = resolve(root);
  if (!existsSync(abs)) return [];
  const out: RunEntry[] = [];
  for (const name of readdirSync(abs)) {
    const dir = join(abs, name);
    if (!existsSync(join(dir, 'run.json'))) continue;
    const record = readRunRecord(dir);
    out.push({ dir, record, status: effectiveStatus(record) });
  }
  return out.sort((a, b) => b.record.startedAt.localeCompare(a.record.startedAt));
}

/**
 * Resolves run references: a run folder path, an exact run id under `root`, or an id prefix (all matching
 * runs, e.g. every run of a sweep). An unmatched reference is an error naming it.
 */
export function findRuns(refs: readonly string[], root = 'results'): RunEntry[] {
  const all = listRuns(root);
  const out: RunEntry[] = [];
  for (const ref of refs) {
    const abs = resolve(ref);
    if (existsSync(join(abs, 'run.json'))) {
      const record = readRunRecord(abs);
      out.push(all.find((e) => e.dir === abs) ?? { dir: abs, record, status: effectiveStatus(record) });
      continue;
    }
    const exact = all.filter((e) => e.record.runId === ref);
    const matches = exact.length ? exact : all.filter((e) => e.record.runId.startsWith(ref));
    if (matches.length === 0) {
      throw new LedgerLabError({ kind: 'usage', problem: `no run matches "${ref}"`, where: resolve(root), hint: '`ledgerlab runs` lists run ids' });
    }
    out.push(...matches.slice().reverse());
  }
  return [...new Map(out.map((e) => [e.dir, e])).values()];
}

/** `key=value` filters over kind, name, status and config paths (`config.train.lr=0.001`). */
export function filterRuns(entries: readonly RunEntry[], filters: readonly string[]): RunEntry[] {
  const parsed = filters.map((f) => {
    const eq = f.indexOf('=');
    if (eq <= 0) throw new LedgerLabError({ kind: 'usage', problem: `filter "${f}" is not of the form key=value`, where: '--filter' });
    return { key: f.slice(0, eq), value: f.slice(eq + 1) };
  });
  return entries.filter((e) =>
    parsed.every(({ key, value }) => {
      const v = key === 'status' ? e.status : key.startsWith('config.') ? configValue(e.record.config, key.slice(7)) : (e.record as Record<string, unknown>)[key];
      return v !== undefined && (typeof v === 'string' ? v : JSON.stringify(v)) === value;
    }),
  );
}

function configValue(config: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), config);
}
