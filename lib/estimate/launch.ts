/**
 * What the web workbench's launch form is about to start → an estimate of it on this machine (`cpu` preset: the
 * engine that will run it). Works for kinds whose validated config has a `model` (a LedgerLab shape), a `method`
 * (LedgerLab's names), a `quant` and `train` (finetune, …); anything else gets a reason instead of a guess:
 * a Hugging Face checkpoint (the form makes the server read no model files for an estimate), a GPT-2 LoRA on part
 * of q/k/v (LedgerLab adapts them separately where PEFT's c_attn is one fused module, so PEFT's count would not
 * be this run's), a kind without those fields.
 */
import { getExperimentKind } from '../experiments/index.ts';
import type { GptConfig } from '../model/index.ts';
import type { MethodSpec } from '../peft/index.ts';
import type { EstimateInput } from './estimate.ts';

export type LaunchEstimateInput = { input: EstimateInput } | { reason: string };

interface Parsed {
  model?: GptConfig | { from: string };
  method?: MethodSpec;
  quant?: string;
  train?: { batchSize?: number; checkpoint?: boolean; padding?: string };
  data?: { maxSource?: number; maxTarget?: number };
}

/** LedgerLab's shape as the config.json transformers would write for it. */
export function hfConfigOf(c: GptConfig): Record<string, unknown> {
  if (c.arch !== 'llama') return { model_type: 'gpt2', n_embd: c.dModel, n_layer: c.layers, n_head: c.heads, n_positions: c.context, vocab_size: c.vocab, n_inner: c.ffn ?? null, tie_word_embeddings: c.tiedHead };
  return {
    model_type: c.qkvBias ? 'qwen2' : 'llama', hidden_size: c.dModel, num_hidden_layers: c.layers, num_attention_heads: c.heads,
    num_key_value_heads: c.kvHeads ?? c.heads, intermediate_size: c.ffn, vocab_size: c.vocab, tie_word_embeddings: c.tiedHead,
  };
}

const LLAMA_MODULES: Record<string, string> = { q: 'q_proj', k: 'k_proj', v: 'v_proj', o: 'o_proj', gate: 'gate_proj', up: 'up_proj', down: 'down_proj' };

/** LedgerLab's method → PEFT's name and options, or why it has no PEFT equivalent on this shape. */
function peftMethodOf(m: MethodSpec, c: GptConfig): { method: string; options: Record<string, unknown> } | string {
  switch (m.method) {
    case 'full': return { method: 'full', options: {} };
    // LedgerLab's projection starts from d, PEFT's (under GQA) from the kv width; its LSTM has one bias vector
    case 'ptuning-v2': return m.projection && (c.kvHeads ?? c.heads) !== c.heads ? 'a projected prefix under grouped-query attention has no PEFT equivalent' : { method: 'ptuning-v2', options: { num_virtual_tokens: m.prefixLength, prefix_projection: m.projection, encoder_hidden_size: m.projectionHidden } };
    case 'ptuning-v1': return m.encoder === 'lstm' ? 'LedgerLab\'s LSTM prompt encoder (one bias vector) has no PEFT equivalent' : { method: 'ptuning-v1', options: { num_virtual_tokens: m.promptLength, encoder_reparameterization_type: m.encoder, encoder_hidden_size: m.encoderHidden } };
    case 'prompt-tuning': return { method: 'prompt-tuning', options: { num_virtual_tokens: m.promptLength } };
    case 'lora': {
      const names = c.arch === 'llama' ? m.targets.map((t) => LLAMA_MODULES[t]) : undefined;
      if (!names || names.some((x) => !x)) return `LoRA on ${m.targets.join(', ')} of a ${c.arch ?? 'gpt2'} model has no PEFT module equivalent`;
      return { method: 'lora', options: { r: m.r, lora_alpha: m.alpha, target_modules: names, use_rslora: m.rslora } };
    }
  }
}

/** The estimate input for a launch request (kind + config), or the reason there is none. */
export function launchEstimateInput(kind: string, config: unknown): LaunchEstimateInput {
  const k = getExperimentKind(kind);
  if (!k) return { reason: `unknown kind "${kind}"` };
  let p: Parsed;
  try {
    p = k.configSchema.parse(config ?? {}) as Parsed;
  } catch {
    return { reason: 'the config does not validate yet (Validate shows where)' };
  }
  if (!p.model || !p.method || !p.train) return { reason: `a ${kind} run has no single model and method to estimate` };
  if ('from' in p.model) return { reason: 'a Hugging Face checkpoint: run `ledgerlab estimate --model DIR` on it' };
  const model = p.model as GptConfig;
  const m = peftMethodOf(p.method, model);
  if (typeof m === 'string') return { reason: m };
  const seq = (p.data?.maxSource ?? 64) + (p.data?.maxTarget ?? 128);
  return {
    input: {
      config: hfConfigOf(model), source: 'the launch form', method: m.method, options: m.options, storage: p.quant ?? 'fp32', compute: 'fp32',
      batch: { batchSize: p.train.batchSize ?? 8, seqLen: seq }, checkpoint: p.train.checkpoint ?? false, device: 'cpu',
    },
  };
}
