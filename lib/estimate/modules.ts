/**
 * The modules of a Hugging Face causal-LM as `model.named_modules()` names them, with the shapes PEFT sees:
 * what LoRA's suffix matching, `all-linear` and `bias` work on. Plain data, no tensors: a 70B config yields a
 * thousand small records.
 *
 * Names: llama/qwen2/mistral `model.layers.{i}.self_attn.q_proj`…, `lm_head`; gpt2 `transformer.h.{i}.attn.c_attn`
 * (Conv1D, weight stored [in, out]), `lm_head`; ChatGLM2 `transformer.encoder.layers.{i}.self_attention.query_key_value`,
 * `transformer.output_layer`.
 */
import type { ModelArch } from './arch.ts';

export type ModuleKind = 'linear' | 'conv1d' | 'embedding' | 'norm';

export interface ModuleInfo {
  name: string;
  kind: ModuleKind;
  /** linear/conv1d: in and out features; embedding: rows (in) × width (out); norm: out = width. */
  in: number;
  out: number;
  bias: boolean;
  /** a block linear (inside a transformer layer): what a quantized base stores packed. */
  block: boolean;
  /** the output head whose weight is the token embedding (not a parameter of its own). */
  tied?: boolean;
}

export interface ModuleTree {
  modules: ModuleInfo[];
  /** the module get_output_embeddings() returns, when transformers knows it (ChatGLM's remote code does not). */
  outputHead?: string;
}

export function moduleTree(a: ModelArch): ModuleTree {
  if (a.family === 'gpt2') return gpt2Tree(a);
  if (a.family === 'chatglm') return chatglmTree(a);
  return llamaTree(a);
}

const lin = (name: string, i: number, o: number, bias: boolean, block = true): ModuleInfo => ({ name, kind: 'linear', in: i, out: o, bias, block });
const norm = (name: string, width: number, bias: boolean): ModuleInfo => ({ name, kind: 'norm', in: 0, out: width, bias, block: false });

function llamaTree(a: ModelArch): ModuleTree {
  const q = a.heads * a.headDim, kv = a.kvHeads * a.headDim;
  const modules: ModuleInfo[] = [{ name: 'model.embed_tokens', kind: 'embedding', in: a.vocab, out: a.hidden, bias: false, block: false }];
  for (let i = 0; i < a.layers; i++) {
    const p = `model.layers.${i}.`;
    modules.push(
      lin(p + 'self_attn.q_proj', a.hidden, q, a.qkvBias), lin(p + 'self_attn.k_proj', a.hidden, kv, a.qkvBias),
      lin(p + 'self_attn.v_proj', a.hidden, kv, a.qkvBias), lin(p + 'self_attn.o_proj', q, a.hidden, a.oBias),
      lin(p + 'mlp.gate_proj', a.hidden, a.ffn, a.mlpBias), lin(p + 'mlp.up_proj', a.hidden, a.ffn, a.mlpBias),
      lin(p + 'mlp.down_proj', a.ffn, a.hidden, a.mlpBias),
      norm(p + 'input_layernorm', a.hidden, false), norm(p + 'post_attention_layernorm', a.hidden, false),
    );
  }
  modules.push(norm('model.norm', a.hidden, false), { ...lin('lm_head', a.hidden, a.vocab, false, false), tied: a.tiedHead });
  return { modules, outputHead: 'lm_head' };
}

function gpt2Tree(a: ModelArch): ModuleTree {
  const d = a.hidden;
  const conv = (name: string, i: number, o: number): ModuleInfo => ({ name, kind: 'conv1d', in: i, out: o, bias: true, block: true });
  const modules: ModuleInfo[] = [
    { name: 'transformer.wte', kind: 'embedding', in: a.vocab, out: d, bias: false, block: false },
    { name: 'transformer.wpe', kind: 'embedding', in: a.positions, out: d, bias: false, block: false },
  ];
  for (let i = 0; i < a.layers; i++) {
    const p = `transformer.h.${i}.`;
    modules.push(
      norm(p + 'ln_1', d, true), conv(p + 'attn.c_attn', d, 3 * d), conv(p + 'attn.c_proj', d, d),
      norm(p + 'ln_2', d, true), conv(p + 'mlp.c_fc', d, a.ffn), conv(p + 'mlp.c_proj', a.ffn, d),
    );
  }
  modules.push(norm('transformer.ln_f', d, true), { ...lin('lm_head', d, a.vocab, false, false), tied: a.tiedHead });
  return { modules, outputHead: 'lm_head' };
}

function chatglmTree(a: ModelArch): ModuleTree {
  const proj = a.heads * a.headDim, kv = a.kvHeads * a.headDim;
  const modules: ModuleInfo[] = [{ name: 'transformer.embedding.word_embeddings', kind: 'embedding', in: a.vocab, out: a.hidden, bias: false, block: false }];
  for (let i = 0; i < a.layers; i++) {
    const p = `transformer.encoder.layers.${i}.`;
    modules.push(
      norm(p + 'input_layernorm', a.hidden, false),
      lin(p + 'self_attention.query_key_value', a.hidden, proj + 2 * kv, a.qkvBias), lin(p + 'self_attention.dense', proj, a.hidden, a.oBias),
      norm(p + 'post_attention_layernorm', a.hidden, false),
      // SwiGLU fused: dense_h_to_4h produces gate and up side by side
      lin(p + 'mlp.dense_h_to_4h', a.hidden, 2 * a.ffn, a.mlpBias), lin(p + 'mlp.dense_4h_to_h', a.ffn, a.hidden, a.mlpBias),
    );
  }
  modules.push(norm('transformer.encoder.final_layernorm', a.hidden, false), lin('transformer.output_layer', a.hidden, a.vocab, false, false));
  // ChatGLM's remote code defines no get_output_embeddings(): PEFT's all-linear cannot exclude output_layer
  return { modules, outputHead: undefined };
}

/** Parameters a module owns (a tied head owns none: named_parameters() yields the shared weight once). */
export function moduleParams(m: ModuleInfo): number {
  if (m.tied) return 0;
  if (m.kind === 'norm') return m.out * (m.bias ? 2 : 1);
  if (m.kind === 'embedding') return m.in * m.out;
  return m.in * m.out + (m.bias ? m.out : 0);
}

/** Every parameter of the base model, as PEFT's "all params" counts it before adapters are added. */
export function baseParams(t: ModuleTree): number {
  return t.modules.reduce((n, m) => n + moduleParams(m), 0);
}
