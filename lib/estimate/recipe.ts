/**
 * The bridge to the scale kind's cost model (lib/experiments/cost-model): the model, method and batch of an
 * estimate as the ModelShape, CostRecipe and BatchStats its counts take, so a step is timed from exactly the
 * counts the scale kind fits. Two things it cannot express directly:
 * - prompt_tuning / p_tuning train no block weight and add virtual tokens to the input: they are counted as the
 *   frozen-base recipe (a one-position prefix, < 0.1% of the attention work) on a sequence P tokens longer;
 * - LoRA on modules outside the blocks (lm_head, embeddings) is left out of the FLOPs (a few r-wide products).
 * The optimizer traffic is then set from the exact PEFT trainable count (28 bytes per parameter, as the model).
 */
import { ADAM_BYTES_PER_PARAM, type CostBatchStats, type CostRecipe, type LinearName, type ModelShape, type StepCounts, type Storage as CostStorage, type Compute } from '../experiments/index.ts';
import type { ModelArch } from './arch.ts';
import type { MethodConfig } from './method.ts';
import type { ParamCount } from './params.ts';

export const WEIGHT_STORAGES = ['fp32', 'fp16', 'bf16', 'int8', 'fp4', 'nf4', 'nf4-dq'] as const;
export type WeightStorage = (typeof WEIGHT_STORAGES)[number];
export const COMPUTES = ['fp32', 'fp16', 'bf16'] as const;

/** Module suffix → the cost model's linear names (fused modules stand for several). */
const ROLE: Readonly<Record<string, readonly LinearName[]>> = {
  q_proj: ['q'], k_proj: ['k'], v_proj: ['v'], o_proj: ['o'], gate_proj: ['gate'], up_proj: ['up'], down_proj: ['down'],
  c_attn: ['q', 'k', 'v'], 'attn.c_proj': ['o'], c_fc: ['up'], 'mlp.c_proj': ['down'],
  query_key_value: ['q', 'k', 'v'], dense: ['o'], dense_h_to_4h: ['gate', 'up'], dense_4h_to_h: ['down'],
};

export function costShape(a: ModelArch): ModelShape {
  return { arch: a.family === 'gpt2' ? 'gpt2' : 'llama', layers: a.layers, d: a.hidden, heads: a.heads, kvHeads: a.kvHeads, ffn: a.ffn, vocab: a.vocab, tiedHead: a.tiedHead };
}

/** Virtual tokens a method puts in front of the input (prompt and p-tuning; prefix tuning's live in the KV). */
export function virtualTokens(m: MethodConfig): number {
  return m.method === 'prompt_tuning' || m.method === 'p_tuning' ? m.num_virtual_tokens * m.num_transformer_submodules : 0;
}

export function costRecipe(m: MethodConfig, p: ParamCount, storage: WeightStorage, compute: Compute, checkpoint: boolean): CostRecipe {
  // fp4 packs exactly like nf4 (4-bit codes + fp32 absmax per 64): the same bytes and dequantization work
  const s: CostStorage = storage === 'fp4' ? 'nf4' : storage;
  if (m.method === 'full') return { method: { method: 'full' }, checkpoint, storage: s, compute };
  if (m.method === 'prefix_tuning') return { method: { method: 'ptuning-v2', prefix: m.num_virtual_tokens }, checkpoint, storage: s, compute };
  if (m.method === 'lora') {
    const targets = [...new Set(p.loraModules.flatMap((x) => ROLE[roleKey(x.name)] ?? []))];
    if (targets.length) return { method: { method: 'lora', r: m.r, targets }, checkpoint, storage: s, compute };
  }
  return { method: { method: 'ptuning-v2', prefix: 1 }, checkpoint, storage: s, compute };
}

function roleKey(name: string): string {
  const parts = name.split('.');
  const last = parts[parts.length - 1];
  return last === 'c_proj' ? `${parts[parts.length - 2]}.c_proj` : last;
}

export function costBatch(b: { batchSize: number; paddedLength: number; realTokens: number }, m: MethodConfig): CostBatchStats {
  const v = virtualTokens(m);
  return { batchSize: b.batchSize, paddedLength: b.paddedLength + v, realTokens: b.realTokens + b.batchSize * v };
}

/** The counts with the optimizer's traffic from the exact trainable count instead of the model's own estimate. */
export function withExactOptimizer(c: StepCounts, trainable: number): StepCounts {
  const optimizer = ADAM_BYTES_PER_PARAM * trainable;
  return { ...c, bytes: { ...c.bytes, optimizer, total: c.bytes.total - c.bytes.optimizer + optimizer }, trainableParams: trainable };
}
