/** One JSON object per line, with located errors (file:line:col for syntax, file:line + field for shape). */
import { jsonErrorOffset } from '../../config/index.ts';
import { dataError } from '../where.ts';

/** Parses one JSONL line into an object or throws a 'data' error naming file:line:col. */
export function parseJsonObjectLine(text: string, file: string, no: number, hint: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    const offset = jsonErrorOffset(text);
    const near = text.slice(offset, offset + 20);
    const problem = offset >= text.length ? 'invalid JSON: the line ends early' : `invalid JSON: unexpected ${JSON.stringify(near)}`;
    throw dataError(problem, `${file}:${no}:${offset + 1}`, hint, err);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw dataError(`expected a JSON object, got ${describe(value)}`, `${file}:${no}`, hint);
  }
  return value as Record<string, unknown>;
}

/** The string field `name`, or a located error saying it is missing or has the wrong type. */
export function stringField(obj: Record<string, unknown>, name: string, file: string, no: number, hint: string): string {
  const v = obj[name];
  if (v === undefined) throw dataError(`field "${name}" is missing`, `${file}:${no}`, hint);
  if (typeof v !== 'string') throw dataError(`field "${name}" must be a string, got ${describe(v)}`, `${file}:${no}`, hint);
  return v;
}

export function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `a string`;
  return `${typeof v} ${JSON.stringify(v)}`;
}
