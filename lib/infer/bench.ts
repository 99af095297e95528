/**
 * Generation speed of the same model on tfjs (current backend, key/value cache) and ONNX Runtime (key/value
 * cache), driven by the same loop (lib/infer/generate.ts) on the same prompts, greedy. Timed by the timing engine:
 * each round runs one whole generation (prefill + one call per new token) on each backend in a shuffled order;
 * tokens/s counts new tokens over all rows; the paired speed-up is the median of the per-round ratios.
 */
import { REFERENCE_CONFIG, type GptConfig } from '../model/index.ts';
import { initWeights } from '../model/index.ts';
import { Gpt } from '../model/index.ts';
import { summarize, timeArms, ratioOf, timingRecord, type Stat, type Interval, type TimingRecord } from '../measure/index.ts';
import { Rng } from '../util/index.ts';
import { LedgerLabError } from '../errors.ts';
import { generate, type CachedDecoder } from './generate.ts';
import { buildOnnxDecoder } from './onnx-export.ts';
import { OrtDecoder } from './ort.ts';
import { TfjsDecoder } from './tfjs-decoder.ts';

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
  /** ONNX Runtime median tokens/s over tfjs'. */
  speedup: number;
  /** ONNX Runtime over tfjs paired per round (both in the same round): median with a bootstrap 95% interval. */
  speedupPaired: Interval;
  /** The engine's record: rounds, wall/CPU basis, noise provenance. */
  timing: TimingRecord;
  /** Both backends produced the same greedy tokens (a correctness check riding along with the timing). */
  sameTokens: boolean;
}

/** @example const r = await benchGenerate({ newTokens: 32, batch: 1 }); r.speedup; */
export async function benchGenerate(o: GenerateBenchOptions = {}): Promise<GenerateBenchResult> {
  const config = o.config ?? REFERENCE_CONFIG;
  const newTokens = o.newTokens ?? 32;
  const batch = o.batch ?? 1;
  const promptTokens = o.promptTokens ?? 16;
  const repeats = o.repeats ?? 5;
  const warmup = o.warmup ?? 1;
  const ortThreads = o.ortThreads ?? 1;
  if (promptTokens + newTokens - 1 > config.context) {
    throw new LedgerLabError({ kind: 'usage', problem: `prompt ${promptTokens} + ${newTokens} new tokens exceeds the context ${config.context}`, where: 'bench generate', hint: 'lower --new or --prompt' });
  }
  const weights = initWeights(config, 'bench-generate');
  const model = Gpt.fromWeights(config, weights);
  const rng = new Rng('bench-generate-prompts');
  const prompts = Array.from({ length: batch }, () => Array.from({ length: promptTokens }, () => rng.int(config.vocab)));
  const decoders: Array<[GenerateBenchRow['backend'], CachedDecoder]> = [
    ['tfjs', new TfjsDecoder(model)],
    ['onnxruntime', await OrtDecoder.create(buildOnnxDecoder(config, weights), { intraOpThreads: ortThreads })],
  ];
  const outputs: string[] = decoders.map(() => '');
  let timed;
  try {
    const arms = decoders.map(([backend, dec], i) => ({
      name: backend,
      step: async () => void (outputs[i] = JSON.stringify((await generate(dec, prompts, { maxNew: newTokens })).tokens)),
    }));
    timed = await timeArms(arms, { seed: 'bench-generate', batches: 1, warmupRounds: warmup, minRounds: repeats, maxRounds: repeats, target: -1, threads: ortThreads, ratios: [ratioOf('onnxruntime', 'tfjs', 'speedup')] });
  } finally {
    for (const [, dec] of decoders) await dec.dispose();
    model.dispose();
  }
  const rows: GenerateBenchRow[] = timed.arms.map((a) => ({ backend: a.name as GenerateBenchRow['backend'], ms: summarize(a.wallMs), tokensPerSec: summarize(a.wallMs.map((t) => (batch * newTokens) / (t / 1000))) }));
  return {
    config, newTokens, batch, promptTokens, repeats, warmup, ortThreads, rows,
    speedup: rows[1].tokensPerSec.median / rows[0].tokensPerSec.median,
    speedupPaired: timed.ratios.speedup!.wall,
    timing: timingRecord(timed),
    sameTokens: outputs[0] === outputs[1],
  };
}
