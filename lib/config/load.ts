/**
 * Reading config files (JSON, or YAML for `.yaml`/`.yml`) and applying `--set a.b=c` overrides. Syntax
 * errors are reported with file:line:col; schema errors with the file and the dotted path of each bad value.
 */
import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { LedgerLabError } from '../errors.ts';
import { decodeUtf8 } from '../util/index.ts';
import type { Schema } from './schema.ts';

/** Parses JSON text; a syntax error names file:line:col (V8's messages often carry no position). */
export function parseJsonText(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const offset = jsonErrorOffset(text);
    const { line, col } = lineCol(text, offset);
    const near = text.slice(offset, offset + 20).split('\n')[0];
    throw new LedgerLabError({
      kind: 'config',
      problem: offset >= text.length ? 'invalid JSON: unexpected end of input' : `invalid JSON: unexpected ${JSON.stringify(near)}`,
      where: `${source}:${line}:${col}`,
      cause: err,
    });
  }
}

export const isYamlPath = (path: string) => /\.ya?ml$/i.test(path);

/**
 * Parses YAML text (the `yaml` package, YAML 1.2 core schema: `yes`/`no` stay strings, as in JSON). The first
 * syntax error names file:line:col; duplicate keys are errors too (JSON.parse would keep the last silently).
 */
export function parseYamlText(text: string, source: string): unknown {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const pos = err.linePos?.[0] ?? lineCol(text, err.pos[0]);
    throw new LedgerLabError({
      kind: 'config',
      problem: `invalid YAML: ${err.message.split('\n')[0]}`,
      where: `${source}:${pos.line}:${pos.col}`,
      cause: err,
    });
  }
  return doc.toJS({ maxAliasCount: 100 });
}

/** JSON or YAML by the file's extension. */
export function parseConfigText(text: string, source: string): unknown {
  return isYamlPath(source) ? parseYamlText(text, source) : parseJsonText(text, source);
}

/** Offset of the first JSON syntax error, found by a small recursive-descent scan (only run on failure). */
export function jsonErrorOffset(text: string): number {
  let i = 0;
  const ws = () => { while (i < text.length && ' \t\n\r'.includes(text[i])) i++; };
  const bad = () => { throw i; };
  const lit = (w: string) => { if (text.startsWith(w, i)) i += w.length; else bad(); };
  const str = () => {
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      else if (text.charCodeAt(i) < 0x20) bad();
      i++;
    }
    if (i >= text.length) bad();
    i++;
  };
  const num = () => {
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (!m) bad();
    i += m![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++; ws();
      if (text[i] === '}') { i++; return; }
      for (;;) {
        ws(); if (text[i] !== '"') bad(); str(); ws();
        if (text[i] !== ':') bad(); i++; value(); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return; }
        bad();
      }
    } else if (c === '[') {
      i++; ws();
      if (text[i] === ']') { i++; return; }
      for (;;) {
        value(); ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return; }
        bad();
      }
    } else if (c === '"') str();
    else if (c === 't') lit('true');
    else if (c === 'f') lit('false');
    else if (c === 'n') lit('null');
    else num();
  };
  try {
    value(); ws();
    if (i < text.length) bad();
  } catch (pos) {
    return pos as number;
  }
  return text.length;
}

export function lineCol(text: string, offset: number): { line: number; col: number } {
  let line = 1;
  let last = -1;
  for (let i = 0; i < offset && i < text.length; i++) if (text[i] === '\n') { line++; last = i; }
  return { line, col: offset - last };
}

export function readTextFile(path: string, what = 'file'): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new LedgerLabError({
      kind: 'io',
      problem: code === 'ENOENT' ? `${what} not found` : `cannot read ${what} (${code ?? (err as Error).message})`,
      where: path,
      cause: err,
    });
  }
  return decodeUtf8(bytes, path);
}

/** Loads a JSON or YAML config, applies overrides, validates against the schema. */
export function loadConfig<T>(path: string, schema: Schema<T>, overrides: readonly string[] = []): T {
  const raw = parseConfigText(readTextFile(path, 'config file'), path);
  return schema.parse(applyOverrides(raw, overrides), path);
}

/**
 * Splits one `key.path=value` override, refusing what cannot name a config value: no "=", an empty key
 * ("=5"), or an empty segment ("train..lr=1", "train.=1").
 */
export function parseOverride(o: string): { path: string[]; text: string } {
  const eq = o.indexOf('=');
  const hint = 'an override is a dotted config path, "=", and a value, e.g. --set train.lr=0.001';
  if (eq < 0) throw new LedgerLabError({ kind: 'usage', problem: `override "${o}" has no "=" (expected key.path=value)`, where: '--set', hint });
  const key = o.slice(0, eq);
  if (key.trim() === '') throw new LedgerLabError({ kind: 'usage', problem: `override "${o}" has no key before "="`, where: '--set', hint });
  const path = key.split('.');
  if (path.some((p) => p.trim() === '')) throw new LedgerLabError({ kind: 'usage', problem: `override "${o}" has an empty part in the key "${key}"`, where: '--set', hint });
  return { path, text: o.slice(eq + 1) };
}

/**
 * Applies `key.path=value` overrides to a plain object (copy-on-write). The value is parsed as JSON when
 * it is valid JSON (numbers, booleans, arrays, quoted strings), else taken as a bare string.
 */
export function applyOverrides(base: unknown, overrides: readonly string[]): unknown {
  let out: unknown = structuredClone(base ?? {});
  for (const o of overrides) {
    const { path, text } = parseOverride(o);
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      value = text;
    }
    out = setPath(out, path, value);
  }
  return out;
}

function setPath(obj: unknown, path: string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  const container: Record<string, unknown> | unknown[] =
    typeof obj === 'object' && obj !== null ? (obj as Record<string, unknown>) : {};
  if (Array.isArray(container) && /^\d+$/.test(head)) {
    container[Number(head)] = setPath(container[Number(head)], rest, value);
  } else {
    (container as Record<string, unknown>)[head] = setPath((container as Record<string, unknown>)[head], rest, value);
  }
  return container;
}
