/**
 * The inverse of `loadPretrained`: neutral weights → a transformers checkpoint directory (config.json +
 * model.safetensors, F32) that `loadPretrained` and transformers' from_pretrained read. Each tensor follows
 * its load recipe backwards: nn.Linear weights transposed back to [out, in], GPT-2's q, k, v columns put
 * back into the fused c_attn. config.json is the base's own (torch_dtype set to float32) when there is one,
 * else written from the decoder config.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerLabError } from '../../errors.ts';
import { type GptConfig, ffnWidth, kvHeads, normEps, ropeTheta } from '../config.ts';
import { expectedShapes } from '../shapes.ts';
import type { Weights } from '../init.ts';
import { tensorFromArray, writeSafetensors, type SafeTensor } from '../safetensors.ts';
import type { HfModelType } from './config.ts';
import { recipeFor } from './names.ts';

/** config.json for a decoder config (when no base config.json is at hand). */
export function configToHf(c: GptConfig, type: HfModelType): Record<string, unknown> {
  if (type === 'gpt2') {
    return {
      architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', n_layer: c.layers, n_embd: c.dModel, n_head: c.heads,
      n_positions: c.context, n_ctx: c.context, vocab_size: c.vocab, n_inner: ffnWidth(c), activation_function: 'gelu_new',
      layer_norm_epsilon: normEps(c), tie_word_embeddings: c.tiedHead, torch_dtype: 'float32',
    };
  }
  return {
    architectures: [type === 'qwen2' ? 'Qwen2ForCausalLM' : type === 'mistral' ? 'MistralForCausalLM' : 'LlamaForCausalLM'], model_type: type,
    hidden_size: c.dModel, intermediate_size: ffnWidth(c), num_hidden_layers: c.layers, num_attention_heads: c.heads,
    num_key_value_heads: kvHeads(c), vocab_size: c.vocab, max_position_embeddings: c.context, rms_norm_eps: normEps(c),
    rope_theta: ropeTheta(c), hidden_act: 'silu', tie_word_embeddings: c.tiedHead, torch_dtype: 'float32',
  };
}

/** Neutral weights → the checkpoint's tensors, by name. */
export function neutralToHf(weights: Weights, c: GptConfig, type: HfModelType): Map<string, SafeTensor> {
  const out = new Map<string, { shape: number[]; data: Float32Array }>();
  const d = c.dModel;
  for (const [name, want] of expectedShapes(c)) {
    const w = weights.get(name);
    if (!w) throw new LedgerLabError({ kind: 'data', problem: `weight "${name}" is missing`, where: 'saveHfCheckpoint' });
    if (w.shape.join() !== want.join()) throw new LedgerLabError({ kind: 'data', problem: `weight "${name}" is [${w.shape.join(', ')}], expected [${want.join(', ')}]`, where: 'saveHfCheckpoint' });
    const r = recipeFor(name, type, c)!;
    if (r.columns) {
      const rows = w.shape.length === 2 ? w.shape[0] : 1;
      const fused = out.get(r.source) ?? { shape: w.shape.length === 2 ? [rows, 3 * d] : [3 * d], data: new Float32Array(rows * 3 * d) };
      for (let i = 0; i < rows; i++) fused.data.set(w.data.subarray(i * d, (i + 1) * d), i * 3 * d + r.columns[0]);
      out.set(r.source, fused);
    } else if (r.transpose) {
      const [rows, cols] = w.shape;
      const t = new Float32Array(rows * cols);
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = w.data[i * cols + j];
      out.set(r.source, { shape: [cols, rows], data: t });
    } else {
      out.set(r.source, { shape: [...w.shape], data: w.data });
    }
  }
  return new Map([...out].map(([k, v]) => [k, tensorFromArray('F32', v.shape, v.data)]));
}

/**
 * Writes `dir/config.json` and `dir/model.safetensors`.
 *
 * @example
 * saveHfCheckpoint('merged', await model.exportWeights(), model.config, 'llama', baseConfigJson);
 */
export function saveHfCheckpoint(dir: string, weights: Weights, c: GptConfig, type: HfModelType, baseConfig?: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  const tensors = neutralToHf(weights, c, type);
  writeSafetensors(join(dir, 'model.safetensors'), tensors, { format: 'pt' });
  const config = baseConfig ? { ...baseConfig, torch_dtype: 'float32' } : configToHf(c, type);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config, null, 2) + '\n');
}
