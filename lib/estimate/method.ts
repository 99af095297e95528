/**
 * A method name and its `--set key=value` options → a validated method config, with PEFT's field names
 * (LoraConfig, PrefixTuningConfig, PromptTuningConfig, PromptEncoderConfig) and PEFT's defaults. LedgerLab's
 * and LLaMA-Factory's names are aliases: `ptuning-v2` (ChatGLM's P-Tuning v2, `pre_seq_len`) is prefix tuning,
 * `ptuning-v1` is p_tuning, `prompt-tuning` is prompt_tuning, `qlora` is lora on a 4-bit base; `lora_rank` and
 * `lora_target` name r and target_modules. Unknown keys, bad values and missing required fields are all
 * reported at once, each with its key as the path.
 */
import { LedgerLabError, type ErrorIssue } from '../errors.ts';

export const PEFT_METHODS = ['lora', 'prefix_tuning', 'prompt_tuning', 'p_tuning', 'full'] as const;
export type PeftMethod = (typeof PEFT_METHODS)[number];

export interface LoraMethod {
  method: 'lora'; r: number; lora_alpha: number; lora_dropout: number;
  /** module names or the `all-linear` shorthand; undefined: PEFT's default for the model_type. */
  target_modules: string[] | 'all-linear' | undefined;
  bias: 'none' | 'all' | 'lora_only'; use_rslora: boolean; use_dora: boolean;
}
export interface PrefixMethod {
  method: 'prefix_tuning'; num_virtual_tokens: number; prefix_projection: boolean; encoder_hidden_size: number | undefined;
  /** ChatGLM's own PrefixEncoder (`ptuning-v2`): kv width from multi_query_group_num, projection width hidden_size. */
  chatglmStyle: boolean;
}
export interface PromptMethod { method: 'prompt_tuning'; num_virtual_tokens: number; num_transformer_submodules: number }
export interface PTuningMethod {
  method: 'p_tuning'; num_virtual_tokens: number; num_transformer_submodules: number; encoder_reparameterization_type: 'MLP' | 'LSTM';
  encoder_hidden_size: number | undefined; encoder_num_layers: number; encoder_dropout: number;
}
export type MethodCore = LoraMethod | PrefixMethod | PromptMethod | PTuningMethod | { method: 'full' };
export type MethodConfig = MethodCore & { label: string };

/** Every accepted method name → PEFT's method (and whether it defaults to a 4-bit base or ChatGLM's prefix encoder). */
export const METHOD_ALIASES: Readonly<Record<string, { method: PeftMethod; chatglm?: boolean; storage?: string }>> = {
  lora: { method: 'lora' }, LORA: { method: 'lora' }, qlora: { method: 'lora', storage: 'nf4-dq' },
  prefix_tuning: { method: 'prefix_tuning' }, PREFIX_TUNING: { method: 'prefix_tuning' },
  'ptuning-v2': { method: 'prefix_tuning', chatglm: true }, 'p-tuning-v2': { method: 'prefix_tuning', chatglm: true },
  prompt_tuning: { method: 'prompt_tuning' }, PROMPT_TUNING: { method: 'prompt_tuning' }, 'prompt-tuning': { method: 'prompt_tuning' },
  p_tuning: { method: 'p_tuning' }, P_TUNING: { method: 'p_tuning' }, 'ptuning-v1': { method: 'p_tuning' },
  full: { method: 'full' },
};

/** `--set` keys per method; aliases map to PEFT's key. */
const KEYS: Record<PeftMethod, readonly string[]> = {
  lora: ['r', 'lora_alpha', 'lora_dropout', 'target_modules', 'bias', 'use_rslora', 'use_dora'],
  prefix_tuning: ['num_virtual_tokens', 'prefix_projection', 'encoder_hidden_size'],
  prompt_tuning: ['num_virtual_tokens', 'num_transformer_submodules', 'prompt_tuning_init'],
  p_tuning: ['num_virtual_tokens', 'num_transformer_submodules', 'encoder_reparameterization_type', 'encoder_hidden_size', 'encoder_num_layers', 'encoder_dropout'],
  full: [],
};
const KEY_ALIASES: Record<string, string> = { lora_rank: 'r', lora_target: 'target_modules', pre_seq_len: 'num_virtual_tokens', alpha: 'lora_alpha' };

export function methodNames(): string[] {
  return Object.keys(METHOD_ALIASES);
}

/** Parses `key=value` strings (values: true/false, numbers, comma lists stay strings until checked). */
export function parseSets(sets: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  const issues: ErrorIssue[] = [];
  sets.forEach((s, i) => {
    const eq = s.indexOf('=');
    if (eq <= 0) issues.push({ path: ['--set', i], message: `expected key=value, got ${JSON.stringify(s)}` });
    else out[s.slice(0, eq).trim()] = s.slice(eq + 1).trim();
  });
  if (issues.length) throw usageError(issues);
  return out;
}

/** The method config for `name` with `options` (raw strings from --set, or values from a program). */
export function resolveMethod(name: string, options: Readonly<Record<string, unknown>> = {}): MethodConfig {
  const alias = METHOD_ALIASES[name];
  if (!alias) throw new LedgerLabError({ kind: 'usage', code: 'usage.unknown_method', problem: `unknown method "${name}"`, where: '--method', hint: `known: ${methodNames().join(', ')}` });
  const issues: ErrorIssue[] = [];
  const opts: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(options)) {
    const key = KEY_ALIASES[k] ?? k;
    if (!KEYS[alias.method].includes(key)) issues.push({ path: [k], message: `unknown option for ${alias.method}; known: ${KEYS[alias.method].join(', ') || '(none)'}` });
    else opts[key] = v;
  }
  const r = new Reader(opts, issues);
  const cfg = build(alias.method, r, alias.chatglm === true);
  if (issues.length) throw usageError(issues, name);
  return { ...cfg, label: name };
}

function build(method: PeftMethod, r: Reader, chatglm: boolean): MethodCore {
  switch (method) {
    case 'full': return { method };
    case 'lora': return {
      method, r: r.int('r', 8), lora_alpha: r.num('lora_alpha', 8), lora_dropout: r.num('lora_dropout', 0), target_modules: r.targets(),
      bias: r.choice('bias', ['none', 'all', 'lora_only'] as const, 'none'), use_rslora: r.bool('use_rslora', false), use_dora: r.bool('use_dora', false),
    };
    // LedgerLab's ptuning-v2 keeps its own default length (16, lib/peft/method.ts); PEFT requires the field
    case 'prefix_tuning': return { method, num_virtual_tokens: r.int('num_virtual_tokens', chatglm ? 16 : undefined), prefix_projection: r.bool('prefix_projection', false), encoder_hidden_size: r.optInt('encoder_hidden_size'), chatglmStyle: chatglm };
    case 'prompt_tuning': r.choice('prompt_tuning_init', ['RANDOM', 'TEXT', 'SAMPLE_VOCAB'] as const, 'RANDOM');
      return { method, num_virtual_tokens: r.int('num_virtual_tokens'), num_transformer_submodules: r.int('num_transformer_submodules', 1) };
    case 'p_tuning': return {
      method, num_virtual_tokens: r.int('num_virtual_tokens'), num_transformer_submodules: r.int('num_transformer_submodules', 1),
      encoder_reparameterization_type: r.choice('encoder_reparameterization_type', ['MLP', 'LSTM'] as const, 'MLP', true),
      encoder_hidden_size: r.optInt('encoder_hidden_size'), encoder_num_layers: r.int('encoder_num_layers', 2), encoder_dropout: r.num('encoder_dropout', 0),
    };
  }
}

/** Typed reads of one option each; a bad or missing value becomes an issue and a harmless placeholder. */
class Reader {
  private readonly o: Record<string, unknown>;
  private readonly issues: ErrorIssue[];
  constructor(o: Record<string, unknown>, issues: ErrorIssue[]) {
    this.o = o;
    this.issues = issues;
  }
  private bad(key: string, message: string) { this.issues.push({ path: [key], message }); }
  optInt(key: string): number | undefined {
    return this.o[key] === undefined ? undefined : this.int(key);
  }
  int(key: string, fallback?: number): number {
    const raw = this.o[key];
    if (raw === undefined) {
      if (fallback === undefined) this.bad(key, 'required (PEFT has no default)');
      return fallback ?? 1;
    }
    const v = Number(raw);
    if (!Number.isInteger(v) || v < 1) { this.bad(key, `expected a positive integer, got ${JSON.stringify(raw)}`); return 1; }
    return v;
  }
  num(key: string, fallback: number): number {
    const raw = this.o[key];
    if (raw === undefined) return fallback;
    const v = Number(raw);
    if (!Number.isFinite(v) || v < 0) { this.bad(key, `expected a number ≥ 0, got ${JSON.stringify(raw)}`); return fallback; }
    return v;
  }
  bool(key: string, fallback: boolean): boolean {
    const raw = this.o[key];
    if (raw === undefined) return fallback;
    if (raw === true || raw === 'true' || raw === 'True') return true;
    if (raw === false || raw === 'false' || raw === 'False') return false;
    this.bad(key, `expected true or false, got ${JSON.stringify(raw)}`);
    return fallback;
  }
  choice<T extends string>(key: string, values: readonly T[], fallback: T, upper = false): T {
    const raw = this.o[key];
    if (raw === undefined) return fallback;
    const v = upper ? String(raw).toUpperCase() : String(raw);
    if (!(values as readonly string[]).includes(v)) { this.bad(key, `expected one of ${values.join(', ')}, got ${JSON.stringify(raw)}`); return fallback; }
    return v as T;
  }
  targets(): string[] | 'all-linear' | undefined {
    const raw = this.o.target_modules;
    if (raw === undefined) return undefined;
    const list = typeof raw === 'string' ? raw.split(',').map((x) => x.trim()).filter(Boolean) : raw;
    if (!Array.isArray(list) || list.length === 0 || list.some((x) => typeof x !== 'string')) { this.bad('target_modules', `expected module names ("q_proj,v_proj") or "all-linear", got ${JSON.stringify(raw)}`); return undefined; }
    // LLaMA-Factory's "all" is PEFT's all-linear
    if (list.length === 1 && ['all-linear', 'all'].includes(String(list[0]).toLowerCase())) return 'all-linear';
    return list as string[];
  }
}

function usageError(issues: ErrorIssue[], method?: string): LedgerLabError {
  return new LedgerLabError({
    kind: 'usage', code: 'usage.bad_option', issues,
    problem: `${method ? `options of "${method}"` : '--set'}: ${issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    where: `--set ${String(issues[0].path[0])}`,
  });
}

/** Does method `name` take option `key` (PEFT's name or an alias)? For routing one --set list to two methods. */
export function methodTakes(name: string, key: string): boolean {
  const alias = METHOD_ALIASES[name];
  return alias !== undefined && KEYS[alias.method].includes(KEY_ALIASES[key] ?? key);
}

/** The storage a method name implies when none is given (`qlora`: nf4-dq). */
export function impliedStorage(name: string): string | undefined {
  return METHOD_ALIASES[name]?.storage;
}
