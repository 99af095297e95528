/**
 * Trainable and total parameters exactly as PEFT's `print_trainable_parameters()` reports them
 * (`PeftModel.get_nb_trainable_parameters`: every `named_parameters()` entry once, tied weights once):
 *
 * - lora (tuners/lora): per matched module A [r, in] + B [out, r] (Conv1D: in/out as the module computes, so
 *   GPT-2's fused c_attn gets A [r, d], B [3d, r]); DoRA adds a magnitude vector of `out`; `bias: all` makes every
 *   `*.bias` trainable, `lora_only` the biases of the matched modules; use_rslora changes the scale, not the count.
 *   Targets match a module when its name equals one or ends with `.target`; `all-linear` is every Linear/Conv1D but
 *   the module `get_output_embeddings()` returns (tuners_utils `_maybe_include_all_linear_layers`).
 * - prefix_tuning (PrefixEncoder): an embedding [P, layers·2·token_dim], or with prefix_projection an embedding
 *   [P, token_dim] + Linear(token_dim, h) + Linear(h, layers·2·token_dim); when config.json names
 *   num_key_value_heads, token_dim is head_dim × kv heads (`_prepare_prompt_learning_config`, PEFT #1901), and h
 *   defaults to that token_dim.
 * - prompt_tuning (PromptEmbedding): [P · num_transformer_submodules, token_dim].
 * - p_tuning (PromptEncoder): that embedding plus an MLP (token_dim→h→h→token_dim, with biases) or a bidirectional
 *   LSTM of encoder_num_layers (4h gates, both bias vectors) and an MLP head (2h→2h→token_dim); h defaults to token_dim.
 * - full: every parameter.
 */
import { LedgerLabError } from '../errors.ts';
import type { ModelArch, Family } from './arch.ts';
import { baseParams, moduleParams, type ModuleInfo, type ModuleTree } from './modules.ts';
import type { LoraMethod, MethodConfig, PrefixMethod, PTuningMethod } from './method.ts';

/** peft/utils/constants.py TRANSFORMERS_MODELS_TO_LORA_TARGET_MODULES_MAPPING for the families read here. */
export const DEFAULT_LORA_TARGETS: Readonly<Record<Family, readonly string[]>> = {
  llama: ['q_proj', 'v_proj'], qwen2: ['q_proj', 'v_proj'], mistral: ['q_proj', 'v_proj'], gpt2: ['c_attn'], chatglm: ['query_key_value'],
};

export interface ParamCount {
  /** what print_trainable_parameters prints as "trainable params". */
  trainable: number;
  /** "all params": the base plus what the method adds. */
  all: number;
  base: number;
  /** parameters the method adds (adapters, prompt encoders); 0 for full. */
  added: number;
  /** base parameters made trainable (full: all of them; lora bias all/lora_only: those biases). */
  baseTrainable: number;
  /** trainable tensors (one AdamW kernel each in the step's count). */
  trainableTensors: number;
  /** LoRA only: the modules adapted. */
  loraModules: ModuleInfo[];
}

export function countParams(arch: ModelArch, tree: ModuleTree, m: MethodConfig): ParamCount {
  const base = baseParams(tree);
  const none = { base, loraModules: [] as ModuleInfo[] };
  switch (m.method) {
    case 'full': return { ...none, trainable: base, all: base, added: 0, baseTrainable: base, trainableTensors: tree.modules.filter((x) => moduleParams(x) > 0).length };
    case 'lora': return loraCount(arch, tree, m, base);
    case 'prompt_tuning': return added(none, m.num_virtual_tokens * m.num_transformer_submodules * arch.hidden, 1);
    case 'p_tuning': return added(none, pTuningParams(arch.hidden, m), m.encoder_reparameterization_type === 'MLP' ? 7 : 5 + 4 * 2 * m.encoder_num_layers);
    case 'prefix_tuning': return added(none, prefixParams(arch, m), m.prefix_projection ? 5 : 1);
  }
}

function added(b: { base: number; loraModules: ModuleInfo[] }, n: number, tensors: number): ParamCount {
  return { ...b, trainable: n, all: b.base + n, added: n, baseTrainable: 0, trainableTensors: tensors };
}

/** Module names LoRA adapts, as PEFT resolves target_modules (suffix match, or all-linear). */
export function loraTargets(arch: ModelArch, tree: ModuleTree, m: LoraMethod): ModuleInfo[] {
  if (m.target_modules === 'all-linear') return tree.modules.filter((x) => (x.kind === 'linear' || x.kind === 'conv1d') && x.name !== tree.outputHead);
  const targets = m.target_modules ?? DEFAULT_LORA_TARGETS[arch.family];
  const matched = tree.modules.filter((x) => targets.some((t) => x.name === t || x.name.endsWith(`.${t}`)));
  const issues = targets.filter((t) => !matched.some((x) => x.name === t || x.name.endsWith(`.${t}`))).map((t) => ({ path: ['target_modules'], message: `"${t}" matches no module of this ${arch.family} model` }));
  const norms = matched.filter((x) => x.kind === 'norm');
  if (norms.length) issues.push({ path: ['target_modules'], message: `LoRA cannot adapt the norm "${norms[0].name}" (PEFT supports Linear, Conv1D and Embedding)` });
  if (issues.length) {
    const names = [...new Set(tree.modules.map((x) => x.name.split('.').pop()!))];
    throw new LedgerLabError({ kind: 'usage', code: 'usage.bad_option', problem: issues.map((i) => i.message).join('; '), where: '--set target_modules', hint: `module names here: ${names.join(', ')}, or all-linear`, issues });
  }
  return matched;
}

function loraCount(arch: ModelArch, tree: ModuleTree, m: LoraMethod, base: number): ParamCount {
  const mods = loraTargets(arch, tree, m);
  // Embedding LoRA: A [r, num_embeddings], B [embedding_dim, r] — the same r·(in + out)
  const lora = mods.reduce((n, x) => n + m.r * (x.in + x.out) + (m.use_dora ? x.out : 0), 0);
  const biasOf = (x: ModuleInfo) => (x.bias && !x.tied ? x.out : 0);
  const biasList = m.bias === 'all' ? tree.modules : m.bias === 'lora_only' ? mods : [];
  const biases = biasList.reduce((n, x) => n + biasOf(x), 0);
  const biasTensors = biasList.filter((x) => biasOf(x) > 0).length;
  return { base, loraModules: mods, trainable: lora + biases, all: base + lora, added: lora, baseTrainable: biases, trainableTensors: mods.length * (m.use_dora ? 3 : 2) + biasTensors };
}

/** PEFT's token_dim for prefix tuning: kv heads × head_dim once config.json declares num_key_value_heads. */
export function prefixTokenDim(arch: ModelArch): number {
  if (!arch.declaresKvHeads) return arch.hidden;
  const headDim = arch.declaredHeadDim ?? Math.floor(arch.hidden / arch.heads);
  return headDim * arch.kvHeads;
}

export function prefixParams(arch: ModelArch, m: PrefixMethod): number {
  const P = m.num_virtual_tokens;
  if (m.chatglmStyle && arch.family === 'chatglm') {
    // ChatGLM2's own PrefixEncoder: kv_size = layers · kv_channels · multi_query_group_num · 2; projection via hidden_size
    const kv = arch.layers * arch.headDim * arch.kvHeads * 2;
    const h = m.encoder_hidden_size ?? arch.hidden;
    return m.prefix_projection ? P * kv + (kv * h + h) + (h * kv + kv) : P * kv;
  }
  const t = prefixTokenDim(arch);
  const out = arch.layers * 2 * t;
  if (!m.prefix_projection) return P * out;
  const h = m.encoder_hidden_size ?? t;
  return P * t + (t * h + h) + (h * out + out);
}

export function pTuningParams(tokenDim: number, m: PTuningMethod): number {
  const d = tokenDim, h = m.encoder_hidden_size ?? tokenDim;
  const embedding = m.num_virtual_tokens * m.num_transformer_submodules * d;
  if (m.encoder_reparameterization_type === 'MLP') return embedding + (d * h + h) + (h * h + h) + (h * d + d);
  let lstm = 0;
  // torch.nn.LSTM, bidirectional: per layer and direction W_ih [4h, in], W_hh [4h, h], b_ih and b_hh [4h]
  for (let l = 0; l < m.encoder_num_layers; l++) lstm += 2 * (4 * h * (l === 0 ? d : 2 * h) + 4 * h * h + 8 * h);
  return embedding + lstm + (2 * h * 2 * h + 2 * h) + (2 * h * d + d);
}

/** The line print_trainable_parameters() prints for these counts. */
export function peftLine(p: Pick<ParamCount, 'trainable' | 'all'>): string {
  const f = (n: number) => n.toLocaleString('en-US');
  return `trainable params: ${f(p.trainable)} || all params: ${f(p.all)} || trainable%: ${(100 * p.trainable / p.all).toFixed(4)}`;
}
