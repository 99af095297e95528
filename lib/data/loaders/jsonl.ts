/**
 * Generic prompt/response JSONL: `{"prompt": "...", "response": "..."}` a line. Optional fields: `id`
 * (string, kept as the example id), `references` (string array; defaults to [response]). Other keys are ignored.
 */
import type { Example } from '../types.ts';
import { detectLang } from '../lang.ts';
import { contentId, IdAllocator } from '../ids.ts';
import { fileLines, textLines, type LineOptions } from '../lines.ts';
import { dataError } from '../where.ts';
import { describe, parseJsonObjectLine, stringField } from './json-line.ts';

const HINT = 'each line is {"prompt": "...", "response": "..."} (optional "id": string, "references": [string])';

export function parsePromptResponseLine(text: string, file: string, no: number, ids: IdAllocator): Example | null {
  if (text.trim() === '') return null;
  const obj = parseJsonObjectLine(text, file, no, HINT);
  const prompt = stringField(obj, 'prompt', file, no, HINT);
  const response = stringField(obj, 'response', file, no, HINT);
  let references = [response];
  if (obj.references !== undefined) {
    const r = obj.references;
    if (!Array.isArray(r) || r.length === 0 || !r.every((x) => typeof x === 'string')) {
      throw dataError(`field "references" must be a non-empty array of strings, got ${describe(r)}`, `${file}:${no}`, HINT);
    }
    references = r[0] === response ? (r as string[]) : [response, ...(r as string[]).filter((x) => x !== response)];
  }
  if (obj.id !== undefined && typeof obj.id !== 'string') throw dataError(`field "id" must be a string, got ${describe(obj.id)}`, `${file}:${no}`, HINT);
  const id = ids.next(typeof obj.id === 'string' ? obj.id : contentId('pr', prompt, response));
  return { id, source: prompt, target: response, references, attributes: [], lang: detectLang(prompt + response) };
}

/** Streams examples from a prompt/response JSONL file. */
export async function* streamPromptResponse(path: string, opts: LineOptions = {}): AsyncGenerator<Example> {
  const ids = new IdAllocator();
  for await (const line of fileLines(path, opts)) {
    const ex = parsePromptResponseLine(line.text, path, line.no, ids);
    if (ex) yield ex;
  }
}

/** @example const exs = await loadPromptResponse('data/chat.jsonl'); */
export async function loadPromptResponse(path: string, opts: LineOptions = {}): Promise<Example[]> {
  const out: Example[] = [];
  for await (const ex of streamPromptResponse(path, opts)) out.push(ex);
  return out;
}

/** Parses prompt/response JSONL held in memory. */
export function parsePromptResponse(text: string, file = '<text>'): Example[] {
  const ids = new IdAllocator();
  const out: Example[] = [];
  for (const l of textLines(text)) {
    const ex = parsePromptResponseLine(l.text, file, l.no, ids);
    if (ex) out.push(ex);
  }
  return out;
}
