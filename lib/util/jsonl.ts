/** JSON-lines files: read them back, tolerating the torn last line a kill mid-append leaves. */
import { readFileSync } from 'node:fs';
import { LedgerLabError } from '../errors.ts';

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
