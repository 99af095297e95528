/**
 * `loadPretrained(dir)`: a directory as transformers saves it — `config.json` and `model.safetensors`, or
 * shards listed by `model.safetensors.index.json` — as the decoder's config plus a weight source that reads,
 * decodes (F32/F16/BF16 → float32) and re-lays out one tensor per `get`. Everything is checked from the
 * headers before any tensor is read: every tensor the config implies must be present with the right shape,
 * and every tensor in the files must be one the model uses; the error names the file and the tensor.
 *
 * Because tensors are produced one at a time, `Gpt.fromWeights(config, weights, { quant: 'nf4-dq' })` packs
 * each block linear as it arrives and the fp32 copy is garbage right after: the whole model is never held
 * in fp32 (`ledgerlab bench load` measures the peak).
 *
 * @example
 * const { config, weights } = loadPretrained('SmolLM2-135M');
 * const model = Gpt.fromWeights(config, weights, { quant: 'nf4-dq' });
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { LedgerLabError } from '../../errors.ts';
import type { GptConfig } from '../config.ts';
import { expectedShapes } from '../shapes.ts';
import type { WeightSource } from '../gpt.ts';
import type { NeutralTensor } from '../gpt2-names.ts';
import { hfToConfig, type HfModelType } from './config.ts';
import { isIgnoredSource, recipeFor, type Recipe } from './names.ts';
import { SafetensorsReader } from './reader.ts';

export interface Pretrained {
  dir: string;
  modelType: HfModelType;
  config: GptConfig;
  weights: WeightSource;
  /** The weight files read (absolute paths), shards in index order. */
  files: string[];
  /** Source tensors deliberately not used (old buffers, a tied lm_head). */
  skipped: string[];
  bosTokenId?: number;
  eosTokenId?: number | number[];
}

function dataError(problem: string, where: string, hint?: string): LedgerLabError {
  return new LedgerLabError({ kind: 'data', problem, where, hint });
}

function readJson(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new LedgerLabError({ kind: 'io', problem: `cannot read ${path}: ${(e as Error).message}`, where: path, cause: e });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw dataError(`not valid JSON (${(e as Error).message})`, path);
  }
}

/** The safetensors files of a checkpoint directory, and which file holds each tensor. */
function weightFiles(dir: string): { files: string[]; readers: Map<string, SafetensorsReader> } {
  const single = join(dir, 'model.safetensors');
  const index = join(dir, 'model.safetensors.index.json');
  const readers = new Map<string, SafetensorsReader>();
  if (existsSync(index)) {
    const j = readJson(index) as { weight_map?: Record<string, string> };
    if (!j || typeof j.weight_map !== 'object' || j.weight_map === null) throw dataError('has no "weight_map" object', index);
    const files = [...new Set(Object.values(j.weight_map))];
    const byFile = new Map(files.map((f) => {
      if (typeof f !== 'string' || f.includes('/') || f.includes('\\')) throw dataError(`weight_map names ${JSON.stringify(f)}, not a file in the directory`, index);
      return [f, new SafetensorsReader(join(dir, f))] as const;
    }));
    for (const [name, f] of Object.entries(j.weight_map)) {
      const r = byFile.get(f)!;
      if (!r.entries.has(name)) throw dataError(`weight_map puts tensor "${name}" in ${f}, which does not hold it`, index);
      readers.set(name, r);
    }
    for (const r of byFile.values()) {
      for (const name of r.entries.keys()) {
        if (readers.get(name) !== r) throw dataError(`tensor "${name}" is in ${r.path} but weight_map does not list it there`, index);
      }
    }
    return { files: files.map((f) => join(dir, f)), readers };
  }
  if (existsSync(single)) {
    const r = new SafetensorsReader(single);
    for (const name of r.entries.keys()) readers.set(name, r);
    return { files: [single], readers };
  }
  const bin = existsSync(join(dir, 'pytorch_model.bin'));
  throw new LedgerLabError({
    kind: 'data', problem: 'no model.safetensors or model.safetensors.index.json', where: dir,
    hint: bin ? 'pytorch_model.bin (pickle) is not read; convert it to safetensors with transformers\' save_pretrained(safe_serialization=True)' : 'is this a transformers checkpoint directory?',
  });
}

function shapeAfter(r: Recipe, shape: number[]): number[] {
  if (r.transpose) return shape.length === 2 ? [shape[1], shape[0]] : shape;
  if (r.columns) return shape.length === 2 ? [shape[0], r.columns[1] - r.columns[0]] : [r.columns[1] - r.columns[0]];
  return shape;
}

function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  // Blocked, so both sides stay in cache on large matrices.
  const B = 64;
  for (let r0 = 0; r0 < rows; r0 += B) {
    for (let c0 = 0; c0 < cols; c0 += B) {
      const r1 = Math.min(rows, r0 + B);
      const c1 = Math.min(cols, c0 + B);
      for (let r = r0; r < r1; r++) for (let c = c0; c < c1; c++) out[c * rows + r] = data[r * cols + c];
    }
  }
  return out;
}

function columns(data: Float32Array, rows: number, cols: number, c0: number, c1: number): Float32Array {
  const w = c1 - c0;
  const out = new Float32Array(rows * w);
  for (let r = 0; r < rows; r++) out.set(data.subarray(r * cols + c0, r * cols + c1), r * w);
  return out;
}

export function loadPretrained(dir: string): Pretrained {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new LedgerLabError({ kind: 'usage', problem: `${dir} is not a directory`, where: dir, hint: 'pass a directory with config.json and model.safetensors' });
  }
  const configPath = join(dir, 'config.json');
  if (!existsSync(configPath)) throw dataError('config.json is missing', dir, 'a transformers checkpoint directory has config.json beside its safetensors files');
  const hf = hfToConfig(readJson(configPath), configPath);
  const { files, readers } = weightFiles(dir);
  const c = hf.config;
  const gpt2Prefix = hf.modelType === 'gpt2' && readers.has('transformer.wte.weight') ? 'transformer.' : '';
  const recipes = new Map<string, Recipe>();
  const used = new Set<string>();
  const fileOf = (source: string) => readers.get(source)?.path ?? (files.length === 1 ? files[0] : `${dir} (${files.length} shards)`);
  for (const [name, want] of expectedShapes(c)) {
    const r = recipeFor(name, hf.modelType, c, gpt2Prefix)!;
    const reader = readers.get(r.source);
    if (!reader) throw dataError(`tensor "${r.source}" is missing (needed for ${name})`, fileOf(r.source), `the ${hf.modelType} config in config.json implies it`);
    const shape = reader.entries.get(r.source)!.shape;
    if (r.columns && shape[shape.length - 1] !== 3 * c.dModel) {
      throw dataError(`tensor "${r.source}" has shape [${shape.join(', ')}]; config.json implies [${shape.length === 2 ? `${c.dModel}, ` : ''}${3 * c.dModel}]`, reader.path);
    }
    const got = shapeAfter(r, shape);
    if (got.length !== want.length || got.some((d, i) => d !== want[i])) {
      const onDisk = r.transpose ? [want[1], want[0]] : want;
      throw dataError(`tensor "${r.source}" has shape [${shape.join(', ')}]; config.json implies [${onDisk.join(', ')}]`, reader.path);
    }
    recipes.set(name, r);
    used.add(r.source);
  }
  const skipped: string[] = [];
  for (const [source, reader] of readers) {
    if (used.has(source)) continue;
    if (isIgnoredSource(source, hf.modelType) || (c.tiedHead && source === 'lm_head.weight')) {
      skipped.push(source);
      continue;
    }
    throw dataError(`tensor "${source}" is not part of a ${hf.modelType} model with this config`, reader.path,
      'config.json and the weights disagree (layer count? tie_word_embeddings? biases?)');
  }
  const weights: WeightSource = {
    keys: () => recipes.keys(),
    get(name: string): NeutralTensor | undefined {
      const r = recipes.get(name);
      if (!r) return undefined;
      const reader = readers.get(r.source)!;
      const shape = reader.entries.get(r.source)!.shape;
      const data = reader.readFloat(r.source);
      if (r.transpose) return { shape: [shape[1], shape[0]], data: transpose(data, shape[0], shape[1]) };
      if (r.columns) {
        const rows = shape.length === 2 ? shape[0] : 1;
        const cols = shape[shape.length - 1];
        const out = columns(data, rows, cols, r.columns[0], r.columns[1]);
        return { shape: shapeAfter(r, shape), data: out };
      }
      return { shape: [...shape], data };
    },
  };
  return { dir, modelType: hf.modelType, config: c, weights, files, skipped, bosTokenId: hf.bosTokenId, eosTokenId: hf.eosTokenId };
}

/** All weights as arrays (for callers that need a Map, like training from a loaded base in fp32). */
export function materialize(w: WeightSource): Map<string, NeutralTensor> {
  const out = new Map<string, NeutralTensor>();
  for (const k of w.keys()) out.set(k, w.get(k)!);
  return out;
}

export interface FileDigest {
  file: string;
  bytes: number;
  sha256: string;
}

/** sha256 of a file, streamed in 4 MiB chunks. */
export function sha256File(path: string): FileDigest {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  const buf = Buffer.alloc(4 << 20);
  let bytes = 0;
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
      bytes += n;
    }
  } finally {
    closeSync(fd);
  }
  return { file: path, bytes, sha256: h.digest('hex') };
}

/** Digests of what defines a checkpoint: config.json, the index if sharded, and every weight file. */
export function checkpointDigests(p: Pretrained): FileDigest[] {
  const list = [join(p.dir, 'config.json')];
  if (existsSync(join(p.dir, 'model.safetensors.index.json')) && p.files.length && !p.files[0].endsWith('/model.safetensors')) list.push(join(p.dir, 'model.safetensors.index.json'));
  return [...list, ...p.files].map(sha256File);
}
