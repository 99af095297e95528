/**
 * A transformers `config.json` → the decoder's config. Supported `model_type`s: llama, qwen2, mistral (its
 * sliding window only matters past the window, so the context is capped there) and gpt2. Keys transformers
 * writes that do not change the math (architectures, torch_dtype, bos/eos ids, …) are ignored; keys that
 * would change it and are not implemented (rope_scaling, attention_bias on o_proj, mlp_bias, a head_dim other
 * than hidden/heads, an activation other than the family's) are errors naming the key.
 */
import { LedgerLabError } from '../../errors.ts';
import { GptConfigSchema, type GptConfig } from '../config.ts';

export const HF_MODEL_TYPES = ['llama', 'qwen2', 'mistral', 'gpt2'] as const;
export type HfModelType = (typeof HF_MODEL_TYPES)[number];

export interface HfConfig {
  modelType: HfModelType;
  config: GptConfig;
  /** Ids from config.json, when present (the tokenizer's files are authoritative). */
  bosTokenId?: number;
  eosTokenId?: number | number[];
}

type Json = Record<string, unknown>;

export function hfToConfig(json: unknown, source: string): HfConfig {
  const bad = (key: string, problem: string, hint?: string) => new LedgerLabError({ kind: 'data', problem, where: `${source}: ${key}`, hint });
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw bad('(top level)', 'config.json must be a JSON object');
  const j = json as Json;
  const raw = j.model_type;
  if (typeof raw !== 'string' || !(HF_MODEL_TYPES as readonly string[]).includes(raw)) {
    throw bad('model_type', `unsupported model_type ${JSON.stringify(raw)}`, `supported: ${HF_MODEL_TYPES.join(', ')}`);
  }
  const type = raw as HfModelType;
  const int = (key: string, fallback?: number): number => {
    const v = j[key] ?? fallback;
    if (!Number.isInteger(v) || (v as number) < 1) throw bad(key, `expected a positive integer, got ${JSON.stringify(j[key])}`);
    return v as number;
  };
  const num = (key: string, fallback: number): number => {
    const v = j[key] ?? fallback;
    if (typeof v !== 'number' || !(v > 0)) throw bad(key, `expected a positive number, got ${JSON.stringify(j[key])}`);
    return v;
  };
  const ids = { bosTokenId: j.bos_token_id as number | undefined, eosTokenId: j.eos_token_id as number | number[] | undefined };
  if (type === 'gpt2') {
    const act = j.activation_function ?? 'gelu_new';
    if (act !== 'gelu_new') throw bad('activation_function', `activation ${JSON.stringify(act)} is not implemented`, 'GPT-2 uses gelu_new (tanh approximation)');
    const d = int('n_embd');
    const config = GptConfigSchema.parse({
      arch: 'gpt2', layers: int('n_layer'), dModel: d, heads: int('n_head'), context: int('n_positions', 1024), vocab: int('vocab_size'),
      ffn: j.n_inner == null ? 4 * d : int('n_inner'), tiedHead: j.tie_word_embeddings !== false, dropout: 0,
      normEps: num('layer_norm_epsilon', 1e-5),
    }, source);
    return { modelType: type, config, ...ids };
  }
  const act = j.hidden_act ?? 'silu';
  if (act !== 'silu') throw bad('hidden_act', `activation ${JSON.stringify(act)} is not implemented`, 'the Llama family uses silu (SwiGLU)');
  if (j.rope_scaling != null && !(typeof j.rope_scaling === 'object' && ['default', undefined].includes((j.rope_scaling as Json).rope_type as string | undefined) && (j.rope_scaling as Json).type === undefined)) {
    throw bad('rope_scaling', `rope_scaling ${JSON.stringify(j.rope_scaling)} is not implemented`, 'only plain RoPE (rope_scaling null) is supported');
  }
  if (j.attention_bias === true && type !== 'qwen2') throw bad('attention_bias', 'attention_bias true (biases on q, k, v and o) is not implemented');
  if (j.mlp_bias === true) throw bad('mlp_bias', 'mlp_bias true is not implemented');
  const d = int('hidden_size');
  const heads = int('num_attention_heads');
  if (j.head_dim != null && j.head_dim !== d / heads) throw bad('head_dim', `head_dim ${j.head_dim} differs from hidden_size/num_attention_heads = ${d / heads}`, 'separate head widths are not implemented');
  let context = int('max_position_embeddings', 2048);
  if (type === 'mistral' && j.sliding_window != null) context = Math.min(context, int('sliding_window'));
  if (type === 'qwen2' && j.use_sliding_window === true) context = Math.min(context, int('sliding_window'));
  const config = GptConfigSchema.parse({
    arch: 'llama', layers: int('num_hidden_layers'), dModel: d, heads, kvHeads: int('num_key_value_heads', heads),
    ffn: int('intermediate_size'), context, vocab: int('vocab_size'),
    // transformers' default: llama/mistral/qwen2 untie unless the config says otherwise.
    tiedHead: j.tie_word_embeddings === true, dropout: 0,
    ropeTheta: num('rope_theta', 10000), normEps: num('rms_norm_eps', 1e-6), qkvBias: type === 'qwen2',
  }, source);
  return { modelType: type, config, ...ids };
}
