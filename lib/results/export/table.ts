/**
 * Runs as two tables for pandas (`pd.read_csv` / `pd.read_parquet`):
 *
 * - `runs.csv|parquet`: one row per run — run_id, kind, name, status, started_at, ended_at, commit, seeds, then
 *   `config.<dotted path>` for every flattened config key and `summary.<dotted path>` for every numeric summary
 *   figure (a run without that key has an empty cell);
 * - `metrics.csv|parquet`: the curves in long form — run_id, step, key, value, time — one row per numeric field
 *   of each metrics.jsonl line (`df.pivot_table(index=['run_id','step'], columns='key', values='value')`).
 *
 * Column types are inferred per column: all numbers → DOUBLE, all booleans → BOOLEAN, else text (arrays and
 * objects as JSON). Files are written atomically.
 *
 * @example
 * exportTables(listRuns('results'), 'exports', 'parquet');  // exports/runs.parquet, exports/metrics.parquet
 */
import { join, resolve } from 'node:path';
import { existsSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { writeFileAtomic, readJsonl } from '../../util/index.ts';
import { flatten, summaryMetrics } from '../compare.ts';
import type { RunEntry } from '../store.ts';

export type TableFormat = 'csv' | 'parquet';
type Cell = string | number | boolean | null;
export interface Table { columns: string[]; rows: Record<string, Cell>[] }

const cell = (v: unknown): Cell => (v === undefined || v === null ? null : typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : JSON.stringify(v));

/** The runs table (pure: from the records alone). */
export function runsTable(entries: readonly RunEntry[]): Table {
  const fixed = ['run_id', 'kind', 'name', 'status', 'started_at', 'ended_at', 'commit', 'seeds'];
  const config = new Set<string>();
  const summary = new Set<string>();
  const rows = entries.map((e) => {
    const r = e.record;
    const row: Record<string, Cell> = {
      run_id: r.runId, kind: r.kind, name: r.name, status: e.status, started_at: r.startedAt, ended_at: r.endedAt ?? null,
      commit: r.git.commit ?? null, seeds: r.seeds.join(','),
    };
    for (const [k, v] of Object.entries(flatten(r.config))) {
      config.add(`config.${k}`);
      row[`config.${k}`] = cell(v);
    }
    for (const [k, v] of Object.entries(summaryMetrics(r.summary))) {
      summary.add(`summary.${k}`);
      row[`summary.${k}`] = v;
    }
    return row;
  });
  return { columns: [...fixed, ...[...config].sort(), ...[...summary].sort()], rows };
}

/** The metric curves in long form (reads each run's metrics.jsonl). */
export function metricsTable(entries: readonly RunEntry[]): Table {
  const rows: Record<string, Cell>[] = [];
  for (const e of entries) {
    const file = join(e.dir, e.record.artifacts.metrics ?? 'metrics.jsonl');
    if (!existsSync(file)) continue;
    readJsonl(file).forEach((line, i) => {
      const step = typeof line.step === 'number' ? line.step : i;
      const time = typeof line.time === 'string' ? line.time : null;
      for (const [k, v] of Object.entries(flatten(line))) {
        if (k === 'step' || typeof v !== 'number' || !Number.isFinite(v)) continue;
        rows.push({ run_id: e.record.runId, step, key: k, value: v, time });
      }
    });
  }
  return { columns: ['run_id', 'step', 'key', 'value', 'time'], rows };
}

function columnType(values: Cell[]): 'DOUBLE' | 'BOOLEAN' | 'STRING' {
  const present = values.filter((v) => v !== null);
  if (present.length && present.every((v) => typeof v === 'number')) return 'DOUBLE';
  if (present.length && present.every((v) => typeof v === 'boolean')) return 'BOOLEAN';
  return 'STRING';
}

export function tableCsv(t: Table): string {
  return stringify(t.rows.map((r) => t.columns.map((c) => r[c] ?? '')), { header: true, columns: t.columns, cast: { boolean: (b) => (b ? 'true' : 'false') } });
}

export function tableParquet(t: Table): Uint8Array {
  const columnData = t.columns.map((name) => {
    const values = t.rows.map((r) => r[name] ?? null);
    const type = columnType(values);
    const data = type === 'STRING' ? values.map((v) => (v === null ? null : String(v))) : values;
    return { name, data, type };
  });
  return new Uint8Array(parquetWriteBuffer({ columnData }));
}

/** Writes `runs.<ext>` and `metrics.<ext>` under `out`; returns their paths and row counts. */
export function exportTables(entries: readonly RunEntry[], out: string, format: TableFormat): { path: string; rows: number }[] {
  const dir = resolve(out);
  const tables = { runs: runsTable(entries), metrics: metricsTable(entries) };
  return Object.entries(tables).map(([name, t]) => {
    const path = join(dir, `${name}.${format}`);
    writeFileAtomic(path, format === 'csv' ? tableCsv(t) : tableParquet(t));
    return { path, rows: t.rows.length };
  });
}
