/**
 * Deterministic GPT-2-style initialisation from a seed: N(0, 0.02) for embeddings and linear weights, the
 * residual projections (attn.o, mlp.proj) scaled by 1/sqrt(2·layers) as in GPT-2/nanoGPT (keeps the
 * residual stream's variance from growing with depth), zero biases, unit LayerNorm gains.
 */
import { Rng } from '../util/index.ts';
import { ffnWidth, isLlama, type GptConfig } from './config.ts';
import { initLlamaWeights } from './llama/index.ts';
import type { NeutralTensor } from './gpt2-names.ts';

export type Weights = Map<string, NeutralTensor>;

function normal(rng: Rng, shape: number[], std: number): NeutralTensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = rng.normal() * std;
  return { shape, data };
}
const fill = (shape: number[], v: number): NeutralTensor => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)).fill(v) });

/**
 * @example
 * const w = initWeights({ layers: 2, dModel: 128, heads: 4, context: 256, vocab: 2000, tiedHead: true, dropout: 0 }, 'base-0');
 * w.get('blocks.0.attn.q.weight')!.shape; // [128, 128]
 */
export function initWeights(c: GptConfig, seed: number | string): Weights {
  if (isLlama(c)) return initLlamaWeights(c, seed);
  const rng = new Rng(seed);
  const d = c.dModel;
  const std = 0.02;
  const resid = std / Math.sqrt(2 * c.layers);
  const w: Weights = new Map();
  // Each tensor draws from its own named stream, so adding a tensor never shifts the others' values.
  const r = (name: string) => rng.fork(name);
  w.set('embed.token', normal(r('embed.token'), [c.vocab, d], std));
  w.set('embed.position', normal(r('embed.position'), [c.context, d], std));
  for (let i = 0; i < c.layers; i++) {
    const p = `blocks.${i}.`;
    w.set(p + 'ln1.gamma', fill([d], 1));
    w.set(p + 'ln1.beta', fill([d], 0));
    for (const m of ['q', 'k', 'v', 'o']) {
      w.set(`${p}attn.${m}.weight`, normal(r(`${p}attn.${m}`), [d, d], m === 'o' ? resid : std));
      w.set(`${p}attn.${m}.bias`, fill([d], 0));
    }
    w.set(p + 'ln2.gamma', fill([d], 1));
    w.set(p + 'ln2.beta', fill([d], 0));
    w.set(p + 'mlp.fc.weight', normal(r(p + 'mlp.fc'), [d, ffnWidth(c)], std));
    w.set(p + 'mlp.fc.bias', fill([ffnWidth(c)], 0));
    w.set(p + 'mlp.proj.weight', normal(r(p + 'mlp.proj'), [ffnWidth(c), d], resid));
    w.set(p + 'mlp.proj.bias', fill([d], 0));
  }
  w.set('final_ln.gamma', fill([d], 1));
  w.set('final_ln.beta', fill([d], 0));
  if (!c.tiedHead) w.set('head.weight', normal(r('head'), [d, c.vocab], std));
  return w;
}
