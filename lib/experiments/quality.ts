/**
 * One quality run, shared by the speedup and qlora kinds: build the method on the shared base, train it
 * `trainSteps` AdamW steps (linear warm-up over the first tenth, at most 10 steps), time the run, generate on
 * the held-out prompts, score them with the Chinese metric (plus distinct-1/2 and repetition) and write the
 * predictions as an artefact.
 */
import { trainConfig, type TrainConfig, trainLoop, evaluate, predictionsJsonl } from '../train/index.ts';
import { evalDecoder } from '../infer/index.ts';
import { zhScoresMulti, ZH_KEYS, diversityScores } from '../metrics/index.ts';
import { buildModel, type MethodSpec, memoryBreakdown } from '../peft/index.ts';
import type { QuantDtype } from '../quant/index.ts';
import type { Weights, GptConfig } from '../model/index.ts';
import type { Task } from './task.ts';
import type { Run } from '../results/index.ts';

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
    const dec = s.exportedDecoder ? await evalDecoder(m) : undefined;
    const ev = await evaluate({
      decoder: dec?.decoder, model: m, tokenizer: task.tokenizer, examples: task.evalExamples, limits: task.limits, maxNew: s.eval.maxNew, maxExamples: s.eval.count, strategy: 'greedy', noRepeatNgram: s.eval.noRepeatNgram, batchSize: 16,
      progress: { label: `generate ${s.label}`, quiet: !verbose },
    }).finally(() => dec?.dispose());
    const items = ev.predictions.map((p) => ({ id: p.id, prediction: p.prediction, references: p.references, ...zhScoresMulti(p.prediction, p.references) }));
    run.writeArtifact(`predictions-${s.label}`, `predictions-${s.label}.jsonl`, predictionsJsonl(items as never));
    const scores = {
      ...Object.fromEntries(ZH_KEYS.map((k) => [k, items.reduce((a, it) => a + it[k], 0) / Math.max(1, items.length)])),
      ...diversityScores(items.map((it) => it.prediction), 'zh'),
    };
    return {
      scores, evalLoss: ev.loss, perplexity: ev.perplexity, finalLoss: r.lastLoss, seconds,
      samplesPerS: measured ? ((perStep - 1) * s.batchSize) / timed : NaN,
      tokensPerS: measured ? (r.tokens.real * (perStep - 1)) / perStep / timed : NaN,
      trainableParams: m.trainableParams(), stateBytes: memoryBreakdown(m, 'adamw').stateBytes,
      generation: dec?.engine ?? 'tfjs',
    };
  } finally {
    m.dispose();
  }
}
