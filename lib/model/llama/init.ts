/**
 * Deterministic initialisation of a Llama-family base from a seed, as transformers' LlamaPreTrainedModel
 * does (N(0, 0.02) for embeddings and linear weights, zero biases, unit RMSNorm gains), with the residual
 * projections (attn.o, mlp.down) scaled by 1/√(2·layers) as lib/model/init.ts does for GPT-2 — the tiny
 * bases here are pretrained for a few hundred steps and this keeps the residual stream's variance in check.
 */
import { Rng } from '../../util/index.ts';
import type { GptConfig } from '../config.ts';
import { expectedShapes } from '../shapes.ts';
import type { NeutralTensor } from '../gpt2-names.ts';

export function initLlamaWeights(c: GptConfig, seed: number | string): Map<string, NeutralTensor> {
  const rng = new Rng(seed);
  const std = 0.02;
  const resid = std / Math.sqrt(2 * c.layers);
  const w = new Map<string, NeutralTensor>();
  for (const [name, shape] of expectedShapes(c)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (/(gamma)$/.test(name)) data.fill(1);
    else if (!/\.bias$/.test(name)) {
      // Each tensor draws from its own named stream, so adding a tensor never shifts the others' values.
      const r = rng.fork(name);
      const sd = /(attn\.o|mlp\.down)\.weight$/.test(name) ? resid : std;
      for (let i = 0; i < n; i++) data[i] = r.normal() * sd;
    }
    w.set(name, { shape, data });
  }
  return w;
}
