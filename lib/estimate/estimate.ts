/**
 * `estimate()`: from a config.json's contents, a method and a batch shape to trainable parameters (as PEFT
 * counts them), memory by part against a device, and step time with an interval. Pure: no file is read here
 * (io.ts reads config.json and measures a dataset's lengths), no tensor is allocated, so a 70B config answers in
 * milliseconds.
 */
import { LedgerLabError } from '../errors.ts';
import { countStep, lengthStats, type Compute } from '../experiments/index.ts';
import type { Interval } from '../measure/index.ts';
import { archFromConfig, type ModelArch, type Family } from './arch.ts';
import { moduleTree } from './modules.ts';
import { impliedStorage, methodTakes, resolveMethod, type MethodConfig } from './method.ts';
import { countParams, peftLine } from './params.ts';
import { COMPUTES, WEIGHT_STORAGES, costBatch, costRecipe, costShape, virtualTokens, withExactOptimizer, type WeightStorage } from './recipe.ts';
import { isQuantizedStorage, memoryParts, type MemoryParts } from './memory.ts';
import { stepEstimate, throughputRatio, type StepEstimate } from './step.ts';
import { devicePreset } from './devices.ts';

/** A batch: fixed shape, or token lengths (measured from a dataset) with a padding rule. */
export type BatchSpec =
  | { batchSize: number; seqLen: number }
  | { batchSize: number; lengths: readonly number[]; padding: 'longest' | 'max_length'; maxLength?: number };

export interface EstimateInput {
  /** parsed config.json (or the object a notebook builds). */
  config: unknown;
  /** where the config came from, for error messages. */
  source?: string;
  /** a method name (`lora`, `prefix_tuning`, `ptuning-v2`, …) or two, comma-separated, for a ratio. */
  method: string;
  /** PEFT config fields (`r`, `target_modules`, `num_virtual_tokens`, …), values as strings or typed. */
  options?: Readonly<Record<string, unknown>>;
  storage?: string;
  compute?: string;
  batch?: BatchSpec;
  checkpoint?: boolean;
  device?: string;
}

export interface MethodEstimate {
  method: string;
  peftMethod: MethodConfig['method'];
  config: MethodConfig;
  trainableParams: number;
  allParams: number;
  trainablePercent: number;
  /** print_trainable_parameters()'s line for the same configuration. */
  peftLine: string;
  storage: WeightStorage;
  compute: Compute;
  memory: MemoryParts;
  step: StepEstimate;
}

export interface TrainingEstimate extends MethodEstimate {
  model: { family: Family; layers: number; hidden: number; heads: number; kvHeads: number; headDim: number; ffn: number; vocab: number; tiedHead: boolean; params: number };
  device: { name: string; label: string; memoryBytes: number; source: string };
  batch: { batchSize: number; paddedLength: number; realTokens: number; virtualTokens: number; checkpoint: boolean; measured?: { examples: number; meanLength: number; maxLength: number; padding: string } };
  /** every method when two were given (the first is the one above). */
  methods: MethodEstimate[];
  /** first method's samples/s ÷ the second's, on the same device (two methods only). */
  ratio?: Interval;
}

export const DEFAULT_DEVICE = 'a100-80gb';
export const DEFAULT_BATCH: BatchSpec = { batchSize: 4, seqLen: 512 };

export function estimate(input: EstimateInput): TrainingEstimate {
  const arch = archFromConfig(input.config, input.source);
  const names = input.method.split(',').map((x) => x.trim()).filter(Boolean);
  if (names.length < 1 || names.length > 2) throw new LedgerLabError({ kind: 'usage', code: 'usage.bad_flag_value', problem: `--method takes one method or two separated by a comma, got "${input.method}"`, where: '--method' });
  checkOptionsRouted(names, input.options ?? {});
  const device = devicePreset(input.device ?? DEFAULT_DEVICE);
  const batch = resolveBatch(input.batch ?? DEFAULT_BATCH);
  const checkpoint = input.checkpoint ?? false;
  // one method gets every option (so an unknown key is its error); two methods each get the keys they take
  const optionsFor = (n: string) => (names.length === 1 ? input.options ?? {} : Object.fromEntries(Object.entries(input.options ?? {}).filter(([k]) => methodTakes(n, k))));
  const methods = names.map((n) => estimateOne(arch, n, optionsFor(n), input, batch, checkpoint, device));
  const ratio = methods.length === 2 ? throughputRatio(methods[0].counts, methods[1].counts, device, batch.stats.batchSize, batch.stats.batchSize) : undefined;
  const [first] = methods;
  return {
    ...strip(first),
    model: { family: arch.family, layers: arch.layers, hidden: arch.hidden, heads: arch.heads, kvHeads: arch.kvHeads, headDim: arch.headDim, ffn: arch.ffn, vocab: arch.vocab, tiedHead: arch.tiedHead, params: first.base },
    device: { name: device.name, label: device.label, memoryBytes: device.memoryBytes, source: device.source },
    batch: { ...batch.stats, virtualTokens: virtualTokens(first.config), checkpoint, ...(batch.measured ? { measured: batch.measured } : {}) },
    methods: methods.map(strip),
    ...(ratio ? { ratio } : {}),
  };
}

type Internal = MethodEstimate & { counts: ReturnType<typeof countStep>; base: number };
const strip = (m: Internal): MethodEstimate => {
  const { counts: _c, base: _b, ...rest } = m;
  return rest;
};

function estimateOne(arch: ModelArch, name: string, options: Readonly<Record<string, unknown>>, input: EstimateInput, batch: ReturnType<typeof resolveBatch>, checkpoint: boolean, device: ReturnType<typeof devicePreset>): Internal {
  const config = resolveMethod(name, options);
  const storage = pick(input.storage ?? impliedStorage(name) ?? (device.name === 'cpu' ? 'fp32' : 'fp16'), WEIGHT_STORAGES, '--storage');
  // this machine's engine computes in fp32 whatever the storage; GPUs in the storage's half type
  const compute = pick(input.compute ?? (storage === 'fp32' || device.name === 'cpu' ? 'fp32' : storage === 'bf16' ? 'bf16' : 'fp16'), COMPUTES, '--compute');
  if (config.method === 'full' && isQuantizedStorage(storage)) throw new LedgerLabError({ kind: 'usage', code: 'usage.bad_flag_value', problem: `full fine-tuning cannot train a ${storage} base`, where: '--storage', hint: 'use fp32, fp16 or bf16 with --method full' });
  const tree = moduleTree(arch);
  const params = countParams(arch, tree, config);
  const shape = costShape(arch);
  const recipe = costRecipe(config, params, storage, compute, checkpoint);
  const cb = costBatch(batch.stats, config);
  const counts = withExactOptimizer(countStep(shape, recipe, cb), params.trainable);
  const memory = memoryParts({ tree, params, full: config.method === 'full', storage, compute, shape, recipe, batch: cb, device, virtualTokens: virtualTokens(config) > 0 });
  return {
    method: name, peftMethod: config.method, config, trainableParams: params.trainable, allParams: params.all,
    trainablePercent: (100 * params.trainable) / params.all, peftLine: peftLine(params), storage, compute, memory,
    step: stepEstimate(counts, device, batch.stats.batchSize, cb.batchSize * cb.paddedLength), counts, base: params.base,
  };
}

function pick<T extends string>(v: string, allowed: readonly T[], flag: string): T {
  if ((allowed as readonly string[]).includes(v)) return v as T;
  throw new LedgerLabError({ kind: 'usage', code: 'usage.bad_flag_value', problem: `${flag} must be one of ${allowed.join(', ')}, got "${v}"`, where: flag });
}

/** A --set key no given method takes is an error naming the key (with two methods, each takes its own). */
function checkOptionsRouted(names: string[], options: Readonly<Record<string, unknown>>): void {
  if (names.length === 1) return; // resolveMethod reports unknown keys with the method's own list
  const orphans = Object.keys(options).filter((k) => !names.some((n) => methodTakes(n, k)));
  if (orphans.length) throw new LedgerLabError({ kind: 'usage', code: 'usage.bad_option', problem: `no method of ${names.join(', ')} takes ${orphans.map((k) => `"${k}"`).join(', ')}`, where: `--set ${orphans[0]}`, issues: orphans.map((k) => ({ path: [k], message: `not an option of ${names.join(' or ')}` })) });
}

function resolveBatch(b: BatchSpec) {
  const posInt = (x: number, flag: string) => {
    if (!Number.isInteger(x) || x < 1) throw new LedgerLabError({ kind: 'usage', code: 'usage.bad_flag_value', problem: `${flag} must be a positive integer, got ${x}`, where: flag });
  };
  posInt(b.batchSize, '--batch');
  if ('seqLen' in b) {
    posInt(b.seqLen, '--seq');
    return { stats: { batchSize: b.batchSize, paddedLength: b.seqLen, realTokens: b.batchSize * b.seqLen } };
  }
  const s = lengthStats(b.lengths, b.batchSize);
  const cap = b.maxLength ?? s.maxLength;
  if (b.maxLength !== undefined) posInt(b.maxLength, '--seq');
  const mean = b.lengths.reduce((a, x) => a + Math.min(x, cap), 0) / b.lengths.length;
  // longest: the expected longest of a random batch (exact over the measured lengths); max_length: the cap
  const padded = b.padding === 'max_length' ? cap : Math.min(cap, Math.ceil(s.expectedLongest));
  return {
    stats: { batchSize: b.batchSize, paddedLength: padded, realTokens: Math.max(1, Math.min(b.batchSize * padded, Math.round(b.batchSize * mean))) },
    measured: { examples: s.n, meanLength: mean, maxLength: s.maxLength, padding: b.padding },
  };
}
