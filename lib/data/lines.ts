/**
 * Line sources for the loaders: stream a file line by line (the full AdvertiseGen train set is ~114k lines,
 * so nothing holds the whole file), or split an in-memory text the same way. Line numbers start at 1;
 * a trailing "\r" (CRLF files) is dropped.
 *
 * Files are read as bytes and each line decoded strictly: invalid UTF-8 is an error at file:line:col (never
 * silent U+FFFD), and a line longer than the limit is an error before it is held in memory whole. The limit
 * is `maxLineBytes` (config `data.maxLineBytes`), else env LEDGERLAB_MAX_LINE_BYTES, else 1 MiB.
 */
import { createReadStream, existsSync } from 'node:fs';
import { LedgerLabError } from '../errors.ts';
import { decodeUtf8, maxLineBytes } from '../util/index.ts';

export interface Line {
  text: string;
  /** 1-based line number in the source. */
  no: number;
}

export interface LineOptions {
  /** Longest line accepted, in bytes (default: env LEDGERLAB_MAX_LINE_BYTES, else 1 MiB). */
  maxLineBytes?: number;
}

export { DEFAULT_MAX_LINE_BYTES, maxLineBytes } from '../util/index.ts';

function tooLong(path: string, no: number, limit: number): LedgerLabError {
  return new LedgerLabError({
    kind: 'data',
    problem: `line is longer than ${limit} bytes`,
    where: `${path}:${no}`,
    hint: 'a dataset record is one line; raise the limit with data.maxLineBytes (or LEDGERLAB_MAX_LINE_BYTES) if such lines are intended',
  });
}

function lineText(bytes: Uint8Array, path: string, no: number): string {
  const end = bytes.length > 0 && bytes[bytes.length - 1] === 0x0d ? bytes.length - 1 : bytes.length;
  return stripBom(decodeUtf8(bytes.subarray(0, end), path, no));
}

/** Streams the lines of a UTF-8 file. A missing file is an 'io' error naming the path. */
export async function* fileLines(path: string, opts: LineOptions = {}): AsyncGenerator<Line> {
  if (!existsSync(path)) {
    throw new LedgerLabError({ kind: 'io', problem: `dataset file not found: ${path}`, where: path, hint: 'check the path (relative paths are resolved from the current directory)' });
  }
  const limit = maxLineBytes(opts);
  let pending: Buffer[] = [];
  let pendingLen = 0;
  let no = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf(0x0a, start);
      if (nl < 0) {
        pending.push(chunk.subarray(start));
        pendingLen += chunk.length - start;
        if (pendingLen > limit + 1) throw tooLong(path, no + 1, limit); // +1: a CR may still be dropped
        break;
      }
      const part = chunk.subarray(start, nl);
      const bytes = pending.length ? Buffer.concat([...pending, part]) : part;
      pending = [];
      pendingLen = 0;
      no++;
      const text = lineText(bytes, path, no);
      if (Buffer.byteLength(text) > limit) throw tooLong(path, no, limit);
      yield { text, no };
      start = nl + 1;
    }
  }
  if (pendingLen > 0) {
    no++;
    const text = lineText(Buffer.concat(pending), path, no);
    if (Buffer.byteLength(text) > limit) throw tooLong(path, no, limit);
    yield { text, no };
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
