/**
 * The published benchmark, as the cost model sees it: ChatGLM2-6B on AdvertiseGen, one A100, batch 4.
 * LoRA (LLaMA-Factory: rank 32 on the attention projections, pad to the batch's longest, no checkpointing in
 * this repo's reading of its recipe, half-precision base for the speed figure) against ChatGLM's P-Tuning v2
 * script (pre_seq_len 128, every example padded to max_source 64 + max_target 128, gradient checkpointing,
 * 4-bit base). The memory figures (5.14 vs 5.78 GB) were both taken on a 4-bit base, so memory is predicted with
 * LoRA on NF4 too. ChatGLM's own int4 format is modelled as nf4 (both are 4-bit weights + per-block scales).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerLabError } from '../../errors.ts';
import { paths } from '../../paths.ts';
import { decompose, type Decomposition } from '../speedup/index.ts';
import { countStep, type StepCounts } from './count.ts';
import { DEVICES, predictStepTime, type Device } from './device.ts';
import { peakMemory } from './memory.ts';
import type { BatchStats, CostRecipe, ModelShape } from './shape.ts';

/** THUDM/chatglm2-6b config.json: num_layers 28, hidden_size 4096, ffn_hidden_size 13696, 32 heads, multi_query_group_num 2, padded_vocab_size 65024, untied output_layer. */
export const CHATGLM2_6B: ModelShape = { arch: 'llama', layers: 28, d: 4096, heads: 32, kvHeads: 2, ffn: 13696, vocab: 65024, tiedHead: false };

export const PUBLISHED = { samplesPerSecond: { lora: 21.67, ptuning: 5.81 }, ratio: 21.67 / 5.81, memoryGB: { lora: 5.14, ptuning: 5.78 } } as const;

export const BENCH = { batchSize: 4, cutoff: 1024, maxSource: 64, maxTarget: 128, loraRank: 32, preSeqLen: 128 } as const;

export const LORA_RECIPE: CostRecipe = { method: { method: 'lora', r: BENCH.loraRank, targets: ['q', 'k', 'v'] }, checkpoint: false, storage: 'fp16', compute: 'fp16' };
export const PTUNING_RECIPE: CostRecipe = { method: { method: 'ptuning-v2', prefix: BENCH.preSeqLen }, checkpoint: true, storage: 'nf4', compute: 'fp16' };

/**
 * Length statistics of a batch of `batchSize` examples drawn uniformly from `lengths`: mean real tokens and,
 * for pad-to-longest, the exact expected maximum, E[max] = Σ x₍ᵢ₎ · ((i/n)^b − ((i−1)/n)^b) over sorted lengths.
 */
export interface LengthStats { n: number; meanLength: number; expectedLongest: number; maxLength: number }
export function lengthStats(lengths: readonly number[], batchSize: number): LengthStats {
  if (lengths.length === 0) throw new LedgerLabError({ kind: 'data', problem: 'no lengths to summarize', where: 'lengthStats(lengths)' });
  const s = [...lengths].sort((a, b) => a - b);
  const n = s.length;
  const expectedLongest = s.reduce((a, x, i) => a + x * (((i + 1) / n) ** batchSize - (i / n) ** batchSize), 0);
  return { n, meanLength: s.reduce((a, b) => a + b, 0) / n, expectedLongest, maxLength: s[n - 1] };
}

/**
 * Sequence lengths of the shipped AdvertiseGen sample, in characters as a stand-in for ChatGLM2 tokens (no
 * ChatGLM tokenizer is shipped; its SentencePiece vocabulary averages roughly one token per Chinese character
 * on this text, so this is a proxy, not a count). Source truncated to 64 and target to 128 as ChatGLM's script
 * does; both recipes see the same examples so that the ratio compares recipes, not data.
 */
export function advertiseGenLengths(file = join(paths.datasets, 'advertisegen', 'dev-sample.jsonl')): number[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new LedgerLabError({ kind: 'io', problem: `cannot read the AdvertiseGen sample: ${(cause as Error).message}`, where: file, hint: 'set LEDGERLAB_DATASETS to the shared datasets folder', cause });
  }
  return text.split('\n').filter((l) => l.trim()).map((line, i) => {
    const row = JSON.parse(line) as { content?: unknown; summary?: unknown };
    if (typeof row.content !== 'string' || typeof row.summary !== 'string') throw new LedgerLabError({ kind: 'data', problem: 'a line needs string "content" and "summary"', where: `${file}:${i + 1}` });
    return Math.min([...row.content].length, BENCH.maxSource) + Math.min([...row.summary].length, BENCH.maxTarget);
  });
}

/** The batch one step sees under each padding rule (expected values: the step time is linear in them). */
export function benchBatches(stats: LengthStats): { longest: BatchStats; maxLength: BatchStats } {
  const real = Math.round(BENCH.batchSize * stats.meanLength);
  return {
    longest: { batchSize: BENCH.batchSize, realTokens: real, paddedLength: Math.ceil(stats.expectedLongest) },
    maxLength: { batchSize: BENCH.batchSize, realTokens: real, paddedLength: BENCH.maxSource + BENCH.maxTarget },
  };
}

export interface Interval { mid: number; lo: number; hi: number }
export interface Chatglm2Prediction {
  device: string;
  efficiency: { lo: number; hi: number };
  samplesPerSecond: { lora: Interval; ptuning: Interval };
  /** ratio lora / ptuning; lo/hi over the four corners of (compute efficiency, bandwidth efficiency), shared by both recipes. */
  ratio: Interval;
  memoryGB: { lora: number; ptuning: number };
  counts: { lora: StepCounts; ptuning: StepCounts };
  decomposition: Decomposition;
  published: typeof PUBLISHED;
}

function stepTime(c: StepCounts, d: Device, effFlop: number, effBw: number): number {
  return c.flops.total / (d.peakFlops[c.compute] * effFlop) + c.bytes.total / (d.bandwidth * effBw) + c.kernels * d.kernelOverhead + c.dequantValues * (d.secondsPerDequantValue ?? 0);
}

const FACTORS = ['method', 'padding', 'prefix', 'checkpoint', 'quant'] as const;

/** The recipe of one grid cell, as in speedup/factors.ts: switched factors take P-Tuning's level, the rest LoRA's; the prefix's fast level is 1. */
function cellOf(switched: ReadonlySet<string>, b: ReturnType<typeof benchBatches>): { recipe: CostRecipe; batch: BatchStats } {
  const method: CostRecipe['method'] = switched.has('method') ? { method: 'ptuning-v2', prefix: switched.has('prefix') ? BENCH.preSeqLen : 1 } : LORA_RECIPE.method;
  return {
    recipe: { method, checkpoint: switched.has('checkpoint'), storage: switched.has('quant') ? PTUNING_RECIPE.storage : LORA_RECIPE.storage, compute: 'fp16' },
    batch: switched.has('padding') ? b.maxLength : b.longest,
  };
}

/** Pure: the same lengths and device give the same prediction. Mid values at the middle of the efficiency range. */
export function predictChatglm2(lengths: readonly number[], device: Device = DEVICES['a100-80gb']): Chatglm2Prediction {
  const b = benchBatches(lengthStats(lengths, BENCH.batchSize));
  const lora = countStep(CHATGLM2_6B, LORA_RECIPE, b.longest);
  const ptuning = countStep(CHATGLM2_6B, PTUNING_RECIPE, b.maxLength);
  const { lo, hi } = device.efficiency;
  const mid = (lo + hi) / 2;
  const sps = (c: StepCounts): Interval => ({ mid: BENCH.batchSize / stepTime(c, device, mid, mid), lo: BENCH.batchSize / stepTime(c, device, lo, lo), hi: BENCH.batchSize / stepTime(c, device, hi, hi) });
  const corners = [[lo, lo], [lo, hi], [hi, lo], [hi, hi]].map(([f, w]) => stepTime(ptuning, device, f, w) / stepTime(lora, device, f, w));
  const speedOf = (s: ReadonlySet<string>) => {
    const cell = cellOf(s, b);
    return BENCH.batchSize / predictStepTime(countStep(CHATGLM2_6B, cell.recipe, cell.batch), device, mid);
  };
  const memBatch = { lora: b.longest, ptuning: b.maxLength };
  const gib = (x: number) => x / 2 ** 30;
  return {
    device: device.name,
    efficiency: { lo, hi },
    samplesPerSecond: { lora: sps(lora), ptuning: sps(ptuning) },
    ratio: { mid: stepTime(ptuning, device, mid, mid) / stepTime(lora, device, mid, mid), lo: Math.min(...corners), hi: Math.max(...corners) },
    memoryGB: {
      lora: gib(peakMemory(CHATGLM2_6B, { ...LORA_RECIPE, storage: 'nf4' }, memBatch.lora).total),
      ptuning: gib(peakMemory(CHATGLM2_6B, PTUNING_RECIPE, memBatch.ptuning).total),
    },
    counts: { lora, ptuning },
    decomposition: decompose(FACTORS, speedOf),
    published: PUBLISHED,
  };
}
