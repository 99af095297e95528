/**
 * The qlora experiment's config: one task and one pretrained base (shared with the speedup experiment, so the
 * base cache is reused when data and pretraining match), LoRA adapters trained on that base stored in each
 * dtype, how steps are timed, the scaling ladder, and the equivalence margin δ of the quality-parity test.
 *
 * δ is in metric points (scores are ×100). Equivalence means the whole 95% paired-bootstrap interval of
 * (QLoRA − fp16 LoRA) lies inside [−δ, +δ]; an interval that straddles a bound is "not shown equivalent",
 * which at small eval sizes is the honest outcome, not a failure of the method.
 */
import { s, type Infer } from '../../config/index.ts';
import { CHATGLM2_TINY } from '../../model/index.ts';
import { modelSpecSchema, TaskPretrainSchema, QualityEvalSchema } from '../base.ts';
import { MethodSchema } from '../../peft/index.ts';
import { QUANT_DTYPES } from '../../quant/index.ts';
import { ZH_KEYS } from '../../metrics/index.ts';
import { DataSchema } from '../task.ts';

/** LoRA as the speedup experiment's fast recipe (LLaMA-Factory style), so both experiments train the same adapters. */
export const DEFAULT_LORA = MethodSchema.parse({ method: 'lora', r: 8, alpha: 16, targets: ['q', 'k', 'v'] });

export const LadderRungSchema = s.object({
  layers: s.int({ min: 1 }),
  dModel: s.int({ min: 8 }),
  heads: s.int({ min: 1 }),
});
export type LadderRung = Infer<typeof LadderRungSchema>;

/** Tiny → small configs that fit this machine (2 shared cores): d 64 … 256, 1 … 4 layers. */
export const DEFAULT_LADDER: LadderRung[] = [
  { layers: 1, dModel: 64, heads: 2 },
  { layers: 2, dModel: 128, heads: 4 },
  { layers: 4, dModel: 192, heads: 4 },
  { layers: 4, dModel: 256, heads: 4 },
];

export const ScalingSchema = s.object({
  ladder: s.array(LadderRungSchema).default(DEFAULT_LADDER).describe('model sizes measured; empty skips the scaling view'),
  dtypes: s.array(s.enum(QUANT_DTYPES), { min: 1 }).default(['fp32', 'fp16', 'nf4-dq']).describe('storage formats measured on every rung'),
  batch: s.int({ min: 1 }).default(4),
  seqLen: s.int({ min: 2 }).default(64),
  vocab: s.int({ min: 16 }).default(2000),
  warmup: s.int({ min: 0 }).default(1),
  repeats: s.int({ min: 1 }).default(3),
});
export type ScalingConfig = Infer<typeof ScalingSchema>;

export const QloraSchema = s.object({
  data: DataSchema.default(DataSchema.parse({})),
  model: modelSpecSchema(CHATGLM2_TINY),
  pretrain: TaskPretrainSchema.default(TaskPretrainSchema.parse({})),
  dtypes: s.array(s.enum(QUANT_DTYPES), { min: 1 }).default([...QUANT_DTYPES]).describe('storage of the frozen block linears, one arm each'),
  method: MethodSchema.default(DEFAULT_LORA).describe("the adapters (must be 'lora'; QLoRA = LoRA on an nf4-dq base)"),
  lr: s.number({ exclusiveMin: 0 }).default(5e-3),
  batchSize: s.int({ min: 1 }).default(4),
  padding: s.enum(['longest', 'max_length'] as const).default('longest'),
  trainSteps: s.int({ min: 0 }).default(120).describe('optimizer steps of each quality run; 0 skips the quality runs'),
  quality: s.array(s.enum(QUANT_DTYPES)).optional().describe('dtypes trained and scored (default: all of dtypes)'),
  timing: s.object({
    warmup: s.int({ min: 0 }).default(1),
    steps: s.int({ min: 1 }).default(5).describe('timed steps per dtype on one fixed batch'),
  }).default({ warmup: 1, steps: 5 }),
  eval: QualityEvalSchema.default(QualityEvalSchema.parse({})),
  parity: s.object({
    a: s.enum(QUANT_DTYPES).default('nf4-dq').describe('the QLoRA arm'),
    b: s.enum(QUANT_DTYPES).default('fp16').describe('the 16-bit LoRA arm'),
    metric: s.enum(ZH_KEYS).default('rouge-l'),
    delta: s.number({ exclusiveMin: 0 }).default(2).describe('equivalence margin δ in metric points (×100)'),
  }).default({ a: 'nf4-dq', b: 'fp16', metric: 'rouge-l', delta: 2 }),
  scaling: ScalingSchema.default(ScalingSchema.parse({})),
});
export type QloraConfig = Infer<typeof QloraSchema>;
