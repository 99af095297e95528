/**
 * A Hugging Face `config.json` → the shape `estimate` counts with. Unlike model/hf (which loads weights and so
 * refuses what it cannot run), this reader only needs widths, so it accepts every family whose module layout it
 * knows — llama, qwen2, mistral, gpt2 and ChatGLM2-shaped configs (`query_key_value`, `multi_query_group_num`) —
 * including an explicit `head_dim`, `attention_bias` and `mlp_bias`, which change parameter counts but not the
 * method. Keys that do not change a count (rope_scaling, torch_dtype, …) are ignored.
 */
import { LedgerLabError } from '../errors.ts';

export const FAMILIES = ['llama', 'qwen2', 'mistral', 'gpt2', 'chatglm'] as const;
export type Family = (typeof FAMILIES)[number];

export interface ModelArch {
  family: Family;
  layers: number;
  /** residual width (PEFT's token_dim). */
  hidden: number;
  heads: number;
  kvHeads: number;
  headDim: number;
  /** MLP hidden width (gated families: width of gate and of up; ChatGLM's dense_h_to_4h is 2× this). */
  ffn: number;
  vocab: number;
  /** gpt2's learned position table (0 elsewhere). */
  positions: number;
  tiedHead: boolean;
  qkvBias: boolean;
  oBias: boolean;
  mlpBias: boolean;
  /** true when config.json names num_key_value_heads (PEFT's prefix tuning narrows only then). */
  declaresKvHeads: boolean;
  /** head_dim when config.json states it (PEFT's prefix tuning prefers it). */
  declaredHeadDim?: number;
}

type Json = Record<string, unknown>;

/** Reads the shape, collecting every problem as an issue (path = the config key). */
export function archFromConfig(json: unknown, source = 'config.json'): ModelArch {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw archError([{ path: [], message: 'config.json must be a JSON object' }], source);
  const j = json as Json;
  const issues: { path: string[]; message: string }[] = [];
  const int = (key: string, fallback?: number): number => {
    const v = j[key] ?? fallback;
    if (Number.isInteger(v) && (v as number) > 0) return v as number;
    issues.push({ path: [key], message: `expected a positive integer, got ${JSON.stringify(j[key])}` });
    return 1;
  };
  const family = familyOf(j);
  if (!family) throw archError([{ path: ['model_type'], message: `unsupported model_type ${JSON.stringify(j.model_type)}; known: ${FAMILIES.join(', ')} (ChatGLM2: "chatglm")` }], source);
  const arch = family === 'gpt2' ? gpt2Arch(j, int) : family === 'chatglm' ? chatglmArch(j, int) : llamaArch(family, j, int);
  if (arch.heads % arch.kvHeads !== 0) issues.push({ path: ['num_key_value_heads'], message: `${arch.heads} heads are not a multiple of ${arch.kvHeads} key/value heads` });
  if (issues.length > 0) throw archError(issues, source);
  return arch;
}

function familyOf(j: Json): Family | undefined {
  const t = j.model_type;
  if (typeof t === 'string' && (FAMILIES as readonly string[]).includes(t)) return t as Family;
  // ChatGLM2/3 configs written by their remote code say model_type "chatglm"; older copies only carry the keys.
  if (j.multi_query_group_num !== undefined && j.padded_vocab_size !== undefined) return 'chatglm';
  return undefined;
}

type Int = (key: string, fallback?: number) => number;

function gpt2Arch(j: Json, int: Int): ModelArch {
  const hidden = int('n_embd');
  const heads = int('n_head');
  return {
    family: 'gpt2', layers: int('n_layer'), hidden, heads, kvHeads: heads, headDim: hidden / heads,
    ffn: j.n_inner == null ? 4 * hidden : int('n_inner'), vocab: int('vocab_size'), positions: int('n_positions', 1024),
    tiedHead: j.tie_word_embeddings !== false, qkvBias: true, oBias: true, mlpBias: true, declaresKvHeads: false,
  };
}

function llamaArch(family: Family, j: Json, int: Int): ModelArch {
  const hidden = int('hidden_size');
  const heads = int('num_attention_heads');
  const declaredHeadDim = j.head_dim == null ? undefined : int('head_dim');
  const attentionBias = j.attention_bias === true;
  return {
    family, layers: int('num_hidden_layers'), hidden, heads, kvHeads: int('num_key_value_heads', heads),
    headDim: declaredHeadDim ?? Math.floor(hidden / heads), ffn: int('intermediate_size'), vocab: int('vocab_size'), positions: 0,
    // transformers' default for these families: untied unless the config says otherwise
    tiedHead: j.tie_word_embeddings === true,
    // Qwen2's attention always has q/k/v biases (no o bias); Llama/Mistral only with attention_bias
    qkvBias: family === 'qwen2' || attentionBias, oBias: attentionBias, mlpBias: j.mlp_bias === true,
    declaresKvHeads: j.num_key_value_heads !== undefined, declaredHeadDim,
  };
}

function chatglmArch(j: Json, int: Int): ModelArch {
  const hidden = int('hidden_size');
  const heads = int('num_attention_heads');
  const mqa = j.multi_query_attention === true;
  const headDim = j.kv_channels == null ? Math.floor(hidden / heads) : int('kv_channels');
  return {
    family: 'chatglm', layers: int('num_layers'), hidden, heads, kvHeads: mqa ? int('multi_query_group_num') : heads, headDim,
    ffn: int('ffn_hidden_size'), vocab: int('padded_vocab_size'), positions: 0,
    tiedHead: false,
    // ChatGLM2: add_qkv_bias true, add_bias_linear false (the dense/MLP linears carry no bias)
    qkvBias: j.add_qkv_bias === true || j.add_bias_linear === true, oBias: j.add_bias_linear === true, mlpBias: j.add_bias_linear === true,
    declaresKvHeads: false,
  };
}

function archError(issues: { path: string[]; message: string }[], source: string): LedgerLabError {
  return new LedgerLabError({
    kind: 'config', code: 'config.invalid', problem: `${source} cannot be read as a model shape:\n${issues.map((i) => `  - ${i.path.join('.') || '(top level)'}: ${i.message}`).join('\n')}`,
    where: issues.length === 1 && issues[0].path.length ? `${source}: ${issues[0].path.join('.')}` : source, issues,
  });
}
