/**
 * The drift experiment's config: one scenario (sweep `scenario.name` for several), the adaptation methods
 * that follow it (LoRA, QLoRA = LoRA on an nf4 double-quantized base, P-Tuning v2), how many cycles, how
 * big each cycle's window is and how many steps each cycle trains, the replay share of old data, the
 * evaluation sizes, and the change detector's settings.
 *
 * The model is a tiny decoder on purpose: a run is `cycles × methods` adapt-and-evaluate rounds and a
 * quick configuration must finish in minutes on two CPU cores.
 */
import { s, alias, type Infer } from '../../config/index.ts';
import { QUANT_ALIASES, QUANT_DTYPES } from '../../quant/index.ts';
import { GptConfigSchema } from '../../model/index.ts';
import { modelSpecSchema, PretrainSchema } from '../base.ts';
import { MethodSchema } from '../../peft/index.ts';
import { ScenarioSchema } from './scenarios.ts';

export const DriftMethodSchema = s.object({
  name: s.string({ pattern: /^[A-Za-z0-9._-]+$/ }).describe('label in metrics, charts and file names'),
  method: MethodSchema.describe('the PEFT method and its settings'),
  quant: s.enum(QUANT_DTYPES).default('fp32').describe("storage of the frozen base ('nf4-dq' + LoRA = QLoRA)"),
  lr: s.number({ exclusiveMin: 0 }).describe('learning rate of every cycle'),
}, { aliases: [...QUANT_ALIASES, alias('learning_rate', 'lr', 'Hugging Face Trainer')] });
export type DriftMethod = Infer<typeof DriftMethodSchema>;

export const DEFAULT_METHODS: DriftMethod[] = [
  DriftMethodSchema.parse({ name: 'lora', method: { method: 'lora', r: 8, alpha: 16, targets: ['q', 'k', 'v'] }, quant: 'fp32', lr: 5e-3 }),
  DriftMethodSchema.parse({ name: 'qlora', method: { method: 'lora', r: 8, alpha: 16, targets: ['q', 'k', 'v'] }, quant: 'nf4-dq', lr: 5e-3 }),
  DriftMethodSchema.parse({ name: 'ptuning-v2', method: { method: 'ptuning-v2', prefixLength: 16 }, quant: 'fp32', lr: 2e-2 }),
];

/** A model small enough for hundreds of cycles on a CPU. */
export const DRIFT_MODEL = GptConfigSchema.parse({ layers: 2, dModel: 64, heads: 4, context: 160, vocab: 2000 });

export const DetectSchema = s.object({
  metric: s.enum(['rouge-1', 'rouge-2', 'rouge-l', 'bleu-4'] as const).default('rouge-l').describe('per-example score the detector watches (held-out set)'),
  warmup: s.int({ min: 0 }).default(0).describe('first cycles left out of detection: the adapter is still learning from scratch there, not a level to hold'),
  baseline: s.int({ min: 2 }).default(4).describe('cycles after the warm-up taken as the reference level'),
  k: s.number({ min: 0 }).default(0.5).describe('CUSUM slack, in baseline standard deviations'),
  h: s.number({ exclusiveMin: 0 }).default(5).describe('CUSUM alarm threshold, in baseline standard deviations'),
});
export type DetectConfig = Infer<typeof DetectSchema>;

export const DriftSchema = s.object({
  scenario: ScenarioSchema.default(ScenarioSchema.parse({ name: 'spreadsheet-2017' })),
  methods: s.array(DriftMethodSchema, { min: 1 }).default(DEFAULT_METHODS),
  model: modelSpecSchema(DRIFT_MODEL),
  pretrain: PretrainSchema.default(PretrainSchema.parse({ steps: 200, batchSize: 16, blockSize: 128 })),
  cycles: s.int({ min: 1 }).default(40).describe('adaptation cycles'),
  window: s.int({ min: 1 }).default(48).describe('training examples in each cycle\'s newest window'),
  replay: s.number({ min: 0, max: 0.9 }).default(0).describe('share of each cycle\'s training set drawn from earlier windows'),
  stepsPerCycle: s.int({ min: 1 }).default(6).describe('optimizer steps per cycle, continuing from the previous cycle\'s adapter'),
  batchSize: s.int({ min: 1 }).default(8),
  maxSource: s.int({ min: 2 }).default(64),
  maxTarget: s.int({ min: 1 }).default(96),
  eval: s.object({
    heldOut: s.int({ min: 2 }).default(24).describe('fixed clean held-out examples scored after every cycle'),
    window: s.int({ min: 0 }).default(8).describe('examples of the current window (not trained on) scored after every cycle'),
    maxNew: s.int({ min: 1 }).default(80).describe('generated tokens at most'),
    resamples: s.int({ min: 10 }).default(400).describe('bootstrap resamples of the per-cycle intervals'),
    regression: s.number({ min: 0 }).default(10).describe('an example regressed when its metric fell this much (×100) below cycle 0'),
  }).default({ heldOut: 24, window: 8, maxNew: 80, resamples: 400, regression: 10 }),
  detect: DetectSchema.default(DetectSchema.parse({})),
});
export type DriftConfig = Infer<typeof DriftSchema>;
