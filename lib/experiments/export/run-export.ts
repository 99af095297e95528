/**
 * `ledgerlab export RUN --format peft|merged|onnx --out DIR`: a finished finetune run's trained tensors
 * (its checkpoint.safetensors) put back on the run's base and written for other tools:
 *  - peft:   adapter_config.json + adapter_model.safetensors (lib/peft/hf-adapter), PEFT's names and layouts;
 *  - merged: a transformers checkpoint (config.json, model.safetensors F32, tokenizer files) with the LoRA
 *            update merged into the weights (full fine-tuning: the trained weights);
 *  - onnx:   model.onnx, the ONNX Runtime graph `evaluate`/`generate` use (LoRA merged, P-Tuning v2 prefix
 *            baked in), plus the tokenizer files.
 * The base is the run's {"from": "hf"} checkpoint (its model_type names the modules) or, for runs on the
 * built-in base, the cached LedgerLab base (a Llama- or GPT-2-family layout by its arch).
 */
import * as tf from '@tensorflow/tfjs';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { LedgerLabError } from '../../errors.ts';
import {
  Gpt, GptConfigSchema, isLlama, type GptConfig, loadPretrained, materialize, saveHfCheckpoint, type HfModelType,
  readSafetensors, toTypedArray, type NeutralTensor,
} from '../../model/index.ts';
import { buildModel, type MethodSpec, peftAdapter, writePeftAdapter } from '../../peft/index.ts';
import { CHECKPOINT_FILE, readCheckpoint } from '../../train/index.ts';
import { readRunRecord } from '../../results/index.ts';
import { exportOnnx } from '../../infer/index.ts';
import { loadTokenizer, saveHfTokenizer } from '../../data/index.ts';
import { FinetuneSchema } from '../finetune/index.ts';
import { BASE_CACHE, baseWeightsWithAdapter, isHfRef } from '../base.ts';

export const EXPORT_FORMATS = ['peft', 'merged', 'onnx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Files transformers keeps beside the weights that describe text in and out. */
const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'vocab.json', 'merges.txt', 'tokenizer.model', 'added_tokens.json', 'generation_config.json'];

export interface RunModel {
  model: Gpt;
  spec: MethodSpec;
  modelType: HfModelType;
  /** base_model_name_or_path: the checkpoint directory (absolute) or the LedgerLab base folder. */
  base: string;
  /** The base's config.json (HF bases). */
  baseConfig?: Record<string, unknown>;
  /** Writes the base's tokenizer files into a directory. */
  copyTokenizer(dir: string): void;
}

/** The run's model with its trained tensors, rebuilt in fp32 from run.json and checkpoint.safetensors. */
export async function openRunModel(runDir: string): Promise<RunModel> {
  const record = readRunRecord(runDir);
  const where = join(runDir, 'run.json');
  if (record.kind !== 'finetune') {
    throw new LedgerLabError({ kind: 'usage', problem: `run ${record.runId} is a "${record.kind}" run; export reads finetune runs (one method, one adapter)`, where, hint: 'train the configuration to export with kind "finetune"' });
  }
  if (record.status !== 'finished') throw new LedgerLabError({ kind: 'usage', problem: `run ${record.runId} is ${record.status}, not finished`, where, hint: 'resume it with ledgerlab run --resume' });
  const c = FinetuneSchema.parse(record.config, `${where}: config`);
  const seed = record.seeds[0] ?? 0;
  let config: GptConfig;
  let weights: Map<string, NeutralTensor>;
  let modelType: HfModelType;
  let base: string;
  let baseConfig: Record<string, unknown> | undefined;
  let copyTokenizer: (dir: string) => void;
  if (isHfRef(c.model)) {
    const dir = resolve(c.model.path);
    const p = loadPretrained(dir);
    config = p.config;
    modelType = p.modelType;
    weights = c.model.adapter ? await baseWeightsWithAdapter(p, c.model.adapter) : materialize(p.weights);
    base = dir;
    baseConfig = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')) as Record<string, unknown>;
    copyTokenizer = (out) => {
      for (const f of TOKENIZER_FILES) if (existsSync(join(dir, f))) copyFileSync(join(dir, f), join(out, f));
    };
  } else {
    const key = (record.summary as { base?: { key?: string } } | undefined)?.base?.key;
    const dir = key ? join(BASE_CACHE, `base-${key.slice(0, 16)}`) : '';
    if (!key || !existsSync(join(dir, 'weights.safetensors'))) {
      throw new LedgerLabError({ kind: 'io', problem: `the run's built-in base${key ? ` (${dir})` : ''} is not in the cache`, where, hint: 'rerun the experiment (it pretrains the base again, deterministically) or train on a {"from": "hf"} checkpoint' });
    }
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { model?: unknown };
    config = GptConfigSchema.parse(meta.model, `${join(dir, 'meta.json')}: model`);
    modelType = isLlama(config) ? 'llama' : 'gpt2';
    weights = new Map();
    for (const [name, t] of readSafetensors(join(dir, 'weights.safetensors')).tensors) weights.set(name, { shape: t.shape, data: toTypedArray(t) as Float32Array });
    base = dir;
    copyTokenizer = (out) => saveHfTokenizer(loadTokenizer(join(dir, 'tokenizer.json')), out);
  }
  const model = await buildModel(config, weights, c.method, 'fp32', seed);
  const ckptPath = join(runDir, CHECKPOINT_FILE);
  const ckpt = readCheckpoint(ckptPath);
  if (!ckpt) {
    model.dispose();
    throw new LedgerLabError({ kind: 'io', problem: `${CHECKPOINT_FILE} is missing: the run's trained tensors are not there`, where: runDir });
  }
  for (const [name, v] of model.trainable) {
    const data = ckpt.params.get(name);
    if (!data || data.length !== v.size) {
      model.dispose();
      throw new LedgerLabError({ kind: 'data', problem: `trainable tensor "${name}" is ${data ? `${data.length} values, expected ${v.size}` : 'missing'}`, where: ckptPath, hint: 'the checkpoint does not belong to this run\'s config' });
    }
    v.assign(tf.tensor(data, v.shape));
  }
  return { model, spec: c.method, modelType, base, baseConfig, copyTokenizer };
}

/** Writes the export into a sibling temp folder, then renames it to `out`: no half-written export. */
export async function exportRun(runDir: string, format: ExportFormat, out: string): Promise<string[]> {
  if (!(EXPORT_FORMATS as readonly string[]).includes(format)) throw new LedgerLabError({ kind: 'usage', problem: `--format must be one of ${EXPORT_FORMATS.join(', ')}, got "${format}"`, where: '--format' });
  if (existsSync(out)) throw new LedgerLabError({ kind: 'usage', problem: `${out} already exists`, where: '--out', hint: 'pick a new folder (export never overwrites)' });
  const rm = await openRunModel(runDir);
  const work = join(dirname(resolve(out)), `.partial-export-${process.pid}-${Date.now()}`);
  mkdirSync(work, { recursive: true });
  try {
    const { model, spec } = rm;
    if (format === 'peft') {
      writePeftAdapter(work, await peftAdapter(model, spec, { modelType: rm.modelType, base: rm.base }));
    } else if (format === 'merged') {
      if (spec.method !== 'lora' && spec.method !== 'full') {
        throw new LedgerLabError({ kind: 'usage', problem: `a ${spec.method} adapter cannot be merged into the weights (it adds virtual tokens or a key/value prefix)`, where: '--format merged', hint: 'export it with --format peft (and load it with generate --adapter) or --format onnx' });
      }
      saveHfCheckpoint(work, await model.exportWeights(), model.config, rm.modelType, rm.baseConfig);
      rm.copyTokenizer(work);
    } else {
      await exportOnnx(model, join(work, 'model.onnx'));
      rm.copyTokenizer(work);
    }
    mkdirSync(dirname(resolve(out)), { recursive: true });
    renameSync(work, out);
  } catch (e) {
    rmSync(work, { recursive: true, force: true });
    throw e;
  } finally {
    rm.model.dispose();
  }
  return readdirSync(out).sort();
}
