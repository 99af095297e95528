/**
 * The quality path every kind that trains and judges a model shares:
 *   - `scorePredictions`: predictions scored as the task's language asks (Chinese as ChatGLM/LLaMA-Factory do:
 *     jieba + rouge_chinese and BLEU-4; English with rouge_score + nltk BLEU), plus distinct-1/2 and repetition;
 *   - `generateAndScore`: generation on the held-out prompts (ONNX Runtime when asked and the method exports),
 *     scored, with the predictions artefact written (the finetune kind, and `trainAndScore`);
 *   - `trainAndScore`: one quality run of the speedup and qlora kinds: build the method on the shared base, train
 *     it `trainSteps` AdamW steps (linear warm-up over the first tenth, at most 10 steps), time the run, then
 *     `generateAndScore`.
 * The drift kind scores each cycle's items with `scorePredictions` too.
 */
import { trainConfig, trainLoop, evaluate, predictionsJsonl, type TrainConfig, type EvalPrediction } from '../train/index.ts';
import { evalDecoder } from '../infer/index.ts';
import { memLog } from '../runtime/index.ts';
import { zhScoresMulti, ZH_KEYS, diversityScores, rougeScoresMulti, bleu4En } from '../metrics/index.ts';
import { buildModel, memoryBreakdown, type MethodSpec } from '../peft/index.ts';
import type { QuantDtype } from '../quant/index.ts';
import type { Gpt, Weights, GptConfig } from '../model/index.ts';
import type { Task } from './task.ts';
import type { Run } from '../results/index.ts';

/** The English scores' keys (percent, like the Chinese ones). */
export const EN_KEYS = ['rouge1', 'rouge2', 'rougeL', 'bleu4'] as const;

function enScores(references: string[], prediction: string): Record<(typeof EN_KEYS)[number], number> {
  const r = rougeScoresMulti(references, prediction);
  return { rouge1: r.rouge1.fmeasure * 100, rouge2: r.rouge2.fmeasure * 100, rougeL: r.rougeL.fmeasure * 100, bleu4: bleu4En(references, prediction) * 100 };
}

/** Each prediction with its scores, and the means over them plus the diversity scores of all predictions. */
export function scorePredictions<P extends { prediction: string; references: string[] }>(predictions: readonly P[], lang: string): { items: (P & Record<string, number>)[]; scores: Record<string, number> } {
  const zh = lang !== 'en';
  const items = predictions.map((p) => ({ ...p, ...(zh ? zhScoresMulti(p.prediction, p.references) : enScores(p.references, p.prediction)) })) as (P & Record<string, number>)[];
  const keys: readonly string[] = zh ? ZH_KEYS : EN_KEYS;
  const scores = {
    ...Object.fromEntries(keys.map((k) => [k, items.reduce((a, it) => a + (it[k] ?? 0), 0) / Math.max(1, items.length)])),
    ...diversityScores(items.map((it) => it.prediction), zh ? 'zh' : 'en'),
  };
  return { items, scores };
}

export interface GenerateAndScoreSpec {
  /** The predictions artefact: `<artefact>.jsonl`. */
  artefact: string;
  eval: { maxNew: number; count: number; noRepeatNgram?: number };
  exportedDecoder: boolean;
  /** The progress line's label. */
  label: string;
}

export interface ScoredEval { scores: Record<string, number>; evalLoss: number; perplexity: number; generation: string }

/** Greedy generation on the task's held-out prompts, scored in the task's language; writes the predictions artefact. */
export async function generateAndScore(m: Gpt, task: Task, s: GenerateAndScoreSpec, run: Run, verbose: boolean): Promise<ScoredEval> {
  const dec = s.exportedDecoder ? await evalDecoder(m) : undefined;
  memLog(`eval decoder (${dec?.engine ?? 'tfjs'})`);
  const ev = await evaluate({
    decoder: dec?.decoder, model: m, tokenizer: task.tokenizer, examples: task.evalExamples, limits: task.limits, maxNew: s.eval.maxNew, maxExamples: s.eval.count, strategy: 'greedy', noRepeatNgram: s.eval.noRepeatNgram, batchSize: 16,
    progress: { label: s.label, quiet: !verbose },
  }).finally(() => dec?.dispose());
  const { items, scores } = scorePredictions(ev.predictions, task.manifest.lang);
  run.writeArtifact(s.artefact, `${s.artefact}.jsonl`, predictionsJsonl(items as EvalPrediction[]));
  return { scores, evalLoss: ev.loss, perplexity: ev.perplexity, generation: dec?.engine ?? 'tfjs' };
}

export interface QualitySpec {
  /** Names the metrics phase (`quality:<label>`) and the artefact (`predictions-<label>.jsonl`). */
  label: string;
  method: MethodSpec;
  quant: QuantDtype;
  lr: number;
  padding: TrainConfig['padding'];
  checkpoint?: boolean;
  trainSteps: number;
  batchSize: number;
  eval: { maxNew: number; count: number; noRepeatNgram?: number };
  /**
   * Generate with the exported decoder (ONNX Runtime when the method exports) instead of the tfjs model.
   * The qlora kind keeps tfjs: an export dequantizes the base, and the quantized model is what is judged.
   */
  exportedDecoder: boolean;
}

export interface QualityOutcome {
  scores: Record<string, number>;
  evalLoss: number;
  perplexity: number;
  finalLoss: number;
  seconds: number;
  /** Over the whole training run minus its first step (kernel compilation, heap growth); NaN under 2 steps. */
  samplesPerS: number;
  tokensPerS: number;
  trainableParams: number;
  stateBytes: number;
  /** What generated the eval predictions. */
  generation: string;
}

export async function trainAndScore(s: QualitySpec, model: GptConfig, base: Weights, task: Task, seed: number, run: Run, verbose: boolean): Promise<QualityOutcome> {
  const m = await buildModel(model, base, s.method, s.quant, seed);
  try {
    const tc = trainConfig({
      steps: s.trainSteps, batchSize: s.batchSize, lr: s.lr, warmupSteps: Math.min(10, Math.floor(s.trainSteps / 10)), schedule: 'linear',
      padding: s.padding, checkpoint: s.checkpoint ?? false, maxSource: task.limits.maxSource, maxTarget: task.limits.maxTarget, logEvery: 10,
    });
    const t0 = performance.now();
    const r = await trainLoop({
      model: m, config: tc, train: task.train, padId: task.tokenizer.special.pad, seed, quiet: !verbose, label: `train ${s.label}`,
      onLog: (line) => run.logMetrics({ phase: `quality:${s.label}`, ...line }),
    });
    const seconds = (performance.now() - t0) / 1000;
    const timed = r.stepMs.slice(1).reduce((a, b) => a + b, 0) / 1000;
    const perStep = r.stepMs.length;
    const measured = perStep > 1 && timed > 0;
    const ev = await generateAndScore(m, task, { artefact: `predictions-${s.label}`, eval: s.eval, exportedDecoder: s.exportedDecoder, label: `generate ${s.label}` }, run, verbose);
    return {
      scores: ev.scores, evalLoss: ev.evalLoss, perplexity: ev.perplexity, finalLoss: r.lastLoss, seconds,
      samplesPerS: measured ? ((perStep - 1) * s.batchSize) / timed : NaN,
      tokensPerS: measured ? (r.tokens.real * (perStep - 1)) / perStep / timed : NaN,
      trainableParams: m.trainableParams(), stateBytes: memoryBreakdown(m, 'adamw').stateBytes,
      generation: ev.generation,
    };
  } finally {
    m.dispose();
  }
}
