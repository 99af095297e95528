/**
 * JSON-lines files: the one reader (tolerating the torn last line a kill mid-append leaves) and the one
 * "truncate to checkpoint" that resumable writers (the training loop, the drift kind) run before they go on
 * appending, so a resumed run's file is line-for-line the file of an uninterrupted run.
 */
import { existsSync, readFileSync } from 'node:fs';
import { LedgerLabError } from '../errors.ts';
import { writeFileAtomic } from './atomic.ts';

interface Line<T> { value: T; raw: string }

/**
 * The lines of a JSON-lines text. A malformed line is an error naming path:line — except an incomplete final
 * line (no newline after it), which a kill mid-append can leave and which is dropped.
 */
function parseLines<T>(text: string, path: string): Line<T>[] {
  const lines = text.split('\n');
  const torn = lines.length > 0 && lines[lines.length - 1] !== '';
  const out: Line<T>[] = [];
  lines.forEach((raw, i) => {
    if (raw.trim() === '') return;
    try {
      out.push({ value: JSON.parse(raw) as T, raw });
    } catch (err) {
      if (torn && i === lines.length - 1) return;
      throw new LedgerLabError({ kind: 'data', code: 'data.invalid_json_line', problem: `invalid JSON line: ${(err as Error).message}`, where: `${path}:${i + 1}`, cause: err });
    }
  });
  return out;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new LedgerLabError({ kind: 'io', code: 'io.read_failed', problem: 'cannot read JSON-lines file', where: path, cause: err });
  }
}

/**
 * Parses a JSON-lines file. A malformed line is an error naming file:line — except an incomplete final
 * line (no newline), which a kill mid-append can leave and which is dropped.
 */
export function readJsonl<T = Record<string, unknown>>(path: string): T[] {
  return parseLines<T>(readText(path), path).map((l) => l.value);
}

/**
 * Truncates a JSON-lines file to what a checkpoint covers: keeps the lines `keep` accepts, drops the rest and a
 * torn last line, rewrites the file atomically, and returns the kept lines. A missing file is left missing
 * (nothing was written before the checkpoint). Lines that are not JSON objects are kept.
 *
 * @example
 * truncateJsonl(run.metricsPath, (l) => typeof l.step !== 'number' || l.step <= checkpoint.step);
 */
export function truncateJsonl<T extends Record<string, unknown> = Record<string, unknown>>(path: string, keep: (line: T) => boolean): T[] {
  if (!existsSync(path)) return [];
  const kept = parseLines<T>(readText(path), path).filter((l) => l.value === null || typeof l.value !== 'object' || keep(l.value));
  writeFileAtomic(path, kept.map((l) => l.raw + '\n').join(''));
  return kept.map((l) => l.value);
}
