/**
 * A trained adapter in PEFT's on-disk format: `adapter_config.json` + `adapter_model.safetensors`, the files
 * `PeftModel.from_pretrained(base, DIR)` reads.
 *
 *  - LoRA: `base_model.model.<module>.lora_A.weight` [r, in] and `.lora_B.weight` [out, r] (PEFT's nn.Linear
 *    layout; ours are [in, r] and [r, out], so both are transposed). GPT-2's q, k, v are one fused c_attn
 *    Conv1D in the checkpoint, so LoRA on n of them is written as ONE c_attn LoRA of rank n·r: A stacks the
 *    n A matrices, B is block-diagonal (each target's B in its third of the 3·d outputs, zeros elsewhere).
 *    x·A'·B' then equals the sum of the separate updates exactly; `rank_pattern` / `alpha_pattern` give
 *    c_attn rank n·r and alpha n·alpha (√n·alpha with rsLoRA) so its scale is the trained one. Conv1D modules
 *    set `fan_in_fan_out` as PEFT requires for GPT-2.
 *  - Prompt learning (PREFIX_TUNING, P_TUNING, PROMPT_TUNING): PEFT stores one tensor `prompt_embeddings`,
 *    the prompt encoder's output (get_prompt_embedding_to_save). We write the evaluated output too, and
 *    `inference_mode: true`, under which PEFT builds a plain embedding of exactly that shape (no MLP/LSTM
 *    re-run): prefix [P, layers·2·token_dim] laid out as PEFT's get_prompt reads it — view(P, layers·2,
 *    heads, head_dim), slot 2i = layer i's keys, 2i+1 its values; soft prompts [P, d].
 */
import * as tf from '@tensorflow/tfjs';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerLabError } from '../../errors.ts';
import { type Gpt, headDim, kvHeads, type HfModelType, tensorFromArray, writeSafetensors, type SafeTensor } from '../../model/index.ts';
import type { MethodSpec } from '../method.ts';
import { LoraLinear, type LoraTarget } from '../lora.ts';
import { moduleOf, PEFT_PREFIX, ROLE, targetModuleName } from './modules.ts';

export const ADAPTER_CONFIG = 'adapter_config.json';
export const ADAPTER_WEIGHTS = 'adapter_model.safetensors';

export interface PeftAdapter {
  config: Record<string, unknown>;
  tensors: Map<string, SafeTensor>;
}

export interface PeftExportOptions {
  /** transformers model_type of the base ("llama", "qwen2", "mistral", "gpt2"). */
  modelType: HfModelType;
  /** Written as base_model_name_or_path: the base checkpoint's directory (or hub id). */
  base: string;
}

function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

const f32 = (shape: number[], data: Float32Array) => tensorFromArray('F32', shape, data);

async function loraAdapter(model: Gpt, spec: Extract<MethodSpec, { method: 'lora' }>, o: PeftExportOptions): Promise<PeftAdapter> {
  const c = model.config;
  const tensors = new Map<string, SafeTensor>();
  // "all" (every LORA_TARGETS entry) wraps only the linears this family has (lora.ts): export those.
  const targets = spec.targets.filter((t) => model.linears.has(`blocks.0.${ROLE[t]}`));
  const rankPattern: Record<string, number> = {};
  const alphaPattern: Record<string, number> = {};
  for (let i = 0; i < c.layers; i++) {
    // Group the targets by checkpoint module (GPT-2's q, k, v share c_attn).
    const groups = new Map<string, Array<{ t: LoraTarget; lin: LoraLinear; rows?: [number, number] }>>();
    for (const t of targets) {
      const name = `blocks.${i}.${ROLE[t]}`;
      const lin = model.linears.get(name);
      if (!(lin instanceof LoraLinear)) throw new LedgerLabError({ kind: 'usage', problem: `${name} carries no LoRA adapter`, where: 'exportPeft' });
      if (lin.isMerged) throw new LedgerLabError({ kind: 'usage', problem: `${name}'s LoRA is merged into the base; unmerge before exporting the adapter`, where: 'exportPeft' });
      const slot = moduleOf(name, o.modelType, c);
      const g = groups.get(slot.module) ?? [];
      g.push({ t, lin, rows: slot.rows });
      groups.set(slot.module, g);
    }
    for (const [module, g] of groups) {
      const inF = g[0].lin.inFeatures;
      const outF = g[0].rows ? 3 * c.dModel : g[0].lin.outFeatures;
      const r = spec.r;
      const R = r * g.length;
      const A = new Float32Array(R * inF);
      const B = new Float32Array(outF * R);
      for (let m = 0; m < g.length; m++) {
        const { lin, rows } = g[m];
        const a = (await lin.A.data()) as Float32Array; // [in, r]
        const b = (await lin.B.data()) as Float32Array; // [r, out_t]
        const outT = lin.outFeatures;
        A.set(transpose(a, inF, r), m * r * inF);
        const row0 = rows ? rows[0] : 0;
        for (let k = 0; k < r; k++) for (let j = 0; j < outT; j++) B[(row0 + j) * R + m * r + k] = b[k * outT + j];
      }
      tensors.set(`${PEFT_PREFIX}${module}.lora_A.weight`, f32([R, inF], A));
      tensors.set(`${PEFT_PREFIX}${module}.lora_B.weight`, f32([outF, R], B));
      if (g.length > 1) {
        const key = module.split('.').pop()!;
        rankPattern[key] = R;
        alphaPattern[key] = spec.rslora ? spec.alpha * Math.sqrt(g.length) : spec.alpha * g.length;
      }
    }
  }
  const targetModules = [...new Set(targets.map((t) => targetModuleName(t, o.modelType, targets)))].sort();
  return {
    tensors,
    config: {
      peft_type: 'LORA', task_type: 'CAUSAL_LM', base_model_name_or_path: o.base, inference_mode: true,
      r: spec.r, lora_alpha: spec.alpha, lora_dropout: spec.dropout, target_modules: targetModules,
      use_rslora: spec.rslora, fan_in_fan_out: o.modelType === 'gpt2', bias: 'none', modules_to_save: null,
      init_lora_weights: true, rank_pattern: rankPattern, alpha_pattern: alphaPattern, use_dora: false,
      layers_to_transform: null, layers_pattern: null, revision: null,
    },
  };
}

/** The prompt encoder's evaluated output (eval mode), as PEFT saves prompt_embeddings. */
async function promptEmbeddings(model: Gpt): Promise<{ prompt?: Float32Array; prefix?: Float32Array; length: number }> {
  const extras = model.extras;
  if (!extras) throw new LedgerLabError({ kind: 'usage', problem: 'the model has no prompt or prefix to export', where: 'exportPeft' });
  let n = 0;
  const c = model.config;
  const H = kvHeads(c);
  const hd = headDim(c);
  const out = tf.tidy(() => {
    const e = extras(1, { training: false, seed: () => n++ });
    if (e.prompt) return { prompt: tf.squeeze(e.prompt, [0]) as tf.Tensor2D };
    // keys[i], values[i]: [1, H, P, hd] → [P, layers·2, H, hd] → [P, layers·2·H·hd].
    const slots: tf.Tensor[] = [];
    for (let i = 0; i < c.layers; i++) slots.push(e.prefix!.keys[i], e.prefix!.values[i]);
    const stacked = tf.concat(slots, 0); // [layers·2, H, P, hd]
    const P = stacked.shape[2]!;
    return { prefix: tf.reshape(tf.transpose(stacked, [2, 0, 1, 3]), [P, c.layers * 2 * H * hd]) as tf.Tensor2D };
  });
  const t = (out.prompt ?? out.prefix)!;
  const data = (await t.data()) as Float32Array;
  const length = t.shape[0];
  t.dispose();
  return out.prompt ? { prompt: data, length } : { prefix: data, length };
}

/**
 * The PEFT adapter of a built model (its method's trained tensors), in memory.
 *
 * @example
 * const a = await peftAdapter(model, spec, { modelType: 'llama', base: 'SmolLM2-135M' });
 * writePeftAdapter('out/adapter', a);
 */
export async function peftAdapter(model: Gpt, spec: MethodSpec, o: PeftExportOptions): Promise<PeftAdapter> {
  const c = model.config;
  const common = { task_type: 'CAUSAL_LM', base_model_name_or_path: o.base, inference_mode: true, revision: null, num_layers: c.layers, num_transformer_submodules: 1 };
  switch (spec.method) {
    case 'lora':
      return loraAdapter(model, spec, o);
    case 'full':
      throw new LedgerLabError({ kind: 'usage', problem: 'a full fine-tuning run has no adapter; PEFT\'s format holds adapters only', where: '--format peft', hint: 'export it with --format merged (a whole checkpoint)' });
    case 'ptuning-v2': {
      const { prefix, length } = await promptEmbeddings(model);
      // GQA: PEFT sizes the prefix by key/value heads (token_dim = kv_heads·head_dim, num_attention_heads = kv_heads).
      const tensors = new Map([['prompt_embeddings', f32([length, c.layers * 2 * kvHeads(c) * headDim(c)], prefix!)]]);
      return {
        tensors,
        config: {
          ...common, peft_type: 'PREFIX_TUNING', num_virtual_tokens: length, token_dim: kvHeads(c) * headDim(c),
          num_attention_heads: kvHeads(c), prefix_projection: spec.projection, encoder_hidden_size: spec.projectionHidden,
        },
      };
    }
    case 'ptuning-v1':
    case 'prompt-tuning': {
      const { prompt, length } = await promptEmbeddings(model);
      const tensors = new Map([['prompt_embeddings', f32([length, c.dModel], prompt!)]]);
      const base = { ...common, num_virtual_tokens: length, token_dim: c.dModel, num_attention_heads: c.heads };
      return {
        tensors,
        config: spec.method === 'ptuning-v1'
          ? { ...base, peft_type: 'P_TUNING', encoder_reparameterization_type: spec.encoder.toUpperCase(), encoder_hidden_size: spec.encoderHidden, encoder_num_layers: spec.encoder === 'lstm' ? 1 : 2, encoder_dropout: 0 }
          : { ...base, peft_type: 'PROMPT_TUNING', prompt_tuning_init: 'RANDOM', prompt_tuning_init_text: null, tokenizer_name_or_path: null },
      };
    }
  }
}

/** Writes adapter_config.json and adapter_model.safetensors (atomically each) into `dir`. */
export function writePeftAdapter(dir: string, a: PeftAdapter): void {
  mkdirSync(dir, { recursive: true });
  writeSafetensors(join(dir, ADAPTER_WEIGHTS), a.tensors, { format: 'pt' });
  writeFileSync(join(dir, ADAPTER_CONFIG), JSON.stringify(a.config, null, 2) + '\n');
}
