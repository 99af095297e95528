/**
 * The ChatGLM2-6B / A100 prediction in the summary's shape (the contract's keys): the cost model's
 * predictChatglm2 at the A100's published peaks with its efficiency range. The CPU fit does not replace the
 * A100's constants (a CPU's FLOP/s and kernel overhead say nothing about a GPU's); what transfers is the count
 * itself, which the ladder checks. Samples/s and the ratio carry their intervals as sibling '.lo'/'.hi' keys.
 */
import { advertiseGenLengths, predictChatglm2, DEVICES, CHATGLM2_PUBLISHED } from '../cost-model/index.ts';
import type { ScaleSummary } from './summary.ts';

export type Chatglm2A100 = ScaleSummary['prediction']['chatglm2_a100'];

export function chatglm2A100(lengths: readonly number[] = advertiseGenLengths()): Chatglm2A100 {
  const p = predictChatglm2(lengths, DEVICES['a100-80gb']);
  return {
    device: p.device,
    samplesPerSecond: {
      lora: p.samplesPerSecond.lora.mid, ptuning: p.samplesPerSecond.ptuning.mid,
      'lora.lo': p.samplesPerSecond.lora.lo, 'lora.hi': p.samplesPerSecond.lora.hi,
      'ptuning.lo': p.samplesPerSecond.ptuning.lo, 'ptuning.hi': p.samplesPerSecond.ptuning.hi,
    },
    ratio: p.ratio.mid, 'ratio.lo': p.ratio.lo, 'ratio.hi': p.ratio.hi,
    memoryGB: { lora: p.memoryGB.lora, ptuning: p.memoryGB.ptuning },
    shapley: Object.fromEntries(Object.entries(p.decomposition.shapley).map(([f, v]) => [f, Math.exp(v)])),
    published: {
      lora: CHATGLM2_PUBLISHED.samplesPerSecond.lora, ptuning: CHATGLM2_PUBLISHED.samplesPerSecond.ptuning, ratio: CHATGLM2_PUBLISHED.ratio,
      memoryGB: { lora: CHATGLM2_PUBLISHED.memoryGB.lora, ptuning: CHATGLM2_PUBLISHED.memoryGB.ptuning },
    },
  };
}
