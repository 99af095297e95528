/**
 * Grouped-query attention (Llama 2/3, Qwen2, Mistral; multi-query when one key/value head): H query heads
 * share KV key/value heads, query head h reading key/value head ⌊h / (H/KV)⌋ (transformers' repeat_kv).
 * Keys and values are never repeated here: the H/KV query heads of a group are stacked along the query axis
 * ([B, KV, (H/KV)·T, hd]) and meet their group's keys in one product, which is the same arithmetic with
 * KV/H of the key/value memory. Masks as in ../attention.ts (causal, optional prefix, key padding).
 */
import * as tf from '@tensorflow/tfjs';
import { causalBias } from '../attention.ts';

function toBatch(p: tf.Tensor4D, B: number): tf.Tensor4D {
  return p.shape[0] === B ? p : tf.tile(p, [B, 1, 1, 1]);
}

export interface GroupedInputs {
  /** [B, H, T, hd] (rotary already applied) */
  q: tf.Tensor4D;
  /** [B, KV, T, hd] (rotary already applied) */
  k: tf.Tensor4D;
  v: tf.Tensor4D;
  /** [1 or B, KV, P, hd]: P-Tuning v2 prefix and/or cache. */
  prefixK?: tf.Tensor4D;
  prefixV?: tf.Tensor4D;
  /** Additive [B, 1, 1, P + T]. */
  padBias?: tf.Tensor;
}

/** Returns the attention output [B, H, T, hd] and the full keys/values [B, KV, P + T, hd] (a cache's next prefix). */
export function attendGrouped(a: GroupedInputs): { out: tf.Tensor4D; keys: tf.Tensor4D; values: tf.Tensor4D } {
  const [B, H, T, hd] = a.q.shape;
  const KV = a.k.shape[1];
  const rep = H / KV;
  const keys = a.prefixK ? tf.concat([toBatch(a.prefixK, B), a.k], 2) : a.k;
  const values = a.prefixV ? tf.concat([toBatch(a.prefixV, B), a.v], 2) : a.v;
  const L = keys.shape[2];
  const qg = rep === 1 ? a.q : tf.reshape(a.q, [B, KV, rep * T, hd]);
  // Scale q (T·hd per head) rather than the scores (T·L per head): 4× fewer elements at seq 256, hd 64.
  let scores = tf.matMul(tf.mul(qg, 1 / Math.sqrt(hd)), keys, false, true);
  if (rep !== 1) scores = tf.reshape(scores, [B, H, T, L]);
  scores = tf.add(scores, causalBias(T, L - T));
  if (a.padBias) scores = tf.add(scores, a.padBias);
  let probs = tf.softmax(scores);
  if (rep !== 1) probs = tf.reshape(probs, [B, KV, rep * T, L]);
  let out = tf.matMul(probs, values) as tf.Tensor4D;
  if (rep !== 1) out = tf.reshape(out, [B, H, T, hd]);
  return { out, keys, values };
}
