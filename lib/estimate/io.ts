/**
 * The edges of `estimate`: reading config.json (a file, or a model directory holding one) and measuring a
 * dataset's token lengths with the model directory's tokenizer (lib/data's loaders and Hugging Face tokenizer).
 * Everything after these two reads is pure (estimate.ts).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { LedgerLabError } from '../errors.ts';
import { loadDataset, loadHfTokenizer } from '../data/index.ts';

export interface ModelConfigFile { config: unknown; path: string; dir: string }

export function readModelConfig(path: string): ModelConfigFile {
  if (!existsSync(path)) throw new LedgerLabError({ kind: 'io', code: 'io.not_found', problem: `no such file or directory: ${path}`, where: '--model', hint: 'give a config.json or a model directory holding one' });
  const file = statSync(path).isDirectory() ? join(path, 'config.json') : path;
  if (!existsSync(file)) throw new LedgerLabError({ kind: 'io', code: 'io.not_found', problem: `no config.json in ${path}`, where: '--model' });
  let config: unknown;
  try {
    config = JSON.parse(readFileSync(file, 'utf8'));
  } catch (cause) {
    throw new LedgerLabError({ kind: 'data', code: 'data.invalid_json', problem: `config.json is not valid JSON: ${(cause as Error).message}`, where: file, cause });
  }
  return { config, path: file, dir: dirname(file) };
}

/**
 * Tokens per example (source + target, special tokens included as the tokenizer adds them) of a dataset lib/data
 * can load, under the tokenizer of `modelDir` (tokenizer.json). `maxSource`/`maxTarget` truncate as the
 * training batches do.
 */
export async function measureLengths(dataFile: string, modelDir: string, limits: { maxSource?: number; maxTarget?: number } = {}): Promise<number[]> {
  if (!existsSync(join(modelDir, 'tokenizer.json'))) throw new LedgerLabError({ kind: 'io', code: 'io.not_found', problem: `--data needs the model's tokenizer, and ${modelDir} has no tokenizer.json`, where: '--data', hint: 'point --model at the model directory (config.json + tokenizer.json), or give --batch B --seq T' });
  const tok = loadHfTokenizer(modelDir);
  const examples = await loadDataset(dataFile);
  if (examples.length === 0) throw new LedgerLabError({ kind: 'data', problem: 'the dataset has no examples', where: dataFile });
  const cap = (n: number, max?: number) => (max === undefined ? n : Math.min(n, max));
  return examples.map((e) => cap(tok.encode(e.source).ids.length, limits.maxSource) + cap(tok.encode(e.target, { addSpecialTokens: false }).ids.length, limits.maxTarget));
}
