/**
 * The speedup experiment's config: two training recipes (the fast one the claim credits, LoRA as
 * LLaMA-Factory runs it, and the slow one, P-Tuning v2 as ChatGLM's script runs it), how to pretrain the
 * shared tiny base, how long to train for quality, and how many steps to time in each factorial cell.
 *
 * Scaling to the tiny model: ChatGLM's P-Tuning used pre_seq_len 128 with max_source 64 + max_target 128
 * tokens (ChatGLM-6B's context: 1024 cutoff in LLaMA-Factory's benchmark); we keep source 64 + target 128 and
 * scale the prefix by the same 1/8 of the 1024 cutoff it had, 128 × 192/1024 = 24.
 */
import { s, alias, type Infer } from '../../config/index.ts';
import { CHATGLM2_TINY } from '../../model/index.ts';
import { modelSpecSchema, TaskPretrainSchema, QualityEvalSchema } from '../base.ts';
import { MethodSchema } from '../../peft/index.ts';
import { QUANT_DTYPES, QUANT_ALIASES } from '../../quant/index.ts';
import { DataSchema } from '../task.ts';
import { TimingSchema, DEFAULT_TIMING } from '../timing-config.ts';

export const RecipeSchema = s.object({
  method: MethodSchema.describe('the PEFT method and its settings'),
  padding: s.enum(['longest', 'max_length'] as const).describe("'longest' = LLaMA-Factory's collator, 'max_length' = ChatGLM's P-Tuning script"),
  checkpoint: s.boolean().default(false).describe('gradient checkpointing (ChatGLM P-Tuning: always on)'),
  quant: s.enum(QUANT_DTYPES).default('fp32').describe('storage of the frozen block linears'),
  lr: s.number({ exclusiveMin: 0 }).describe("the recipe's learning rate (ChatGLM P-Tuning 2e-2; LoRA 5e-4 ×10 for the tiny model)"),
}, { aliases: [...QUANT_ALIASES, alias('learning_rate', 'lr', 'Hugging Face Trainer')] });
export type Recipe = Infer<typeof RecipeSchema>;

export const DEFAULT_FAST: Recipe = RecipeSchema.parse({
  method: { method: 'lora', r: 8, alpha: 16, targets: ['q', 'k', 'v'] }, padding: 'longest', checkpoint: false, quant: 'fp32', lr: 5e-3,
});
export const DEFAULT_SLOW: Recipe = RecipeSchema.parse({
  method: { method: 'ptuning-v2', prefixLength: 24 }, padding: 'max_length', checkpoint: true, quant: 'nf4', lr: 2e-2,
});


export const SpeedupSchema = s.object({
  data: DataSchema.default(DataSchema.parse({})),
  model: modelSpecSchema(CHATGLM2_TINY),
  pretrain: TaskPretrainSchema.default(TaskPretrainSchema.parse({})),
  fast: RecipeSchema.default(DEFAULT_FAST).describe('the recipe credited with the speed-up (LoRA, LLaMA-Factory style)'),
  slow: RecipeSchema.default(DEFAULT_SLOW).describe('the baseline recipe (P-Tuning v2, ChatGLM style)'),
  batchSize: s.int({ min: 1 }).default(4).describe('per-step batch of both recipes (the claim: 4)'),
  trainSteps: s.int({ min: 0 }).default(120).describe('optimizer steps of each quality run; 0 skips the quality runs'),
  quality: s.array(s.enum(['fast', 'slow', 'slow-matched'] as const)).default(['fast', 'slow', 'slow-matched'])
    .describe("recipes trained and scored: 'slow-matched' is the slow method with the fast recipe's padding, checkpointing and precision"),
  factorial: s.object({
    warmup: s.int({ min: 0 }).default(1).describe('untimed warm-up rounds before each timed section'),
    steps: s.int({ min: 0 }).default(4).describe('batches per round: every cell trains one step on each of these same batches per round; 0 skips the decomposition'),
    rotate: s.int({ min: 1 }).default(1).describe("rounds per cycle: the seed's steps × rotate fixed batches are taken `steps` per round in turn, so the ratio rests on all of them at one round's cost; rounds stop only after whole cycles"),
  }).default({ warmup: 1, steps: 4, rotate: 1 }),
  timing: TimingSchema.default(DEFAULT_TIMING).describe('the timing engine: rounds, stop target, time cap per timed section, basis, threads, quiet-machine guard'),
  eval: QualityEvalSchema.default(QualityEvalSchema.parse({})),
});
export type SpeedupConfig = Infer<typeof SpeedupSchema>;
