/**
 * AdvertiseGen JSONL: `{"content": "类型#裙*版型#宽松*...", "summary": "<ad copy>"}`, one object a line
 * (the format of ChatGLM's P-Tuning example and LLaMA-Factory's adgen dataset). `content` is the prompt;
 * its `key#value` pairs joined by `*` become `attributes` (keys may repeat; a value may itself contain '#').
 */
import type { Attribute, Example } from '../types.ts';
import { detectLang } from '../lang.ts';
import { contentId, IdAllocator } from '../ids.ts';
import { fileLines, textLines, type Line, type LineOptions } from '../lines.ts';
import { dataError } from '../where.ts';
import { parseJsonObjectLine, stringField } from './json-line.ts';

const HINT = 'each AdvertiseGen line is {"content": "key#value*key#value...", "summary": "ad text"}';

/**
 * Parses a `content` string into attributes. An item without '#' or with an empty key/value is an error.
 *
 * @example
 * parseAdvertiseGenContent('类型#裙*风格#复古*风格#文艺', 'x.jsonl:1');
 * // [{key:'类型',value:'裙'}, {key:'风格',value:'复古'}, {key:'风格',value:'文艺'}]
 */
export function parseAdvertiseGenContent(content: string, where: string): Attribute[] {
  if (content.trim() === '') throw dataError('field "content" is empty', where, HINT);
  return content.split('*').map((item, i) => {
    const hash = item.indexOf('#');
    if (hash < 0) throw dataError(`content item ${i + 1} ${JSON.stringify(item)} has no '#' between key and value`, where, HINT);
    const key = item.slice(0, hash);
    const value = item.slice(hash + 1);
    if (key === '' || value === '') throw dataError(`content item ${i + 1} ${JSON.stringify(item)} has an empty ${key === '' ? 'key' : 'value'}`, where, HINT);
    return { key, value };
  });
}

/** Parses one line (blank lines give null). */
export function parseAdvertiseGenLine(text: string, file: string, no: number, ids: IdAllocator): Example | null {
  if (text.trim() === '') return null;
  const obj = parseJsonObjectLine(text, file, no, HINT);
  const content = stringField(obj, 'content', file, no, HINT);
  const summary = stringField(obj, 'summary', file, no, HINT);
  const attributes = parseAdvertiseGenContent(content, `${file}:${no}`);
  return {
    id: ids.next(contentId('ag', content, summary)),
    source: content,
    target: summary,
    references: [summary],
    attributes,
    lang: detectLang(summary),
  };
}

/** Streams examples from an AdvertiseGen JSONL file. */
export async function* streamAdvertiseGen(path: string, opts: LineOptions = {}): AsyncGenerator<Example> {
  const ids = new IdAllocator();
  for await (const line of fileLines(path, opts)) {
    const ex = parseAdvertiseGenLine(line.text, path, line.no, ids);
    if (ex) yield ex;
  }
}

/**
 * Loads a whole AdvertiseGen JSONL file.
 *
 * @example
 * const exs = await loadAdvertiseGen('../shared/datasets/advertisegen/dev-sample.jsonl');
 * exs.length; // 870
 */
export async function loadAdvertiseGen(path: string, opts: LineOptions = {}): Promise<Example[]> {
  const out: Example[] = [];
  for await (const ex of streamAdvertiseGen(path, opts)) out.push(ex);
  return out;
}

/** Parses AdvertiseGen JSONL held in memory; `file` names the source in errors. */
export function parseAdvertiseGen(text: string, file = '<text>'): Example[] {
  return collect(textLines(text), (l, ids) => parseAdvertiseGenLine(l.text, file, l.no, ids));
}

function collect(lines: Iterable<Line>, parse: (l: Line, ids: IdAllocator) => Example | null): Example[] {
  const ids = new IdAllocator();
  const out: Example[] = [];
  for (const l of lines) {
    const ex = parse(l, ids);
    if (ex) out.push(ex);
  }
  return out;
}
