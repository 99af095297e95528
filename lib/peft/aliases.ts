/**
 * PEFT's and LLaMA-Factory's names for the method options, so a config copied from either validates here:
 * `lora_alpha`, `lora_dropout`, `lora_rank`, `lora_target` / `target_modules` (module names such as `q_proj`,
 * GPT-2's `c_attn`, ChatGLM's `query_key_value`, or `all`), `use_rslora`, `num_virtual_tokens` / `pre_seq_len`,
 * `prefix_projection`, `encoder_hidden_size`, and `peft_type` / `finetuning_type` for the method itself. The
 * validated config keeps LedgerLab's names only (schema.ts rewrites aliases before validating).
 */
import { alias, type AliasProblem, type AliasRule } from '../config/index.ts';
import { LORA_TARGETS } from './lora.ts';

/** Checkpoint module names (Llama/Qwen2, GPT-2, ChatGLM) → LedgerLab's LoRA targets. */
export const MODULE_TARGETS: Record<string, readonly string[]> = {
  q_proj: ['q'], k_proj: ['k'], v_proj: ['v'], o_proj: ['o'], out_proj: ['o'],
  gate_proj: ['gate'], up_proj: ['up'], down_proj: ['down'],
  c_attn: ['q', 'k', 'v'], c_fc: ['fc'], query_key_value: ['q', 'k', 'v'], dense: ['o'],
  dense_h_to_4h: ['fc'], dense_4h_to_h: ['proj'],
};

/** `lora_target` / `target_modules` value → targets: "q_proj,v_proj", ["q_proj", "v_proj"], "all", or our names. */
export function targetsFromModules(value: unknown): string[] | AliasProblem {
  const list = typeof value === 'string' ? value.split(',').map((x) => x.trim()).filter(Boolean) : value;
  if (!Array.isArray(list) || list.some((x) => typeof x !== 'string')) return { problem: `expected module names ("q_proj,v_proj", a list, or "all"), got ${JSON.stringify(value)}` };
  if (list.length === 1 && list[0] === 'all') return [...LORA_TARGETS];
  const out: string[] = [];
  for (const m of list as string[]) {
    const mapped = MODULE_TARGETS[m] ?? ((LORA_TARGETS as readonly string[]).includes(m) ? [m] : undefined);
    if (!mapped) return { problem: `unknown module "${m}"; known: ${[...Object.keys(MODULE_TARGETS), ...LORA_TARGETS, 'all'].join(', ')}` };
    for (const t of mapped) if (!out.includes(t)) out.push(t);
  }
  return out;
}

const PEFT = 'PEFT', LF = 'LLaMA-Factory';

export const LORA_ALIASES: readonly AliasRule[] = [
  alias('lora_alpha', 'alpha', PEFT),
  alias('lora_dropout', 'dropout', PEFT),
  alias('lora_rank', 'r', LF),
  alias('use_rslora', 'rslora', PEFT),
  { from: ['lora_target'], to: ['targets'], source: LF, map: (a) => mapTargets(a.lora_target) },
  { from: ['target_modules'], to: ['targets'], source: PEFT, map: (a) => mapTargets(a.target_modules) },
];

function mapTargets(v: unknown): Record<string, unknown> | AliasProblem {
  const t = targetsFromModules(v);
  return Array.isArray(t) ? { targets: t } : t;
}

export const PREFIX_ALIASES: readonly AliasRule[] = [
  alias('num_virtual_tokens', 'prefixLength', PEFT),
  alias('pre_seq_len', 'prefixLength', 'ChatGLM / LLaMA-Factory'),
  alias('prefix_projection', 'projection', PEFT),
  alias('encoder_hidden_size', 'projectionHidden', PEFT),
];

export const PTUNING_V1_ALIASES: readonly AliasRule[] = [
  alias('num_virtual_tokens', 'promptLength', PEFT),
  alias('encoder_hidden_size', 'encoderHidden', PEFT),
  {
    from: ['encoder_reparameterization_type'], to: ['encoder'], source: PEFT,
    map: (a) => {
      const v = String(a.encoder_reparameterization_type).toLowerCase();
      return v === 'mlp' || v === 'lstm' ? { encoder: v } : { problem: `expected MLP or LSTM, got ${JSON.stringify(a.encoder_reparameterization_type)}` };
    },
  },
];

export const PROMPT_TUNING_ALIASES: readonly AliasRule[] = [alias('num_virtual_tokens', 'promptLength', PEFT)];

/** PEFT's `peft_type` and LLaMA-Factory's `finetuning_type` values → LedgerLab's method names. */
export const METHOD_TAG_ALIASES = [
  { key: 'peft_type', source: PEFT, values: { LORA: 'lora', PREFIX_TUNING: 'ptuning-v2', P_TUNING: 'ptuning-v1', PROMPT_TUNING: 'prompt-tuning' } },
  { key: 'finetuning_type', source: LF, values: { lora: 'lora', full: 'full' } },
] as const;
