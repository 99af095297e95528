/**
 * Evaluation on a split: generate a prediction for every example (greedy by default), keep them per example
 * (id, source, prediction, references) for inspection, compute the teacher-forced loss and perplexity of the
 * references, and score predictions with a pluggable scorer (`zhRougeScorer` for AdvertiseGen: the
 * ChatGLM/LLaMA-Factory Chinese ROUGE/BLEU from lib/metrics).
 *
 * @example
 * const ev = await evaluate({ model, tokenizer: tok, examples: evalSplit, limits: { maxSource: 64, maxTarget: 128 }, score: zhRougeScorer });
 * ev.scores;          // { 'rouge-1': …, 'rouge-2': …, 'rouge-l': …, 'bleu-4': … }
 * ev.predictions[0];  // { id, source, prediction, references }
 */
import type { Gpt } from '../model/index.ts';
import { type Example, type Tokenizer, encodeExamples, type LengthLimits, type PaddingStrategy } from '../data/index.ts';
import { ZH_KEYS, zhScoresMulti } from '../metrics/index.ts';
import { generateBatched, type CachedDecoder, TfjsDecoder } from '../infer/index.ts';
import { Progress } from '../measure/index.ts';
import { evalLoss } from './eval-loss.ts';

export interface EvalPrediction {
  id: string;
  source: string;
  prediction: string;
  references: string[];
}

/** Corpus-level scores from predictions and their references (e.g. mean ROUGE ×100). */
export type Scorer = (predictions: string[], references: string[][]) => Record<string, number>;

export interface EvaluateOptions {
  model: Gpt;
  tokenizer: Tokenizer;
  examples: readonly Example[];
  limits: LengthLimits;
  /** New tokens per example; default limits.maxTarget (the longest target the model was trained on). */
  maxNew?: number;
  /** 'greedy' (default) or 'sample' (temperature, topK, seed). */
  strategy?: 'greedy' | 'sample';
  temperature?: number;
  topK?: number;
  /** Ban repeating an n-gram of this size within a generation (lib/infer `noRepeatNgram`; 0 = off). */
  noRepeatNgram?: number;
  seed?: number | string;
  batchSize?: number;
  padding?: PaddingStrategy;
  /** Only the first N examples (0 or undefined: all). */
  maxExamples?: number;
  score?: Scorer;
  /**
   * Generate through this cached decoder (e.g. lib/infer's `OrtDecoder` on an ONNX export of the same model)
   * instead of the tfjs model; greedy output is the same token for token (tested).
   */
  decoder?: CachedDecoder;
  /** Show generation progress (examples done / total) under this label; default none. */
  progress?: { label: string; quiet?: boolean };
}

export interface EvaluateResult {
  predictions: EvalPrediction[];
  /** Teacher-forced mean loss over reference target tokens, and exp(loss). */
  loss: number;
  perplexity: number;
  scores?: Record<string, number>;
  /** Wall-clock seconds spent generating, and new tokens generated. */
  generation: { seconds: number; newTokens: number };
}

/**
 * Chinese ROUGE-1/2/L and BLEU-4 (×100), the mean over examples of lib/metrics' `zhScoresMulti` — how
 * ChatGLM's P-Tuning and LLaMA-Factory report AdvertiseGen.
 */
export const zhRougeScorer: Scorer = (predictions, references) => {
  const sums: Record<string, number> = Object.fromEntries(ZH_KEYS.map((k) => [k, 0]));
  predictions.forEach((p, i) => {
    const s = zhScoresMulti(p, references[i]);
    for (const k of ZH_KEYS) sums[k] += s[k];
  });
  const n = Math.max(1, predictions.length);
  return Object.fromEntries(ZH_KEYS.map((k) => [k, sums[k] / n]));
};

export async function evaluate(o: EvaluateOptions): Promise<EvaluateResult> {
  const examples = o.maxExamples ? o.examples.slice(0, o.maxExamples) : o.examples;
  const encoded = encodeExamples(o.tokenizer, examples, o.limits);
  const bs = o.batchSize ?? 8;
  const maxNew = o.maxNew ?? o.limits.maxTarget;
  const eos = o.tokenizer.special.eos;
  const t0 = performance.now();
  const prompts = encoded.map((e) => e.prompt);
  const decoder = o.decoder ?? new TfjsDecoder(o.model);
  const bar = o.progress ? new Progress({ total: prompts.length, label: o.progress.label, quiet: o.progress.quiet }) : undefined;
  const generated = await generateBatched(decoder, prompts, {
    maxNew, eos, temperature: o.strategy === 'sample' ? (o.temperature ?? 1) : 0, topK: o.topK, noRepeatNgram: o.noRepeatNgram, seed: o.seed, batchSize: bs,
    onProgress: bar && ((done) => bar.update(done, { 'ex/s': done / Math.max((performance.now() - t0) / 1000, 1e-9) })),
  }).finally(() => { if (!o.decoder) decoder.dispose(); bar?.done(); });
  const seconds = (performance.now() - t0) / 1000;
  const predictions = examples.map((ex, i) => ({ id: ex.id, source: ex.source, prediction: o.tokenizer.decode(generated[i], { skipSpecial: true }), references: ex.references }));
  const l = await evalLoss(o.model, encoded, { batchSize: bs, padding: o.padding ?? 'longest', maxSource: o.limits.maxSource, maxTarget: o.limits.maxTarget, padId: o.tokenizer.special.pad });
  return {
    predictions,
    loss: l.loss,
    perplexity: l.perplexity,
    scores: o.score ? o.score(predictions.map((p) => p.prediction), predictions.map((p) => p.references)) : undefined,
    generation: { seconds, newTokens: generated.reduce((a, g) => a + g.length, 0) },
  };
}

/** Predictions as JSON lines (the per-example artefact a run saves for inspection). */
export function predictionsJsonl(predictions: readonly EvalPrediction[]): string {
  return predictions.map((p) => JSON.stringify(p)).join('\n') + (predictions.length ? '\n' : '');
}
