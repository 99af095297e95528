/**
 * One config entry chooses the fine-tuning method; `buildModel` turns base weights + method into a model
 * whose `trainable` map holds exactly the method's tensors.
 *
 * @example
 * const model = await buildModel(config, weights, { method: 'lora', r: 8, alpha: 16, targets: ['q', 'v'] }, 'fp32', 0);
 */
import { s, type Infer } from '../config/index.ts';
import { Gpt, headDim, kvHeads, type GptConfig, type WeightSource } from '../model/index.ts';
import type { QuantDtype } from '../quant/index.ts';
import { LedgerLabError } from '../errors.ts';
import { applyLora, loraParamCount, LORA_TARGETS } from './lora.ts';
import { applyPrefix, prefixParamCount } from './prefix.ts';
import { applyPromptTuning, applyPTuningV1, promptParamCount } from './prompt.ts';
import { LORA_ALIASES, METHOD_TAG_ALIASES, PREFIX_ALIASES, PROMPT_TUNING_ALIASES, PTUNING_V1_ALIASES } from './aliases.ts';

export const MethodSchema = s.tagged('method', {
  full: s.object({}),
  lora: s.object({
    r: s.int({ min: 1 }).default(8),
    alpha: s.number({ min: 0 }).default(16),
    dropout: s.number({ min: 0, max: 0.99 }).default(0),
    targets: s.array(s.enum(LORA_TARGETS)).default(['q', 'v']),
    rslora: s.boolean().default(false),
  }, { aliases: LORA_ALIASES }),
  'ptuning-v2': s.object({
    prefixLength: s.int({ min: 0 }).default(16),
    projection: s.boolean().default(false),
    projectionHidden: s.int({ min: 1 }).default(128),
    prefixDropout: s.number({ min: 0, max: 0.99 }).default(0),
  }, { aliases: PREFIX_ALIASES }),
  'ptuning-v1': s.object({
    promptLength: s.int({ min: 1 }).default(16),
    encoder: s.enum(['mlp', 'lstm'] as const).default('mlp'),
    encoderHidden: s.int({ min: 1 }).default(128),
  }, { aliases: PTUNING_V1_ALIASES }),
  'prompt-tuning': s.object({ promptLength: s.int({ min: 1 }).default(16) }, { aliases: PROMPT_TUNING_ALIASES }),
}, { tagAliases: METHOD_TAG_ALIASES });
export type MethodSpec = Infer<typeof MethodSchema>;
export type MethodName = MethodSpec['method'];
export const METHOD_NAMES: readonly MethodName[] = ['full', 'lora', 'ptuning-v2', 'ptuning-v1', 'prompt-tuning'];

/** Builds the model for a method: full trains every base tensor; the others freeze the base (optionally packed). */
export async function buildModel(config: GptConfig, weights: WeightSource, spec: MethodSpec, quant: QuantDtype, seed: number | string): Promise<Gpt> {
  if (spec.method === 'full' && quant !== 'fp32') {
    throw new LedgerLabError({ kind: 'config', problem: `full fine-tuning cannot train a "${quant}" base`, where: 'quant', hint: 'use quant "fp32" for full fine-tuning' });
  }
  const model = Gpt.fromWeights(config, weights, { trainable: spec.method === 'full', quant });
  const adapterSeed = `${seed}:${spec.method}`;
  switch (spec.method) {
    case 'full':
      break;
    case 'lora':
      applyLora(model, { ...spec, seed: adapterSeed });
      break;
    case 'ptuning-v2':
      applyPrefix(model, { ...spec, seed: adapterSeed });
      break;
    case 'ptuning-v1':
      applyPTuningV1(model, { ...spec, seed: adapterSeed });
      break;
    case 'prompt-tuning':
      await applyPromptTuning(model, { ...spec, seed: adapterSeed });
      break;
  }
  return model;
}

/** Trainable parameters by closed form, for the tests and for the memory table's "theoretical" column. */
export function methodParamCount(config: GptConfig, spec: MethodSpec, baseParams: number): number {
  const d = config.dModel;
  switch (spec.method) {
    case 'full': return baseParams;
    case 'lora': return loraParamCount(config, spec.r, spec.targets);
    case 'ptuning-v2': return prefixParamCount(d, config.layers, kvHeads(config) * headDim(config), spec);
    case 'ptuning-v1':
    case 'prompt-tuning': return promptParamCount(d, spec);
  }
}

/** Virtual positions a method adds in front of the tokens (they count against the context). */
export function virtualTokens(spec: MethodSpec): number {
  return spec.method === 'ptuning-v1' || spec.method === 'prompt-tuning' ? spec.promptLength : 0;
}
