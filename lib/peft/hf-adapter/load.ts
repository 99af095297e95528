/**
 * Loads a PEFT adapter folder (adapter_config.json + adapter_model.safetensors) onto a built base model, so
 * the model computes what `PeftModel.from_pretrained(base, DIR)` computes in inference mode.
 *
 *  - LORA: every `base_model.model.<module>.lora_{A,B}.weight` pair wraps the matching linear with
 *    scale lora_alpha/r (lora_alpha/√r with use_rslora; rank_pattern / alpha_pattern per module). A fused
 *    GPT-2 c_attn LoRA is split by output rows onto q, k and v; rank columns whose B part is all zero are
 *    dropped (an adapter written by `peftAdapter` then comes back with exactly the trained matrices).
 *  - PREFIX_TUNING: prompt_embeddings [P, layers·2·token_dim] become the per-layer key/value prefix.
 *  - PROMPT_TUNING, P_TUNING: prompt_embeddings [P, d] become the virtual tokens.
 * Every mismatch (missing file, unknown peft_type, a key that names no module, a shape that is not the
 * base's) is a LedgerLabError naming the file and the key.
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerLabError } from '../../errors.ts';
import { type Gpt, headDim, kvHeads, type HfModelType, readSafetensors, toTypedArray } from '../../model/index.ts';
import { decodeBf16, decodeF16 } from '../../quant/index.ts';
import { LoraLinear, LORA_TARGETS } from '../lora.ts';
import { applyPrefix } from '../prefix.ts';
import { applyPromptTuning } from '../prompt.ts';
import { ADAPTER_CONFIG, ADAPTER_WEIGHTS } from './export.ts';
import { moduleOf, PEFT_PREFIX, ROLE } from './modules.ts';

export const PEFT_TYPES = ['LORA', 'PREFIX_TUNING', 'P_TUNING', 'PROMPT_TUNING'] as const;
export type PeftType = (typeof PEFT_TYPES)[number];

export interface LoadedAdapter {
  peftType: PeftType;
  config: Record<string, unknown>;
  /** Neutral linears that received a LoRA (LORA only). */
  wrapped: string[];
  /** What was loaded but deserves a look, e.g. target_modules naming no module of this base (ignored). */
  warnings: string[];
}

const bad = (problem: string, where: string, hint?: string) => new LedgerLabError({ kind: 'data', problem, where, hint });

/** adapter_config.json, checked for the fields the loader needs. */
export function readPeftConfig(dir: string): Record<string, unknown> & { peft_type: PeftType } {
  if (!existsSync(dir)) throw new LedgerLabError({ kind: 'usage', problem: `adapter folder ${dir} does not exist`, where: dir });
  const path = join(dir, ADAPTER_CONFIG);
  if (!existsSync(path)) throw bad(`${ADAPTER_CONFIG} is missing`, dir, 'a PEFT adapter folder holds adapter_config.json and adapter_model.safetensors (save_pretrained writes both)');
  let j: unknown;
  try {
    j = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw bad(`not valid JSON (${(e as Error).message})`, path);
  }
  if (!j || typeof j !== 'object' || Array.isArray(j)) throw bad('is not a JSON object', path);
  const c = j as Record<string, unknown>;
  if (!(PEFT_TYPES as readonly unknown[]).includes(c.peft_type)) {
    throw bad(`peft_type ${JSON.stringify(c.peft_type)} is not supported`, `${path}: peft_type`, `supported: ${PEFT_TYPES.join(', ')}`);
  }
  if (c.task_type !== undefined && c.task_type !== null && c.task_type !== 'CAUSAL_LM') {
    throw bad(`task_type ${JSON.stringify(c.task_type)}: only CAUSAL_LM adapters load onto a decoder`, `${path}: task_type`);
  }
  return c as Record<string, unknown> & { peft_type: PeftType };
}

function num(c: Record<string, unknown>, key: string, path: string): number {
  const v = c[key];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw bad(`"${key}" must be a number, got ${JSON.stringify(v)}`, `${path}: ${key}`);
  return v;
}

/** pattern → value lookup as PEFT does it: the first key k with module matching `.*\.k$`. */
function pattern(p: unknown, module: string): number | undefined {
  if (!p || typeof p !== 'object') return undefined;
  for (const [k, v] of Object.entries(p as Record<string, number>)) if (new RegExp(`(^|.*\\.)${k}$`).test(module)) return v;
  return undefined;
}

/** module path → the neutral linears in it (one, or GPT-2's q, k, v with their rows). */
function moduleMap(model: Gpt, modelType: HfModelType): Map<string, Array<{ name: string; rows?: [number, number] }>> {
  const byModule = new Map<string, Array<{ name: string; rows?: [number, number] }>>();
  for (let i = 0; i < model.config.layers; i++) {
    for (const t of LORA_TARGETS) {
      const name = `blocks.${i}.${ROLE[t]}`;
      if (!model.linears.has(name)) continue;
      const slot = moduleOf(name, modelType, model.config);
      const list = byModule.get(slot.module) ?? [];
      list.push({ name, rows: slot.rows });
      byModule.set(slot.module, list);
    }
  }
  return byModule;
}

/**
 * target_modules entries that match no LoRA-capable module of this base (PEFT: a list matches by dotted suffix,
 * a string is a full-match regex). They load nothing, silently in PEFT too — so say which.
 */
export function unknownTargetModules(targets: unknown, modules: readonly string[]): string[] {
  if (typeof targets === 'string') {
    let re: RegExp | undefined;
    try { re = new RegExp(`^(?:${targets})$`); } catch { /* an invalid pattern matches nothing */ }
    return re && modules.some((m) => re.test(m)) ? [] : [targets];
  }
  if (!Array.isArray(targets)) return [];
  return targets.map(String).filter((t) => !modules.some((m) => m === t || m.endsWith(`.${t}`)));
}

function loadLora(model: Gpt, cfg: Record<string, unknown>, tensors: Map<string, Float32Array & { shape?: number[] }>, shapes: Map<string, number[]>, modelType: HfModelType, dir: string): string[] {
  const cfgPath = join(dir, ADAPTER_CONFIG);
  const file = join(dir, ADAPTER_WEIGHTS);
  const r0 = num(cfg, 'r', cfgPath);
  const alpha0 = num(cfg, 'lora_alpha', cfgPath);
  const rs = cfg.use_rslora === true;
  if (cfg.use_dora === true) throw bad('DoRA adapters (use_dora) are not supported', `${cfgPath}: use_dora`);
  const byModule = moduleMap(model, modelType);
  const seen = new Set<string>();
  const wrapped: string[] = [];
  for (const key of tensors.keys()) {
    const m = /^base_model\.model\.(.+)\.lora_([AB])(?:\.default)?\.weight$/.exec(key);
    if (!m) throw bad(`tensor "${key}" is not a LoRA weight (base_model.model.<module>.lora_A/B.weight)`, file, 'modules_to_save, bias and DoRA tensors are not supported');
    if (!byModule.has(m[1])) throw bad(`tensor "${key}" names module "${m[1]}", which a ${modelType} base with ${model.config.layers} layers does not have`, file, 'was the adapter trained on a different base?');
    seen.add(m[1]);
  }
  for (const module of seen) {
    const aKey = `${PEFT_PREFIX}${module}.lora_A.weight`;
    const bKey = `${PEFT_PREFIX}${module}.lora_B.weight`;
    const A = tensors.get(aKey);
    const B = tensors.get(bKey);
    if (!A || !B) throw bad(`"${A ? bKey : aKey}" is missing (every LoRA module needs lora_A and lora_B)`, file);
    const parts = byModule.get(module)!;
    const lin0 = model.linears.get(parts[0].name)!;
    const inF = lin0.inFeatures;
    const outF = parts[0].rows ? 3 * model.config.dModel : lin0.outFeatures;
    const [R, aIn] = shapes.get(aKey)!;
    const [bOut, bR] = shapes.get(bKey)!;
    const r = pattern(cfg.rank_pattern, module) ?? r0;
    const alpha = pattern(cfg.alpha_pattern, module) ?? alpha0;
    if (aIn !== inF || bOut !== outF || bR !== R || R !== r) {
      throw bad(`"${aKey}" [${R}, ${aIn}] / lora_B [${bOut}, ${bR}] do not fit the base module (in ${inF}, out ${outF}, r ${r}): expected lora_A [${r}, ${inF}], lora_B [${outF}, ${r}]`, file, 'the adapter was trained on a base with other shapes, or r / rank_pattern in adapter_config.json disagree with the tensors');
    }
    const scale = rs ? alpha / Math.sqrt(r) : alpha / r;
    for (const { name, rows } of parts) {
      const lin = model.linears.get(name)!;
      const [row0, row1] = rows ?? [0, outF];
      const outT = row1 - row0;
      // Rank columns this part uses (all of them for an unfused module).
      const cols: number[] = [];
      for (let k = 0; k < R; k++) {
        let used = !rows;
        for (let j = row0; j < row1 && !used; j++) used = B[j * R + k] !== 0;
        if (used) cols.push(k);
      }
      if (cols.length === 0) continue;
      const k = cols.length;
      const a = new Float32Array(inF * k); // [in, k]
      const b = new Float32Array(k * outT); // [k, out_t]
      cols.forEach((col, ci) => {
        for (let x = 0; x < inF; x++) a[x * k + ci] = A[col * inF + x];
        for (let j = 0; j < outT; j++) b[ci * outT + j] = B[(row0 + j) * R + col];
      });
      if (lin instanceof LoraLinear) throw bad(`${name} already has a LoRA adapter`, file);
      const Av = model.addTrainable(`${name}.lora_A`, tf.tensor2d(a, [inF, k]));
      const Bv = model.addTrainable(`${name}.lora_B`, tf.tensor2d(b, [k, outT]));
      model.linears.set(name, new LoraLinear(lin, Av, Bv, scale, 0));
      wrapped.push(name);
    }
  }
  return wrapped;
}

/**
 * Loads the adapter in `dir` onto `model` (a base built without a method). `modelType` tells which module
 * names the base's checkpoint uses.
 *
 * @example
 * const { model } = openModel('SmolLM2-135M');
 * loadPeftAdapter(model, 'my-adapter', 'llama');
 */
export async function loadPeftAdapter(model: Gpt, dir: string, modelType: HfModelType): Promise<LoadedAdapter> {
  const cfg = readPeftConfig(dir);
  const cfgPath = join(dir, ADAPTER_CONFIG);
  const file = join(dir, ADAPTER_WEIGHTS);
  if (!existsSync(file)) {
    const bin = existsSync(join(dir, 'adapter_model.bin'));
    throw bad(`${ADAPTER_WEIGHTS} is missing`, dir, bin ? 'adapter_model.bin (pickle) is not read; save the adapter with safe_serialization=True' : undefined);
  }
  const content = readSafetensors(file);
  const tensors = new Map<string, Float32Array>();
  const shapes = new Map<string, number[]>();
  for (const [name, t] of content.tensors) {
    if (t.dtype !== 'F32' && t.dtype !== 'F16' && t.dtype !== 'BF16') throw bad(`tensor "${name}" is ${t.dtype}; adapters are float`, file);
    const raw = toTypedArray(t);
    const data = t.dtype === 'F32' ? (raw as Float32Array) : (t.dtype === 'F16' ? decodeF16(raw as Uint16Array) : decodeBf16(raw as Uint16Array));
    tensors.set(name, data);
    shapes.set(name, t.shape);
  }
  if (model.extras || [...model.linears.values()].some((l) => l instanceof LoraLinear)) {
    throw new LedgerLabError({ kind: 'usage', problem: 'the model already carries an adapter', where: dir, hint: 'load a PEFT adapter onto a plain base' });
  }
  const c = model.config;
  if (cfg.peft_type === 'LORA') {
    const unknown = unknownTargetModules(cfg.target_modules, [...moduleMap(model, modelType).keys()]);
    const warnings = unknown.length ? [`${cfgPath}: target_modules ${unknown.map((u) => JSON.stringify(u)).join(', ')} name no module a ${modelType} base can carry a LoRA on (q/k/v/o, gate/up/down, fc/proj); they were ignored`] : [];
    return { peftType: 'LORA', config: cfg, wrapped: loadLora(model, cfg, tensors, shapes, modelType, dir), warnings };
  }
  const emb = tensors.get('prompt_embeddings');
  if (!emb) throw bad('tensor "prompt_embeddings" is missing', file, 'PEFT saves a prompt-learning adapter as one tensor, prompt_embeddings');
  const extra = [...tensors.keys()].find((k) => k !== 'prompt_embeddings');
  if (extra) throw bad(`unexpected tensor "${extra}" in a ${cfg.peft_type} adapter`, file);
  const [P, width] = shapes.get('prompt_embeddings')!;
  if (cfg.num_virtual_tokens !== undefined && cfg.num_virtual_tokens !== P) throw bad(`num_virtual_tokens is ${JSON.stringify(cfg.num_virtual_tokens)} but prompt_embeddings has ${P} rows`, `${cfgPath}: num_virtual_tokens`);
  if (cfg.peft_type === 'PREFIX_TUNING') {
    const want = c.layers * 2 * kvHeads(c) * headDim(c);
    if (width !== want) throw bad(`prompt_embeddings is [${P}, ${width}]; this base needs [${P}, ${want}] (layers ${c.layers} × 2 × kv heads ${kvHeads(c)} × head dim ${headDim(c)})`, file, 'was the adapter trained on a different base?');
    applyPrefix(model, { prefixLength: P, projection: false, projectionHidden: 1, prefixDropout: 0, seed: 0 });
    model.trainable.get('prefix.embedding')!.assign(tf.tensor2d(emb, [P, width]));
  } else {
    if (width !== c.dModel) throw bad(`prompt_embeddings is [${P}, ${width}]; this base's embedding width is ${c.dModel}`, file, 'was the adapter trained on a different base?');
    await applyPromptTuning(model, { promptLength: P, seed: 0 });
    model.trainable.get('prompt.embedding')!.assign(tf.tensor2d(emb, [P, width]));
  }
  return { peftType: cfg.peft_type, config: cfg, wrapped: [], warnings: [] };
}
