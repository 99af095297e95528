/**
 * One entry for experiment configs and `ledgerlab data inspect`: load a dataset by format, or detect the format
 * from the file — ".csv" is E2E; otherwise the keys of the first record of a JSONL file or JSON array:
 * "content"+"summary" AdvertiseGen, "prompt" the generic prompt/response format, "instruction"+"output" alpaca,
 * "conversations" or "messages" sharegpt.
 */
import { openSync, readSync, closeSync, existsSync, readFileSync } from 'node:fs';
import { LedgerLabError } from '../errors.ts';
import type { Example } from './types.ts';
import { isJsonArrayText, jsonArrayRecords, loadAdvertiseGen, loadAlpaca, loadE2E, loadPromptResponse, loadShareGpt } from './loaders/index.ts';
import { namedTemplate, type ChatRenderer, type ColumnMap, type TagMap } from './chat/index.ts';
import type { LineOptions } from './lines.ts';

export const DATASET_FORMATS = ['advertisegen', 'e2e', 'prompt-response', 'alpaca', 'sharegpt'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

export interface LoadOptions extends LineOptions {
  /** How chat formats (alpaca, sharegpt) become prompt text; default: the `empty` template. */
  renderer?: ChatRenderer;
  /** dataset_info.json-style column and tag maps for the chat formats. */
  columns?: ColumnMap;
  tags?: TagMap;
}

function firstRecordKeys(path: string): { keys: string[]; where: string } {
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(65536);
  const n = readSync(fd, buf, 0, buf.length, 0);
  closeSync(fd);
  const head = buf.subarray(0, n).toString('utf8');
  try {
    if (isJsonArrayText(head)) {
      const first = jsonArrayRecords(readFileSync(path, 'utf8'), path, '')[0];
      return { keys: first ? Object.keys(first.value) : [], where: `${path}:${first?.line ?? 1}` };
    }
    const line = head.replace(/^\uFEFF/, '').split('\n').find((l) => l.trim()) ?? '';
    const v = JSON.parse(line) as unknown;
    return { keys: v && typeof v === 'object' && !Array.isArray(v) ? Object.keys(v) : [], where: `${path}:1` };
  } catch {
    return { keys: [], where: `${path}:1` };
  }
}

export function detectFormat(path: string): DatasetFormat {
  if (!existsSync(path)) throw new LedgerLabError({ kind: 'io', problem: `dataset file not found: ${path}`, where: path });
  if (path.toLowerCase().endsWith('.csv')) return 'e2e';
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(4096);
  const n = readSync(fd, buf, 0, buf.length, 0);
  closeSync(fd);
  if (buf.subarray(0, n).toString('utf8').trim() === '') {
    throw new LedgerLabError({
      kind: 'data', problem: 'the dataset file is empty', where: `${path}:1`,
      hint: 'a dataset holds one record per line (or a JSON array of records): AdvertiseGen ({"content","summary"}), prompt/response ({"prompt","response"}), alpaca ({"instruction","output"}), sharegpt ({"conversations"}), or E2E CSV (header mr,ref)',
    });
  }
  const { keys, where } = firstRecordKeys(path);
  const has = (k: string) => keys.includes(k);
  if (has('content') && has('summary')) return 'advertisegen';
  if (has('prompt')) return 'prompt-response';
  if (has('instruction') && has('output')) return 'alpaca';
  if (has('conversations') || has('messages')) return 'sharegpt';
  throw new LedgerLabError({
    kind: 'data',
    problem: keys.length ? `cannot tell the dataset format from the first record's keys (${keys.join(', ')})` : 'cannot tell the dataset format from the first record',
    where,
    hint: 'expected AdvertiseGen ({"content","summary"}), prompt/response ({"prompt","response"}), alpaca ({"instruction","output"}), sharegpt ({"conversations"} or {"messages"}) as JSONL or a JSON array, or E2E CSV (mr,ref); or set data.format (data.source \'advertisegen\' reads the file as AdvertiseGen whatever its first line)',
  });
}

export async function loadDataset(path: string, format?: DatasetFormat | 'jsonl', o: LoadOptions = {}): Promise<Example[]> {
  const f = format === 'jsonl' ? 'prompt-response' : format ?? detectFormat(path);
  const renderer = o.renderer ?? namedTemplate('empty');
  const lines: LineOptions = o.maxLineBytes === undefined ? {} : { maxLineBytes: o.maxLineBytes };
  switch (f) {
    case 'advertisegen':
      return loadAdvertiseGen(path, lines);
    case 'e2e':
      return loadE2E(path, lines);
    case 'prompt-response':
      return loadPromptResponse(path, lines);
    case 'alpaca':
      return loadAlpaca(path, { renderer, columns: o.columns, ...lines });
    case 'sharegpt':
      return loadShareGpt(path, { renderer, columns: o.columns, tags: o.tags, ...lines });
  }
}
