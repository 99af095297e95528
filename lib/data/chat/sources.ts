/**
 * Where chat data and templates come from, as LLaMA-Factory users have them:
 * - `dataset_info.json` entries (`{"name": {"file_name", "formatting": "alpaca"|"sharegpt", "columns", "tags"}}`),
 *   `file_name` relative to the info file's folder;
 * - a model's chat template: `tokenizer_config.json` (`chat_template`, a string or a list of named templates,
 *   with `bos_token` / `eos_token`), given as the file or the model folder holding it.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { LedgerLabError } from '../../errors.ts';
import { parseJsonText } from '../../config/index.ts';
import { jinjaTemplate, namedTemplate, type ChatRenderer } from './templates.ts';

/** dataset_info.json's `columns`: which record fields hold the prompt, query, response, system, history, messages. */
export interface ColumnMap {
  prompt?: string; query?: string; response?: string; system?: string; history?: string; messages?: string;
}
/** dataset_info.json's `tags` (sharegpt): the role/content keys and the role names of a messages list. */
export interface TagMap {
  role_tag?: string; content_tag?: string; user_tag?: string; assistant_tag?: string; system_tag?: string;
}

export interface DatasetInfoEntry { path: string; format: 'alpaca' | 'sharegpt'; columns: ColumnMap; tags: TagMap }

function readJson(path: string, what: string): unknown {
  if (!existsSync(path)) throw new LedgerLabError({ kind: 'io', problem: `${what} not found`, where: path });
  return parseJsonText(readFileSync(path, 'utf8'), path);
}

const strings = (v: unknown): Record<string, string> =>
  v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).filter(([, x]) => typeof x === 'string')) as Record<string, string> : {};

export function datasetInfoEntry(infoPath: string, name: string): DatasetInfoEntry {
  const info = readJson(infoPath, 'dataset_info.json') as Record<string, Record<string, unknown>>;
  const e = info?.[name];
  if (!e || typeof e !== 'object') {
    throw new LedgerLabError({ kind: 'config', problem: `dataset "${name}" is not in ${infoPath}`, where: 'data.dataset', hint: `entries: ${Object.keys(info ?? {}).join(', ') || 'none'}` });
  }
  if (typeof e.file_name !== 'string') {
    throw new LedgerLabError({ kind: 'config', problem: `dataset "${name}" has no local file_name (hub datasets are not fetched here)`, where: `${infoPath} at ${name}`, hint: 'download the file and give its file_name, or use `ledgerlab data fetch`' });
  }
  const formatting = e.formatting ?? 'alpaca';
  if (formatting !== 'alpaca' && formatting !== 'sharegpt') {
    throw new LedgerLabError({ kind: 'config', problem: `formatting "${String(formatting)}" is not alpaca or sharegpt`, where: `${infoPath} at ${name}.formatting` });
  }
  return { path: resolve(dirname(infoPath), e.file_name), format: formatting, columns: strings(e.columns), tags: strings(e.tags) };
}

/** The chat template of a model folder or tokenizer_config.json, as a renderer. */
export function tokenizerChatTemplate(pathOrDir: string): ChatRenderer {
  const file = existsSync(pathOrDir) && statSync(pathOrDir).isDirectory() ? join(pathOrDir, 'tokenizer_config.json') : pathOrDir;
  const cfg = readJson(file, 'tokenizer_config.json') as Record<string, unknown>;
  let t = cfg.chat_template;
  if (Array.isArray(t)) t = (t.find((x) => x?.name === 'default') ?? t[0])?.template;
  if (typeof t !== 'string') {
    throw new LedgerLabError({ kind: 'config', problem: 'tokenizer_config.json has no chat_template', where: file, hint: 'use a named template (data.template: default, alpaca, chatglm2, chatml, empty)' });
  }
  const tok = (v: unknown) => (typeof v === 'string' ? v : v && typeof v === 'object' && typeof (v as { content?: unknown }).content === 'string' ? (v as { content: string }).content : undefined);
  return jinjaTemplate(t, { bos_token: tok(cfg.bos_token), eos_token: tok(cfg.eos_token) });
}

/** `template` by name; `tokenizer` needs the model folder or tokenizer_config.json holding the chat template. */
export function chatRenderer(template: string, chatTemplatePath?: string): ChatRenderer {
  if (template !== 'tokenizer') return namedTemplate(template);
  if (!chatTemplatePath) {
    throw new LedgerLabError({ kind: 'config', problem: 'template "tokenizer" needs the model\'s chat template', where: 'data.chatTemplate', hint: 'set data.chatTemplate to the model folder (or its tokenizer_config.json)' });
  }
  return tokenizerChatTemplate(chatTemplatePath);
}
