/**
 * Which module of a transformers model each neutral linear (`blocks.{i}.attn.q`, …) lives in, as PEFT names
 * it: the module path inside the *CausalLM model (`model.layers.0.self_attn.q_proj` for Llama/Qwen2/Mistral,
 * `transformer.h.0.attn.c_attn` for GPT-2, whose q, k and v are one fused Conv1D), and the row range of that
 * module's output a neutral linear owns (GPT-2's q, k, v are thirds of c_attn's 3·d outputs).
 */
import { type GptConfig, type HfModelType, recipeFor } from '../../model/index.ts';
import type { LoraTarget } from '../lora.ts';
import { LedgerLabError } from '../../errors.ts';

export const ROLE: Record<LoraTarget, string> = {
  q: 'attn.q', k: 'attn.k', v: 'attn.v', o: 'attn.o', fc: 'mlp.fc', proj: 'mlp.proj', gate: 'mlp.gate', up: 'mlp.up', down: 'mlp.down',
};

export interface ModuleSlot {
  /** Module path inside the CausalLM model, e.g. "model.layers.0.self_attn.q_proj". */
  module: string;
  /** Output rows [r0, r1) of the module this linear owns (fused c_attn), or undefined for the whole module. */
  rows?: [number, number];
}

/** The module (and output rows) of one neutral linear name like "blocks.0.attn.q". */
export function moduleOf(linear: string, type: HfModelType, c: GptConfig): ModuleSlot {
  const r = recipeFor(`${linear}.weight`, type, c, 'transformer.');
  if (!r) throw new LedgerLabError({ kind: 'config', problem: `no module for ${linear}`, hint: `the ${type} weight map has no "${linear}.weight"` });
  const module = r.source.replace(/\.weight$/, '');
  // CausalLM modules: GPT2LMHeadModel keeps the body under `transformer.`; Llama-family under `model.` (the
  // recipes already carry it).
  return { module, rows: r.columns };
}

/** The last dotted component(s) PEFT's target_modules match by suffix; GPT-2's two c_proj need their parent. */
export function targetModuleName(t: LoraTarget, type: HfModelType, all: readonly LoraTarget[]): string {
  if (type !== 'gpt2') return { q: 'q_proj', k: 'k_proj', v: 'v_proj', o: 'o_proj', gate: 'gate_proj', up: 'up_proj', down: 'down_proj', fc: 'fc', proj: 'proj' }[t];
  if (t === 'q' || t === 'k' || t === 'v') return 'c_attn';
  if (t === 'fc') return 'c_fc';
  // attn.c_proj (o) and mlp.c_proj (proj) share the last component: name the parent unless both are targeted.
  const both = all.includes('o') && all.includes('proj');
  return both ? 'c_proj' : t === 'o' ? 'attn.c_proj' : 'mlp.c_proj';
}

/** PEFT's state-dict prefix: PeftModelForCausalLM → LoraModel (`base_model`) → the CausalLM (`model`). */
export const PEFT_PREFIX = 'base_model.model.';
