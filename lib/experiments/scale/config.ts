/**
 * The scale experiment's config: the task (as the speedup kind), a ladder of Llama/ChatGLM2-shaped rungs,
 * the two published recipes' learning rates (their other settings are scaled per rung in ./ladder.ts), how the
 * step times are measured (the timing engine's paired rounds), and which rungs get quality runs.
 * Unknown keys are errors, as everywhere (lib/config).
 */
import { s, type Infer } from '../../config/index.ts';
import { LedgerLabError } from '../../errors.ts';
import { DataSchema } from '../task.ts';
import { TaskPretrainSchema, QualityEvalSchema } from '../base.ts';

export const RungSchema = s.object({
  name: s.string().optional().describe("the rung's name in the summary; default 'r0', 'r1', … in ladder order"),
  layers: s.int({ min: 1 }).describe('transformer blocks'),
  d: s.int({ min: 8 }).describe('hidden width'),
  heads: s.int({ min: 1 }).optional().describe('attention heads; default d / 32 (head width 32) and at least 2'),
  kvHeads: s.int({ min: 1 }).default(2).describe("key/value heads (ChatGLM2's 2 multi-query groups)"),
  ffn: s.int({ min: 1 }).optional().describe("SwiGLU width; default ChatGLM2's 13696/4096 · d rounded to a multiple of 8"),
});
export type RungConfig = Infer<typeof RungSchema>;

export const MeasurementSchema = s.object({
  batches: s.int({ min: 1 }).default(2).describe('K: the fixed batches one cell trains on per round (the same K every round); step time = round time / K'),
  warmupRounds: s.int({ min: 0 }).default(1).describe('rounds run first and not recorded (kernel compilation, heap growth)'),
  roundsMin: s.int({ min: 2 }).default(5).describe('recorded rounds at least'),
  roundsMax: s.int({ min: 2 }).default(15).describe('recorded rounds at most'),
  target: s.number({ exclusiveMin: 0 }).default(0.025).describe("stop once every rung's fast/slow ratio has a 95% interval within ± this (relative half-width; paired per round, bootstrap)"),
  timeCapS: s.number({ exclusiveMin: 0 }).default(900).describe('seconds of recorded rounds per timed group after which timing stops even if the target is not met'),
  maxForeignCores: s.number({ min: 0 }).default(0.1).describe("a round is noisy (and re-run) when other processes' load exceeds this many cores"),
  maxSteal: s.number({ min: 0, max: 1 }).default(0.02).describe('a round is noisy (and re-run) when steal time exceeds this share'),
  maxReruns: s.int({ min: 0 }).default(2).describe('re-runs of a noisy round before it is kept as noisy'),
  interleave: s.enum(['ladder', 'rung'] as const).default('ladder').describe("'ladder': one round times every cell of every rung; 'rung': rounds run rung by rung"),
  bootstrap: s.int({ min: 0 }).default(400).describe('bootstrap resamples of the rounds for the ratio and Shapley intervals (paired: the same rounds for every cell); 0 = no intervals'),
  busy: s.enum(['warn', 'refuse'] as const).default('warn').describe('when the timed core is busy with another process before timing: warn loudly, or refuse to time'),
  busyThreshold: s.number({ min: 0, max: 1 }).default(0.25).describe("the timed core's busy fraction (from /proc/stat, over 1 s before timing) above which it counts as shared"),
});
export type MeasurementConfig = Infer<typeof MeasurementSchema>;

/**
 * The task kinds' pretraining with 'text' as the default data: the bases this kind was measured with
 * (docs/measurements/2026-12-01-scale-quick.md); 'pairs' (the other task kinds' default) is there to choose.
 */
const ScalePretrainSchema = s.object({
  ...TaskPretrainSchema.shape,
  data: s.enum(['pairs', 'text'] as const).default('text').describe(TaskPretrainSchema.shape.data.doc ?? ''),
});

export const ScaleSchema = s.object({
  data: DataSchema.default(DataSchema.parse({})),
  rungs: s.array(RungSchema, { min: 2 }).describe('the ladder, smallest first; the largest is held out of the cost-model fit'),
  batchSize: s.int({ min: 1 }).default(4).describe('per-step batch of both recipes (the claim: 4)'),
  lr: s.object({
    fast: s.number({ exclusiveMin: 0 }).default(5e-3).describe('LoRA learning rate (LLaMA-Factory 5e-4, ×10 for the small models)'),
    slow: s.number({ exclusiveMin: 0 }).default(2e-2).describe("P-Tuning v2 learning rate (ChatGLM's script: 2e-2)"),
  }).default({ fast: 5e-3, slow: 2e-2 }),
  measurement: MeasurementSchema.default(MeasurementSchema.parse({})),
  pretrain: ScalePretrainSchema.default(ScalePretrainSchema.parse({})).describe('pretraining of the bases the quality runs start from'),
  quality: s.object({
    rungs: s.array(s.string()).default([]).describe('rung names that get quality runs (fast and slow recipe); [] = none'),
    trainSteps: s.int({ min: 1 }).default(200).describe('optimizer steps of each quality run'),
    eval: QualityEvalSchema.default(QualityEvalSchema.parse({ count: 32, maxNew: 64 })),
  }).default({ rungs: [], trainSteps: 200, eval: QualityEvalSchema.parse({ count: 32, maxNew: 64 }) }),
});
export type ScaleConfig = Infer<typeof ScaleSchema>;

/** What the schema cannot say: rung names unique, quality rungs exist, roundsMin ≤ roundsMax. */
export function checkScaleConfig(c: ScaleConfig, names: readonly string[]): void {
  const bad = (problem: string, where: string, hint?: string) => new LedgerLabError({ kind: 'config', problem, where, ...(hint ? { hint } : {}) });
  const seen = new Set<string>();
  names.forEach((n, i) => {
    if (seen.has(n)) throw bad(`rung name "${n}" is used twice`, `rungs[${i}].name`);
    seen.add(n);
  });
  c.quality.rungs.forEach((n, i) => {
    if (!seen.has(n)) throw bad(`no rung is named "${n}"`, `quality.rungs[${i}]`, `rungs: ${names.join(', ')}`);
  });
  if (c.measurement.roundsMin > c.measurement.roundsMax) throw bad(`roundsMin ${c.measurement.roundsMin} > roundsMax ${c.measurement.roundsMax}`, 'measurement.roundsMin');
}
