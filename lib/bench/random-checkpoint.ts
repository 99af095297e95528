/**
 * Writes a Llama (or Qwen2: q/k/v biases) checkpoint directory in the Hugging Face layout (config.json +
 * model.safetensors) with seeded random weights, tensor by tensor, so a large file is produced without holding
 * it in memory: the input of `bench load`, and of the real-size checks (QWEN25_05B: Qwen2.5-0.5B's exact shape).
 */
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { encodeBf16, encodeF16 } from '../quant/index.ts';
import { Rng } from '../util/index.ts';

export interface RandomLlama {
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  ffn: number;
  vocab: number;
  context: number;
  tied: boolean;
  /** 'qwen2' adds q/k/v biases (default 'llama'). */
  modelType?: 'llama' | 'qwen2';
  ropeTheta?: number;
  rmsEps?: number;
}

/** ≈ 100M parameters: 12 layers, d 768, 12 heads, 4 key/value heads, ffn 2048, vocab 16000, untied. */
export const LLAMA_100M: RandomLlama = { layers: 12, hidden: 768, heads: 12, kvHeads: 4, ffn: 2048, vocab: 16000, context: 512, tied: false };

/** Qwen2.5-0.5B's config.json shape: 494 M parameters, 24 layers, d 896, 14 heads / 2 kv, ffn 4864, tied, q/k/v biases. */
export const QWEN25_05B: RandomLlama = {
  layers: 24, hidden: 896, heads: 14, kvHeads: 2, ffn: 4864, vocab: 151936, context: 32768, tied: true,
  modelType: 'qwen2', ropeTheta: 1000000, rmsEps: 1e-6,
};

/** Qwen2.5-1.5B's config.json shape: 1.54 B parameters, 28 layers, d 1536, 12 heads / 2 kv, ffn 8960, tied, q/k/v biases. */
export const QWEN25_15B: RandomLlama = {
  layers: 28, hidden: 1536, heads: 12, kvHeads: 2, ffn: 8960, vocab: 151936, context: 32768, tied: true,
  modelType: 'qwen2', ropeTheta: 1000000, rmsEps: 1e-6,
};

export function randomLlamaTensors(c: RandomLlama): Array<[string, number[]]> {
  const hd = c.hidden / c.heads;
  const t: Array<[string, number[]]> = [['model.embed_tokens.weight', [c.vocab, c.hidden]]];
  for (let i = 0; i < c.layers; i++) {
    const p = `model.layers.${i}.`;
    t.push([p + 'input_layernorm.weight', [c.hidden]], [p + 'post_attention_layernorm.weight', [c.hidden]],
      [p + 'self_attn.q_proj.weight', [c.heads * hd, c.hidden]], [p + 'self_attn.k_proj.weight', [c.kvHeads * hd, c.hidden]],
      [p + 'self_attn.v_proj.weight', [c.kvHeads * hd, c.hidden]], [p + 'self_attn.o_proj.weight', [c.hidden, c.heads * hd]],
      [p + 'mlp.gate_proj.weight', [c.ffn, c.hidden]], [p + 'mlp.up_proj.weight', [c.ffn, c.hidden]], [p + 'mlp.down_proj.weight', [c.hidden, c.ffn]]);
    if (c.modelType === 'qwen2') {
      t.push([p + 'self_attn.q_proj.bias', [c.heads * hd]], [p + 'self_attn.k_proj.bias', [c.kvHeads * hd]], [p + 'self_attn.v_proj.bias', [c.kvHeads * hd]]);
    }
  }
  t.push(['model.norm.weight', [c.hidden]]);
  if (!c.tied) t.push(['lm_head.weight', [c.vocab, c.hidden]]);
  return t;
}

/** Returns the parameter count. dtype: how tensors are stored (real checkpoints are mostly BF16). */
export function writeRandomLlama(dir: string, c: RandomLlama, dtype: 'F32' | 'F16' | 'BF16', seed = 0): number {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'config.json'), JSON.stringify({
    architectures: [c.modelType === 'qwen2' ? 'Qwen2ForCausalLM' : 'LlamaForCausalLM'], model_type: c.modelType ?? 'llama', hidden_size: c.hidden, intermediate_size: c.ffn,
    num_hidden_layers: c.layers, num_attention_heads: c.heads, num_key_value_heads: c.kvHeads, vocab_size: c.vocab,
    max_position_embeddings: c.context, rms_norm_eps: c.rmsEps ?? 1e-5, rope_theta: c.ropeTheta ?? 10000, hidden_act: 'silu', tie_word_embeddings: c.tied,
    torch_dtype: dtype === 'F32' ? 'float32' : dtype === 'F16' ? 'float16' : 'bfloat16',
  }, null, 2));
  const tensors = randomLlamaTensors(c);
  const bytes = dtype === 'F32' ? 4 : 2;
  const header: Record<string, unknown> = {};
  let offset = 0;
  for (const [name, shape] of tensors) {
    const n = shape.reduce((a, b) => a * b, 1);
    header[name] = { dtype, shape, data_offsets: [offset, offset + n * bytes] };
    offset += n * bytes;
  }
  let json = Buffer.from(JSON.stringify(header));
  json = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, 0x20)]);
  const fd = openSync(join(dir, 'model.safetensors'), 'w');
  let params = 0;
  try {
    const len = Buffer.alloc(8);
    len.writeBigUInt64LE(BigInt(json.length));
    writeSync(fd, len);
    writeSync(fd, json);
    const rng = new Rng(seed);
    for (const [name, shape] of tensors) {
      const n = shape.reduce((a, b) => a * b, 1);
      params += n;
      const v = new Float32Array(n);
      // Norm gains 1; biases small (±0.02 uniform); matrices uniform with std 1/√fan_in.
      if (shape.length === 1 && !name.endsWith('.bias')) v.fill(1);
      else if (shape.length === 1) for (let i = 0; i < n; i++) v[i] = (rng.next() * 2 - 1) * 0.02;
      else {
        const std = 1 / Math.sqrt(shape[1]);
        for (let i = 0; i < n; i++) v[i] = (rng.next() * 2 - 1) * std * Math.sqrt(3);
      }
      const out = dtype === 'F32' ? v : dtype === 'F16' ? encodeF16(v) : encodeBf16(v);
      writeSync(fd, new Uint8Array(out.buffer, out.byteOffset, out.byteLength));
    }
  } finally {
    closeSync(fd);
  }
  return params;
}
