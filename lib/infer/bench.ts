/**
 * Generation speed of the same model on tfjs (current backend, key/value cache) and ONNX Runtime (key/value
 * cache), driven by the same loop (lib/infer/generate.ts) on the same prompts, greedy. Timed by the timing engine:
 * each round runs one whole generation (prefill + one call per new token) on each backend in a shuffled order;
 * tokens/s counts new tokens over all rows; the paired speed-up is the median of the per-round ratios.
 */
import { REFERENCE_CONFIG, type GptConfig, initWeights, Gpt } from '../model/index.ts';
import { summarize, timeArms, ratioOf, timingRecord, type Stat, type Interval, type TimingRecord } from '../measure/index.ts';
import { Rng } from '../util/index.ts';
import { LedgerLabError } from '../errors.ts';
import { generate, type CachedDecoder } from './generate.ts';
import { buildOnnxDecoder } from './onnx-export.ts';
import { OrtDecoder } from './ort.ts';
import { TfjsDecoder } from './tfjs-decoder.ts';
import { openModel } from './open-model.ts';
import { openCheckpointDecoder } from './checkpoint-decoder.ts';
import type { QuantDtype } from '../quant/index.ts';

export interface GenerateBenchOptions {
  config?: GptConfig;
  /** New tokens per row. */
  newTokens?: number;
  batch?: number;
  /** Prompt length (random tokens). */
  promptTokens?: number;
  repeats?: number;
  warmup?: number;
  /** ONNX Runtime intra-op threads. */
  ortThreads?: number;
  /** A Hugging Face checkpoint directory to generate with instead of the seeded reference model. */
  model?: string;
  /** Storage of the block linears (with `model`; default fp32). */
  quant?: QuantDtype;
  /** Which engines to time (default both; a model too large for the wasm heap needs onnxruntime alone). */
  engines?: ReadonlyArray<GenerateBenchRow['backend']>;
}

export interface GenerateBenchRow {
  backend: 'tfjs' | 'onnxruntime';
  /** Milliseconds per whole generation. */
  ms: Stat;
  /** New tokens per second (all rows), per repeat. */
  tokensPerSec: Stat;
}

export interface GenerateBenchResult {
  config: GptConfig;
  newTokens: number;
  batch: number;
  promptTokens: number;
  repeats: number;
  warmup: number;
  ortThreads: number;
  rows: GenerateBenchRow[];
  /** ONNX Runtime median tokens/s over tfjs' (NaN unless both ran). */
  speedup: number;
  /** ONNX Runtime over tfjs paired per round (both in the same round): median with a bootstrap 95% interval (both engines only). */
  speedupPaired?: Interval;
  /** The engine's record: rounds, wall/CPU basis, noise provenance. */
  timing: TimingRecord;
  /** Both backends produced the same greedy tokens (a correctness check riding along with the timing). */
  sameTokens: boolean;
}

/** The decoders to time, and the model's config: the seeded reference model, or a checkpoint directory. */
async function benchDecoders(o: GenerateBenchOptions, ortThreads: number): Promise<{ config: GptConfig; decoders: Array<[GenerateBenchRow['backend'], CachedDecoder]>; dispose(): void }> {
  const engines = o.engines ?? ['tfjs', 'onnxruntime'];
  const decoders: Array<[GenerateBenchRow['backend'], CachedDecoder]> = [];
  if (o.model) {
    const opened = engines.includes('tfjs') ? openModel(o.model, { quant: o.quant }) : undefined;
    if (opened) decoders.push(['tfjs', new TfjsDecoder(opened.model)]);
    const ort = engines.includes('onnxruntime') ? await openCheckpointDecoder(o.model, { quant: o.quant, threads: ortThreads }) : undefined;
    if (ort) decoders.push(['onnxruntime', ort.decoder]);
    return { config: opened?.model.config ?? ort!.config, decoders, dispose: () => opened?.model.dispose() };
  }
  const config = o.config ?? REFERENCE_CONFIG;
  const weights = initWeights(config, 'bench-generate');
  const model = Gpt.fromWeights(config, weights);
  if (engines.includes('tfjs')) decoders.push(['tfjs', new TfjsDecoder(model)]);
  if (engines.includes('onnxruntime')) decoders.push(['onnxruntime', await OrtDecoder.create(buildOnnxDecoder(config, weights), { intraOpThreads: ortThreads })]);
  return { config, decoders, dispose: () => model.dispose() };
}

/** @example const r = await benchGenerate({ newTokens: 32, batch: 1 }); r.speedup; */
export async function benchGenerate(o: GenerateBenchOptions = {}): Promise<GenerateBenchResult> {
  const newTokens = o.newTokens ?? 32;
  const batch = o.batch ?? 1;
  const promptTokens = o.promptTokens ?? 16;
  const repeats = o.repeats ?? 5;
  const warmup = o.warmup ?? 1;
  const ortThreads = o.ortThreads ?? 1;
  const built = await benchDecoders(o, ortThreads);
  const { config, decoders } = built;
  if (promptTokens + newTokens - 1 > config.context) {
    throw new LedgerLabError({ kind: 'usage', problem: `prompt ${promptTokens} + ${newTokens} new tokens exceeds the context ${config.context}`, where: 'bench generate', hint: 'lower --new or --prompt' });
  }
  const rng = new Rng('bench-generate-prompts');
  const prompts = Array.from({ length: batch }, () => Array.from({ length: promptTokens }, () => rng.int(config.vocab)));
  const outputs: string[] = decoders.map(() => '');
  let timed;
  try {
    const arms = decoders.map(([backend, dec], i) => ({
      name: backend,
      step: async () => void (outputs[i] = JSON.stringify((await generate(dec, prompts, { maxNew: newTokens })).tokens)),
    }));
    const both = decoders.length === 2;
    timed = await timeArms(arms, { seed: 'bench-generate', batches: 1, warmupRounds: warmup, minRounds: repeats, maxRounds: repeats, target: -1, threads: ortThreads, ratios: both ? [ratioOf('onnxruntime', 'tfjs', 'speedup')] : [] });
  } finally {
    for (const [, dec] of decoders) await dec.dispose();
    built.dispose();
  }
  const rows: GenerateBenchRow[] = timed.arms.map((a) => ({ backend: a.name as GenerateBenchRow['backend'], ms: summarize(a.wallMs), tokensPerSec: summarize(a.wallMs.map((t) => (batch * newTokens) / (t / 1000))) }));
  return {
    config, newTokens, batch, promptTokens, repeats, warmup, ortThreads, rows,
    speedup: rows.length === 2 ? rows[1].tokensPerSec.median / rows[0].tokensPerSec.median : NaN,
    ...(timed.ratios.speedup ? { speedupPaired: timed.ratios.speedup.wall } : {}),
    timing: timingRecord(timed),
    sameTokens: outputs.length === 2 && outputs[0] === outputs[1],
  };
}
