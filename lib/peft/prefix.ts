/**
 * P-Tuning v2 / prefix tuning (Liu et al. 2022; ChatGLM's `pre_seq_len`, PEFT's PREFIX_TUNING): P trainable
 * key/value vectors in every layer's attention, prepended to the keys and values the tokens produce; the
 * attention mask grows by P. Without projection the prefix is one embedding [P, layers·2·d]; with
 * `projection` (ChatGLM's prefix_projection) an embedding [P, d] goes through Linear(d, hidden)·tanh·
 * Linear(hidden, layers·2·d) — more parameters, often more stable training. Prefix dropout is applied to the
 * key/values as ChatGLM does. P = 0 leaves the base model exactly unchanged.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/index.ts';
import { type Gpt, type KvPrefix, type ApplyContext, headDim, kvHeads } from '../model/index.ts';

/** The method's config options (lib/peft/method.ts, same names) and the adapter's seed. */
export interface PrefixOptions {
  prefixLength: number;
  projection: boolean;
  projectionHidden: number;
  prefixDropout: number;
  seed: number | string;
}

function uniform(rng: Rng, n: number, bound: number): Float32Array {
  return Float32Array.from({ length: n }, () => (2 * rng.next() - 1) * bound);
}

export function applyPrefix(model: Gpt, o: PrefixOptions): void {
  if (o.prefixLength === 0) return;
  const { layers, dModel: d } = model.config;
  // One key and one value per key/value head: with grouped-query attention the prefix is KV·hd wide, as
  // ChatGLM2's (pre_seq_len × layers·2·kv_channels·multi_query_group_num).
  const heads = kvHeads(model.config);
  const hd = headDim(model.config);
  const kvWidth = heads * hd;
  const out = layers * 2 * kvWidth;
  const rng = new Rng(o.seed);
  // Embedding init N(0, 1) as torch.nn.Embedding; the linears as torch.nn.Linear (U(±1/√in)).
  const emb = model.addTrainable('prefix.embedding', tf.tensor2d(Float32Array.from({ length: o.prefixLength * (o.projection ? d : out) }, () => rng.normal()), [o.prefixLength, o.projection ? d : out]));
  const mlp = o.projection
    ? {
        w1: model.addTrainable('prefix.mlp.0.weight', tf.tensor2d(uniform(rng, d * o.projectionHidden, 1 / Math.sqrt(d)), [d, o.projectionHidden])),
        b1: model.addTrainable('prefix.mlp.0.bias', tf.tensor1d(uniform(rng, o.projectionHidden, 1 / Math.sqrt(d)))),
        w2: model.addTrainable('prefix.mlp.2.weight', tf.tensor2d(uniform(rng, o.projectionHidden * out, 1 / Math.sqrt(o.projectionHidden)), [o.projectionHidden, out])),
        b2: model.addTrainable('prefix.mlp.2.bias', tf.tensor1d(uniform(rng, out, 1 / Math.sqrt(o.projectionHidden)))),
      }
    : undefined;
  model.extras = (_batch: number, ctx: ApplyContext) => {
    let kv: tf.Tensor = emb;
    if (mlp) kv = tf.add(tf.matMul(tf.tanh(tf.add(tf.matMul(emb, mlp.w1), mlp.b1)), mlp.w2), mlp.b2);
    if (ctx.training && o.prefixDropout > 0) kv = tf.dropout(kv, o.prefixDropout, undefined, ctx.seed());
    // [P, layers·2·d] → [layers·2, H, P, hd]: one [1, H, P, hd] key and value per layer, shared by the batch.
    const split = tf.transpose(tf.reshape(kv, [o.prefixLength, layers * 2, heads, hd]), [1, 2, 0, 3]);
    const prefix: KvPrefix = { keys: [], values: [] };
    for (let i = 0; i < layers; i++) {
      prefix.keys.push(tf.slice(split, [2 * i, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D);
      prefix.values.push(tf.slice(split, [2 * i + 1, 0, 0, 0], [1, -1, -1, -1]) as tf.Tensor4D);
    }
    return { prefix };
  };
}

/** Closed form with w = KV·hd (d without grouping): P·2·layers·w without projection; P·d + d·h + h + h·2Lw + 2Lw with it. */
export function prefixParamCount(d: number, layers: number, kvWidth: number, o: Pick<PrefixOptions, 'prefixLength' | 'projection' | 'projectionHidden'>): number {
  if (o.prefixLength === 0) return 0;
  const out = 2 * layers * kvWidth;
  return o.projection ? o.prefixLength * d + d * o.projectionHidden + o.projectionHidden + o.projectionHidden * out + out : o.prefixLength * out;
}
