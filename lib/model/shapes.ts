/**
 * The neutral tensors a config implies and their shapes, for both block families: what a checkpoint loader
 * checks a file against (naming the tensor that differs) and what `Gpt.fromWeights` requires.
 *
 * Neutral names (every linear weight [in, out], y = x·W + b):
 *   gpt2:  embed.token, embed.position, blocks.{i}.{ln1,ln2}.{gamma,beta}, blocks.{i}.attn.{q,k,v,o}.{weight,bias},
 *          blocks.{i}.mlp.{fc,proj}.{weight,bias}, final_ln.{gamma,beta}, head.weight (untied only)
 *   llama: embed.token, blocks.{i}.{ln1,ln2}.gamma (RMSNorm gains), blocks.{i}.attn.{q,k,v,o}.weight
 *          (+ attn.{q,k,v}.bias with qkvBias), blocks.{i}.mlp.{gate,up,down}.weight, final_ln.gamma,
 *          head.weight (untied only)
 */
import { ffnWidth, headDim, isLlama, kvHeads, type GptConfig } from './config.ts';

export const GPT2_LINEARS = ['attn.q', 'attn.k', 'attn.v', 'attn.o', 'mlp.fc', 'mlp.proj'] as const;
export const LLAMA_LINEARS = ['attn.q', 'attn.k', 'attn.v', 'attn.o', 'mlp.gate', 'mlp.up', 'mlp.down'] as const;
export type LinearRole = (typeof GPT2_LINEARS)[number] | (typeof LLAMA_LINEARS)[number];

export function linearRoles(c: GptConfig): readonly LinearRole[] {
  return isLlama(c) ? LLAMA_LINEARS : GPT2_LINEARS;
}

/** Is `name` the weight or bias of a block linear (for either family)? */
export function isLinearTensor(name: string): boolean {
  return /^blocks\.\d+\.(attn\.[qkvo]|mlp\.(fc|proj|gate|up|down))\.(weight|bias)$/.test(name);
}

/** Every base tensor of the config with its shape, in a stable order. */
export function expectedShapes(c: GptConfig): Map<string, number[]> {
  const d = c.dModel;
  const out = new Map<string, number[]>();
  out.set('embed.token', [c.vocab, d]);
  if (isLlama(c)) {
    const hd = headDim(c);
    const q = c.heads * hd;
    const kv = kvHeads(c) * hd;
    const f = ffnWidth(c);
    for (let i = 0; i < c.layers; i++) {
      const p = `blocks.${i}.`;
      out.set(p + 'ln1.gamma', [d]);
      out.set(p + 'attn.q.weight', [d, q]);
      out.set(p + 'attn.k.weight', [d, kv]);
      out.set(p + 'attn.v.weight', [d, kv]);
      if (c.qkvBias) {
        out.set(p + 'attn.q.bias', [q]);
        out.set(p + 'attn.k.bias', [kv]);
        out.set(p + 'attn.v.bias', [kv]);
      }
      out.set(p + 'attn.o.weight', [q, d]);
      out.set(p + 'ln2.gamma', [d]);
      out.set(p + 'mlp.gate.weight', [d, f]);
      out.set(p + 'mlp.up.weight', [d, f]);
      out.set(p + 'mlp.down.weight', [f, d]);
    }
    out.set('final_ln.gamma', [d]);
  } else {
    const f = ffnWidth(c);
    out.set('embed.position', [c.context, d]);
    for (let i = 0; i < c.layers; i++) {
      const p = `blocks.${i}.`;
      out.set(p + 'ln1.gamma', [d]);
      out.set(p + 'ln1.beta', [d]);
      for (const m of ['q', 'k', 'v', 'o']) {
        out.set(`${p}attn.${m}.weight`, [d, d]);
        out.set(`${p}attn.${m}.bias`, [d]);
      }
      out.set(p + 'ln2.gamma', [d]);
      out.set(p + 'ln2.beta', [d]);
      out.set(p + 'mlp.fc.weight', [d, f]);
      out.set(p + 'mlp.fc.bias', [f]);
      out.set(p + 'mlp.proj.weight', [f, d]);
      out.set(p + 'mlp.proj.bias', [d]);
    }
    out.set('final_ln.gamma', [d]);
    out.set('final_ln.beta', [d]);
  }
  if (!c.tiedHead) out.set('head.weight', [d, c.vocab]);
  return out;
}
