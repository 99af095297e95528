/** Shared set-up for the infer tests: small models of each exported kind, and array comparison. */
import * as tf from '@tensorflow/tfjs';
import { initWeights, type GptConfig, type Gpt } from '../../lib/model/index.ts';
import { buildModel, MethodSchema } from '../../lib/peft/method.ts';
import type { QuantDtype } from '../../lib/quant/tensor.ts';
import { Rng } from '../../lib/util/index.ts';

/** Small enough for fast tests, wide enough for nf4 blocks (64) and 4 heads. */
export const SMALL: GptConfig = { layers: 2, dModel: 64, heads: 4, context: 64, vocab: 97, tiedHead: true, dropout: 0 };

export type Kind = 'full' | 'lora' | 'qlora-nf4' | 'ptuning-v2' | 'ptuning-v2-proj' | 'untied';

/** Builds a model whose adapters are non-trivial: LoRA B random (so merging matters), prefix random by init. */
export async function makeModel(kind: Kind, config: GptConfig = SMALL): Promise<Gpt> {
  const c = kind === 'untied' ? { ...config, tiedHead: false } : config;
  const weights = initWeights(c, `infer-${kind}`);
  // Non-zero biases and LayerNorm parameters, so a wrong bias or gain path cannot hide behind zeros/ones.
  const rng = new Rng(`perturb-${kind}`);
  for (const [name, t] of weights) {
    if (/\.(bias|beta|gamma)$/.test(name)) for (let i = 0; i < t.data.length; i++) t.data[i] += 0.1 * rng.normal();
    // Trained-model scales: logits of a few units and peaked (non-uniform) attention, where rounding shows.
    const gain = name === 'embed.token' || name === 'head.weight' ? 20 : /attn\.[qk]\.weight$/.test(name) ? 8 : 1;
    if (gain !== 1) for (let i = 0; i < t.data.length; i++) t.data[i] *= gain;
  }
  const spec =
    kind === 'lora' || kind === 'qlora-nf4' ? MethodSchema.parse({ method: 'lora', r: 4, alpha: 8, targets: ['q', 'k', 'v', 'o', 'fc', 'proj'] })
    : kind === 'ptuning-v2' ? MethodSchema.parse({ method: 'ptuning-v2', prefixLength: 5 })
    : kind === 'ptuning-v2-proj' ? MethodSchema.parse({ method: 'ptuning-v2', prefixLength: 3, projection: true, projectionHidden: 16 })
    : MethodSchema.parse({ method: 'full' });
  const quant: QuantDtype = kind === 'qlora-nf4' ? 'nf4' : 'fp32';
  const model = await buildModel(c, weights, spec, quant, 7);
  for (const [name, v] of model.trainable) {
    if (name.endsWith('lora_B')) v.assign(tf.tensor(Float32Array.from({ length: v.size }, () => 0.05 * rng.normal()), v.shape));
  }
  return model;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** Deterministic token ids [B·T] in [0, vocab). */
export function randomIds(seed: string, n: number, vocab: number): Int32Array {
  const r = new Rng(seed);
  return Int32Array.from({ length: n }, () => r.int(vocab));
}

/** tfjs full-sequence logits [B, T, V] flattened. */
export async function tfjsLogits(model: Gpt, ids: Int32Array, B: number, T: number): Promise<Float32Array> {
  const x = tf.tensor2d(ids, [B, T], 'int32');
  const { logits } = model.forward(x);
  const data = (await logits.data()) as Float32Array;
  x.dispose();
  logits.dispose();
  return data;
}
