/**
 * Records of a JSON array file (`[{…}, {…}]`, LLaMA-Factory's usual layout) or a JSONL file, each with the line
 * it starts on, so a bad record is a `file:line` error either way. The array is split into its top-level
 * elements by a small scanner (strings and escapes respected) and each element is parsed on its own.
 */
import { readFileSync } from 'node:fs';
import { LedgerLabError } from '../../errors.ts';
import { fileLines, type LineOptions } from '../lines.ts';
import { decodeUtf8 } from '../../util/index.ts';
import { dataError } from '../where.ts';
import { describe, parseJsonObjectLine } from './json-line.ts';
import { jsonErrorOffset, lineCol } from '../../config/index.ts';

export interface JsonRecord { value: Record<string, unknown>; line: number }

/** True when the file's first non-space character is `[`. */
export function isJsonArrayText(head: string): boolean {
  return head.replace(/^\uFEFF/, '').trimStart().startsWith('[');
}

/** The top-level elements of a JSON array text, each parsed, with its starting line. */
export function jsonArrayRecords(text: string, file: string, hint: string): JsonRecord[] {
  const t = text.replace(/^\uFEFF/, '');
  const out: JsonRecord[] = [];
  let i = t.indexOf('[');
  let line = 1;
  for (let k = 0; k < i; k++) if (t[k] === '\n') line++;
  i++;
  let depth = 0, start = -1, startLine = line, inString = false;
  for (; i < t.length; i++) {
    const c = t[i];
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    if (start < 0 && !/\s|,/.test(c) && c !== ']') { start = i; startLine = line; }
    if (c === '{' || c === '[') depth++;
    else if (c === '}' || c === ']') {
      if (depth === 0) {
        if (start >= 0) out.push(element(t.slice(start, i), file, startLine, hint));
        return out;
      }
      depth--;
    } else if (c === ',' && depth === 0 && start >= 0) {
      out.push(element(t.slice(start, i), file, startLine, hint));
      start = -1;
    }
  }
  throw dataError('invalid JSON: the array is not closed', `${file}:${line}`, hint);
}

function element(text: string, file: string, line: number, hint: string): JsonRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const offset = jsonErrorOffset(text);
    const at = lineCol(text, offset);
    const near = text.slice(offset, offset + 20).split('\n')[0];
    throw dataError(offset >= text.length ? 'invalid JSON: the record ends early' : `invalid JSON: unexpected ${JSON.stringify(near)}`, `${file}:${line + at.line - 1}:${at.col}`, hint, err);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw dataError(`expected a JSON object, got ${describe(value)}`, `${file}:${line}`, hint);
  return { value: value as Record<string, unknown>, line };
}

/** Every record of `path`, JSON array or JSONL (blank lines skipped). */
export async function readJsonRecords(path: string, hint: string, opts: LineOptions = {}): Promise<JsonRecord[]> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    throw new LedgerLabError({ kind: 'io', problem: `dataset file not found or unreadable: ${path}`, where: path, cause: err });
  }
  // A JSON array is one "line" of any length, so the line limit does not apply; its bytes must be UTF-8 all the same.
  if (isJsonArrayText(bytes.subarray(0, 1024).toString('utf8'))) return jsonArrayRecords(decodeUtf8(bytes, path), path, hint);
  const out: JsonRecord[] = [];
  for await (const l of fileLines(path, opts)) if (l.text.trim()) out.push({ value: parseJsonObjectLine(l.text, path, l.no, hint), line: l.no });
  return out;
}
