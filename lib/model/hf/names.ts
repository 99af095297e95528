/**
 * Where each neutral tensor (../shapes.ts) comes from in a transformers checkpoint, as a recipe the lazy
 * loader follows: source tensor name, and whether to transpose it (nn.Linear stores [out, in]; the neutral
 * layout is [in, out]) or take a column range of it (GPT-2's fused c_attn, a Conv1D already [in, out]).
 */
import type { GptConfig } from '../config.ts';
import type { HfModelType } from './config.ts';

export interface Recipe {
  source: string;
  /** [out, in] on disk → [in, out]. */
  transpose?: boolean;
  /** Columns [c0, c1) of a [rows, cols] tensor (GPT-2's c_attn split into q, k, v). */
  columns?: [number, number];
}

/** Source tensors known to carry nothing the model needs (old rotary/mask buffers). */
export function isIgnoredSource(name: string, type: HfModelType): boolean {
  if (type === 'gpt2') return /(^|\.)h\.\d+\.attn\.(bias|masked_bias)$/.test(name);
  return /\.rotary_emb\.inv_freq$/.test(name);
}

const LLAMA_LAYER: Record<string, [string, boolean]> = {
  'ln1.gamma': ['input_layernorm.weight', false],
  'ln2.gamma': ['post_attention_layernorm.weight', false],
  'attn.q.weight': ['self_attn.q_proj.weight', true],
  'attn.k.weight': ['self_attn.k_proj.weight', true],
  'attn.v.weight': ['self_attn.v_proj.weight', true],
  'attn.o.weight': ['self_attn.o_proj.weight', true],
  'attn.q.bias': ['self_attn.q_proj.bias', false],
  'attn.k.bias': ['self_attn.k_proj.bias', false],
  'attn.v.bias': ['self_attn.v_proj.bias', false],
  'mlp.gate.weight': ['mlp.gate_proj.weight', true],
  'mlp.up.weight': ['mlp.up_proj.weight', true],
  'mlp.down.weight': ['mlp.down_proj.weight', true],
};

const GPT2_LAYER: Record<string, string> = {
  'ln1.gamma': 'ln_1.weight', 'ln1.beta': 'ln_1.bias', 'ln2.gamma': 'ln_2.weight', 'ln2.beta': 'ln_2.bias',
  'attn.o.weight': 'attn.c_proj.weight', 'attn.o.bias': 'attn.c_proj.bias',
  'mlp.fc.weight': 'mlp.c_fc.weight', 'mlp.fc.bias': 'mlp.c_fc.bias', 'mlp.proj.weight': 'mlp.c_proj.weight', 'mlp.proj.bias': 'mlp.c_proj.bias',
};

/**
 * The recipe for one neutral name. `gpt2Prefix` is "" or "transformer." (files saved from GPT2LMHeadModel in
 * code carry it; the hub's do not).
 */
export function recipeFor(name: string, type: HfModelType, c: GptConfig, gpt2Prefix = ''): Recipe | undefined {
  if (type !== 'gpt2') {
    if (name === 'embed.token') return { source: 'model.embed_tokens.weight' };
    if (name === 'final_ln.gamma') return { source: 'model.norm.weight' };
    if (name === 'head.weight') return { source: 'lm_head.weight', transpose: true };
    const m = /^blocks\.(\d+)\.(.+)$/.exec(name);
    const part = m && LLAMA_LAYER[m[2]];
    return part ? { source: `model.layers.${m[1]}.${part[0]}`, transpose: part[1] } : undefined;
  }
  const p = gpt2Prefix;
  const top: Record<string, string> = { 'embed.token': 'wte.weight', 'embed.position': 'wpe.weight', 'final_ln.gamma': 'ln_f.weight', 'final_ln.beta': 'ln_f.bias' };
  if (top[name]) return { source: p + top[name] };
  if (name === 'head.weight') return { source: 'lm_head.weight', transpose: true };
  const m = /^blocks\.(\d+)\.(.+)$/.exec(name);
  if (!m) return undefined;
  const qkv = /^attn\.([qkv])\.(weight|bias)$/.exec(m[2]);
  if (qkv) {
    const j = 'qkv'.indexOf(qkv[1]);
    return { source: `${p}h.${m[1]}.attn.c_attn.${qkv[2]}`, columns: [j * c.dModel, (j + 1) * c.dModel] };
  }
  return GPT2_LAYER[m[2]] ? { source: `${p}h.${m[1]}.${GPT2_LAYER[m[2]]}` } : undefined;
}
