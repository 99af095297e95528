/** Reading results back: list run folders, read metrics.jsonl (tolerating a torn last line). */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
 * Parses a JSON-lines file. A malformed line is an error naming file:line — except an incomplete final
 * line (no newline), which a kill mid-append can leave and which is dropped.
 */
export function readJsonl<T = Record<string, unknown>>(path: string): T[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new LedgerLabError({ kind: 'io', problem: 'cannot read JSON-lines file', where: path, cause: err });
  }
  const lines = text.split('\n');
  const torn = lines.length > 0 && lines[lines.length - 1] !== '';
  const out: T[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      out.push(JSON.parse(line) as T);
    } catch (err) {
      if (torn && i === lines.length - 1) return;
      throw new LedgerLabError({ kind: 'data', problem: `invalid JSON line: ${(err as Error).message}`, where: `${path}:${i + 1}`, cause: err });
    }
  });
  return out;
}
