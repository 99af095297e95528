/**
 * Line sources for the loaders: stream a file line by line (the full AdvertiseGen train set is ~114k lines,
 * so nothing holds the whole file), or split an in-memory text the same way. Line numbers start at 1;
 * a trailing "\r" (CRLF files) is dropped.
 */
import { createReadStream, existsSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { LedgerLabError } from '../errors.ts';

export interface Line {
  text: string;
  /** 1-based line number in the source. */
  no: number;
}

/** Streams the lines of a UTF-8 file. A missing file is an 'io' error naming the path. */
export async function* fileLines(path: string): AsyncGenerator<Line> {
  if (!existsSync(path)) {
    throw new LedgerLabError({ kind: 'io', problem: `dataset file not found: ${path}`, where: path, hint: 'check the path (relative paths are resolved from the current directory)' });
  }
  const rl = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  let no = 0;
  for await (const text of rl) {
    no++;
    yield { text: no === 1 ? stripBom(text) : text, no };
  }
}

/** The lines of an in-memory text, numbered like `fileLines` (a final newline adds no empty line). */
export function* textLines(text: string): Generator<Line> {
  const parts = stripBom(text).split('\n');
  if (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  for (let i = 0; i < parts.length; i++) {
    const t = parts[i];
    yield { text: t.endsWith('\r') ? t.slice(0, -1) : t, no: i + 1 };
  }
}

function stripBom(s: string): string {
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}
