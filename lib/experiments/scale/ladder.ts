/**
 * The ladder: each rung's model (a Llama/ChatGLM2-shaped decoder) and the two published recipes scaled to it.
 *   - LoRA (LLaMA-Factory): rank 32 at ChatGLM2's width 4096, scaled with the width, r = max(1, round(32 · d / 4096))
 *     (JavaScript's Math.round: halves round up, so d = 64 gives 1), alpha = 2r (LLaMA-Factory's default), on
 *     q, k, v as the cost model's CHATGLM2_LORA_RECIPE; pad to the batch's longest, no checkpointing, fp32 base
 *     (this engine's full-precision base; the benchmark's fp16).
 *   - P-Tuning v2 (ChatGLM's script): pre_seq_len 128 of a 1024 cutoff, so prefix = round(128/1024 · context) with
 *     context = maxSource + maxTarget; pad to max_length, gradient checkpointing, 4-bit (nf4) base.
 * Pure: no tensors.
 */
import { LedgerLabError } from '../../errors.ts';
import { checkShape, baseParamCount, type GptConfig } from '../../model/index.ts';
import { RecipeSchema, type Recipe } from '../speedup/index.ts';
import type { ModelShape, CostRecipe, LinearName } from '../cost-model/index.ts';
import type { RungConfig, ScaleConfig } from './config.ts';

/** The published recipes' reference points: rank 32 at width 4096, prefix 128 per 1024 positions. */
export const LORA_RANK_AT_4096 = 32;
export const PREFIX_PER_1024 = 128;
/** ChatGLM2-6B's SwiGLU width over its hidden width, 13696 / 4096. */
export const FFN_RATIO = 13696 / 4096;

export const loraRankFor = (d: number): number => Math.max(1, Math.round((LORA_RANK_AT_4096 * d) / 4096));
export const prefixFor = (context: number): number => Math.max(1, Math.round((PREFIX_PER_1024 / 1024) * context));

export interface Rung {
  name: string;
  model: GptConfig;
  shape: ModelShape;
  params: number;
  context: number;
  prefix: number;
  loraR: number;
  fast: Recipe;
  slow: Recipe;
}

/** The rung's decoder: head width 32 unless heads is given, ChatGLM2's ffn ratio unless ffn is given. */
export function rungModel(r: RungConfig, vocab: number, context: number, where: string): GptConfig {
  const heads = r.heads ?? Math.max(2, Math.round(r.d / 32));
  const ffn = r.ffn ?? Math.max(8, Math.round((FFN_RATIO * r.d) / 8) * 8);
  const kvHeads = Math.min(r.kvHeads, heads);
  const model: GptConfig = {
    arch: 'llama', layers: r.layers, dModel: r.d, heads, kvHeads, ffn, context, vocab,
    tiedHead: false, dropout: 0, ropeTheta: 10000, normEps: 1e-5, qkvBias: false,
  };
  checkShape(model, where);
  return model;
}

export function buildLadder(c: ScaleConfig, vocab: number): Rung[] {
  const context = c.data.maxSource + c.data.maxTarget;
  const prefix = prefixFor(context);
  const rungs = c.rungs.map((r, i): Rung => {
    // positions: the prefix rows are keys/values only, but RoPE tables cover prefix + tokens
    const model = rungModel(r, vocab, Math.max(256, context + prefix), `rungs[${i}]`);
    const loraR = loraRankFor(r.d);
    const fast = RecipeSchema.parse({ method: { method: 'lora', r: loraR, alpha: 2 * loraR, targets: ['q', 'k', 'v'] }, padding: 'longest', checkpoint: false, quant: 'fp32', lr: c.lr.fast }, `rungs[${i}] (fast recipe)`);
    const slow = RecipeSchema.parse({ method: { method: 'ptuning-v2', prefixLength: prefix }, padding: 'max_length', checkpoint: true, quant: 'nf4', lr: c.lr.slow }, `rungs[${i}] (slow recipe)`);
    return { name: r.name ?? `r${i}`, model, shape: costShape(model), params: baseParamCount(model), context, prefix, loraR, fast, slow };
  });
  rungs.forEach((r, i) => {
    if (i > 0 && r.params <= rungs[i - 1].params) {
      throw new LedgerLabError({ kind: 'config', problem: `rung ${r.name} has ${r.params} parameters, not more than ${rungs[i - 1].name}'s ${rungs[i - 1].params}`, where: `rungs[${i}]`, hint: 'list the rungs smallest first: the largest is the held-out one' });
    }
  });
  return rungs;
}

/** The cost model's view of a decoder. */
export function costShape(m: GptConfig): ModelShape {
  return { arch: 'llama', layers: m.layers, d: m.dModel, heads: m.heads, kvHeads: m.kvHeads ?? m.heads, ffn: m.ffn!, vocab: m.vocab, tiedHead: m.tiedHead };
}

/** The cost model's view of a recipe: this engine computes in fp32; the frozen linears are stored as the recipe says. */
export function costRecipe(r: Recipe): CostRecipe {
  const m = r.method;
  const method: CostRecipe['method'] = m.method === 'lora' ? { method: 'lora', r: m.r, targets: m.targets as readonly LinearName[] }
    : m.method === 'ptuning-v2' ? { method: 'ptuning-v2', prefix: m.prefixLength }
    : m.method === 'full' ? { method: 'full' }
    : (() => { throw new LedgerLabError({ kind: 'config', problem: `the cost model has no count for method "${m.method}"`, where: 'recipe.method' }); })();
  if (r.quant !== 'fp32' && r.quant !== 'nf4' && r.quant !== 'nf4-dq' && r.quant !== 'int8' && r.quant !== 'fp16' && r.quant !== 'bf16') {
    throw new LedgerLabError({ kind: 'config', problem: `the cost model has no storage "${r.quant}"`, where: 'recipe.quant' });
  }
  return { method, checkpoint: r.checkpoint, storage: r.quant, compute: 'fp32' };
}
