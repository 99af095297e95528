/**
 * LLaMA-Factory's two dataset formats, as JSON arrays or JSONL, with its `dataset_info.json` column and tag maps:
 *
 * - alpaca: `{"instruction", "input"?, "output", "system"?, "history"?: [[query, response], …]}`;
 *   the prompt is instruction + "\n" + input (LLaMA-Factory joins them so), after the history turns;
 * - sharegpt: `{"conversations": [{"from": "human"|"gpt"|"system", "value"}…], "system"?}`, or OpenAI-style
 *   `{"messages": [{"role": "user"|"assistant"|"system", "content"}…]}` (detected from the first record).
 *
 * Each record becomes one conversation, rendered by a chat template into (source, target) — see
 * chat/templates.ts. A bad record is a `file:line` error naming the field.
 */
import type { Example } from '../types.ts';
import { detectLang } from '../lang.ts';
import { contentId, IdAllocator } from '../ids.ts';
import { dataError } from '../where.ts';
import { describe } from './json-line.ts';
import { readJsonRecords, type JsonRecord } from './records.ts';
import { renderChat, type ChatMessage, type ChatRenderer, type ChatRole, type ColumnMap, type TagMap } from '../chat/index.ts';
import type { LineOptions } from '../lines.ts';

export const ALPACA_COLUMNS = { prompt: 'instruction', query: 'input', response: 'output', system: 'system', history: 'history' } as const;
export const SHAREGPT_COLUMNS = { messages: 'conversations', system: 'system' } as const;
export const SHAREGPT_TAGS = { role_tag: 'from', content_tag: 'value', user_tag: 'human', assistant_tag: 'gpt', system_tag: 'system' } as const;
export const OPENAI_TAGS = { role_tag: 'role', content_tag: 'content', user_tag: 'user', assistant_tag: 'assistant', system_tag: 'system' } as const;

const ALPACA_HINT = 'alpaca records are {"instruction": str, "input"?: str, "output": str, "system"?: str, "history"?: [[str, str], …]}';
const SHAREGPT_HINT = 'sharegpt records are {"conversations": [{"from": "human"|"gpt", "value": str}, …]} or {"messages": [{"role", "content"}, …]}, alternating user/assistant and ending with the assistant';

function str(obj: Record<string, unknown>, key: string, at: string, hint: string, required: boolean): string | undefined {
  const v = obj[key];
  if (v === undefined || v === null) {
    if (required) throw dataError(`field "${key}" is missing`, at, hint);
    return undefined;
  }
  if (typeof v !== 'string') throw dataError(`field "${key}" must be a string, got ${describe(v)}`, at, hint);
  return v;
}

export function alpacaConversation(r: JsonRecord, file: string, cols: ColumnMap = {}): ChatMessage[] {
  const c = { ...ALPACA_COLUMNS, ...cols };
  const at = `${file}:${r.line}`;
  const instruction = str(r.value, c.prompt, at, ALPACA_HINT, true)!;
  const input = str(r.value, c.query, at, ALPACA_HINT, false);
  const output = str(r.value, c.response, at, ALPACA_HINT, true)!;
  const system = str(r.value, c.system, at, ALPACA_HINT, false);
  const messages: ChatMessage[] = system ? [{ role: 'system', content: system }] : [];
  const history = r.value[c.history];
  if (history !== undefined && history !== null) {
    if (!Array.isArray(history)) throw dataError(`field "${c.history}" must be an array of [query, response] pairs, got ${describe(history)}`, at, ALPACA_HINT);
    history.forEach((h, i) => {
      if (!Array.isArray(h) || h.length !== 2 || typeof h[0] !== 'string' || typeof h[1] !== 'string') {
        throw dataError(`field "${c.history}"[${i}] must be a [query, response] pair of strings`, at, ALPACA_HINT);
      }
      messages.push({ role: 'user', content: h[0] }, { role: 'assistant', content: h[1] });
    });
  }
  messages.push({ role: 'user', content: input ? `${instruction}\n${input}` : instruction }, { role: 'assistant', content: output });
  return messages;
}

/** Which tag set a sharegpt file uses: OpenAI's when its first record has `messages` of {role, content}. */
export function sharegptTags(first: Record<string, unknown> | undefined, cols: ColumnMap, tags: TagMap): { cols: Required<Pick<ColumnMap, 'messages' | 'system'>>; tags: Required<TagMap> } {
  const openai = !cols.messages && Array.isArray(first?.messages) && typeof (first!.messages as Record<string, unknown>[])[0]?.role === 'string';
  return {
    cols: { ...SHAREGPT_COLUMNS, ...(openai ? { messages: 'messages' } : {}), ...cols } as Required<Pick<ColumnMap, 'messages' | 'system'>>,
    tags: { ...(openai ? OPENAI_TAGS : SHAREGPT_TAGS), ...tags } as Required<TagMap>,
  };
}

export function sharegptConversation(r: JsonRecord, file: string, map: ReturnType<typeof sharegptTags>): ChatMessage[] {
  const at = `${file}:${r.line}`;
  const { cols, tags } = map;
  const turns = r.value[cols.messages];
  if (!Array.isArray(turns) || turns.length === 0) throw dataError(`field "${cols.messages}" must be a non-empty array of messages, got ${describe(turns)}`, at, SHAREGPT_HINT);
  const roles: Record<string, ChatRole> = { [tags.user_tag]: 'user', [tags.assistant_tag]: 'assistant', [tags.system_tag]: 'system' };
  const messages: ChatMessage[] = [];
  const system = str(r.value, cols.system, at, SHAREGPT_HINT, false);
  if (system) messages.push({ role: 'system', content: system });
  turns.forEach((m, i) => {
    if (!m || typeof m !== 'object' || Array.isArray(m)) throw dataError(`${cols.messages}[${i}] must be an object, got ${describe(m)}`, at, SHAREGPT_HINT);
    const o = m as Record<string, unknown>;
    const role = roles[String(o[tags.role_tag])];
    if (!role) throw dataError(`${cols.messages}[${i}].${tags.role_tag} is ${JSON.stringify(o[tags.role_tag])}; expected ${tags.user_tag}, ${tags.assistant_tag} or ${tags.system_tag}`, at, SHAREGPT_HINT);
    const content = o[tags.content_tag];
    if (typeof content !== 'string') throw dataError(`${cols.messages}[${i}].${tags.content_tag} must be a string, got ${describe(content)}`, at, SHAREGPT_HINT);
    if (role === 'system') {
      if (i !== 0 || system) throw dataError(`${cols.messages}[${i}]: a system message may only come first`, at, SHAREGPT_HINT);
      messages.push({ role, content });
      return;
    }
    const expected = messages.filter((x) => x.role !== 'system').length % 2 === 0 ? 'user' : 'assistant';
    if (role !== expected) throw dataError(`${cols.messages}[${i}]: expected a ${expected === 'user' ? tags.user_tag : tags.assistant_tag} turn, got ${o[tags.role_tag]}`, at, SHAREGPT_HINT);
    messages.push({ role, content });
  });
  if (messages[messages.length - 1].role !== 'assistant') throw dataError(`the conversation must end with a ${tags.assistant_tag} turn`, at, SHAREGPT_HINT);
  return messages;
}

export interface ChatLoadOptions extends LineOptions { renderer: ChatRenderer; columns?: ColumnMap; tags?: TagMap }

function toExample(prefix: string, messages: ChatMessage[], renderer: ChatRenderer, ids: IdAllocator): Example {
  const { source, target } = renderChat({ messages }, renderer);
  return { id: ids.next(contentId(prefix, source, target)), source, target, references: [target], attributes: [], lang: detectLang(source + target) };
}

export async function loadAlpaca(path: string, o: ChatLoadOptions): Promise<Example[]> {
  const ids = new IdAllocator();
  return (await readJsonRecords(path, ALPACA_HINT, o)).map((r) => toExample('al', alpacaConversation(r, path, o.columns), o.renderer, ids));
}

export async function loadShareGpt(path: string, o: ChatLoadOptions): Promise<Example[]> {
  const ids = new IdAllocator();
  const records = await readJsonRecords(path, SHAREGPT_HINT, o);
  const map = sharegptTags(records[0]?.value, o.columns ?? {}, o.tags ?? {});
  return records.map((r) => toExample('sg', sharegptConversation(r, path, map), o.renderer, ids));
}
