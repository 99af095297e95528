/**
 * One entry for experiment configs: load a dataset by format, or guess the format from the file (".csv" is E2E;
 * a JSONL whose first record has "content"/"summary" is AdvertiseGen, "prompt"/"response" the generic format).
 */
import { openSync, readSync, closeSync, existsSync } from 'node:fs';
import { LedgerLabError } from '../errors.ts';
import type { Example } from './types.ts';
import { loadAdvertiseGen } from './loaders/advertisegen.ts';
import { loadE2E } from './loaders/e2e.ts';
import { loadPromptResponse } from './loaders/jsonl.ts';
import type { LineOptions } from './lines.ts';

export const DATASET_FORMATS = ['advertisegen', 'e2e', 'jsonl'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];

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
      hint: 'a dataset holds one record per line: AdvertiseGen JSONL ({"content","summary"}), prompt/response JSONL ({"prompt","response"}), or E2E CSV (header mr,ref)',
    });
  }
  const first = buf.subarray(0, n).toString('utf8').split('\n')[0];
  if (/"content"\s*:/.test(first) && /"summary"\s*:/.test(first)) return 'advertisegen';
  if (/"prompt"\s*:/.test(first)) return 'jsonl';
  throw new LedgerLabError({
    kind: 'data',
    problem: 'cannot tell the dataset format from the first line',
    where: `${path}:1`,
    hint: 'expected AdvertiseGen JSONL ({"content","summary"}), prompt/response JSONL ({"prompt","response"}), or E2E CSV (a .csv with header mr,ref); data.source \'advertisegen\' reads the file as AdvertiseGen whatever its first line',
  });
}

export async function loadDataset(path: string, format?: DatasetFormat, opts: LineOptions = {}): Promise<Example[]> {
  switch (format ?? detectFormat(path)) {
    case 'advertisegen':
      return loadAdvertiseGen(path, opts);
    case 'e2e':
      return loadE2E(path, opts);
    case 'jsonl':
      return loadPromptResponse(path, opts);
  }
}
