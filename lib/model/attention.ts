/**
 * Causal multi-head self-attention with an optional per-layer key/value prefix (P-Tuning v2, or the
 * key/value cache during generation) and an optional key padding mask.
 *
 * Shapes: x [B, T, d] arrives flattened as [B·T, d]; heads are split to [B, H, T, hd]. A prefix of P slots
 * ([1 or B, H, P, hd]) is prepended to keys and values; every query sees all prefix slots and the keys at
 * or before its own position. Masked scores get -1e9 before the softmax (not -Infinity: a fully masked row
 * would give NaN, -1e9 gives a harmless uniform row).
 */
import * as tf from '@tensorflow/tfjs';

export const MASKED = -1e9;

const causalCache = new Map<string, tf.Tensor>();

/**
 * Additive mask [1, 1, T, P + T]: 0 where query t may look at key s (all P prefix slots, and s ≤ t among
 * the new keys), -1e9 elsewhere. Cached per (T, P): it is a constant of the shape.
 */
export function causalBias(T: number, P: number): tf.Tensor {
  const key = `${T}:${P}`;
  let m = causalCache.get(key);
  if (!m) {
    const data = new Float32Array(T * (P + T));
    for (let t = 0; t < T; t++) for (let s = P + t + 1; s < P + T; s++) data[t * (P + T) + s] = MASKED;
    m = tf.keep(tf.tensor4d(data, [1, 1, T, P + T]));
    causalCache.set(key, m);
  }
  return m;
}

/** Additive key-padding mask [B, 1, 1, P + T] from a [B, T] 0/1 mask; prefix slots are never masked. */
export function paddingBias(attentionMask: tf.Tensor2D, P: number): tf.Tensor {
  return tf.tidy(() => {
    const [B] = attentionMask.shape;
    let m = tf.mul(tf.sub(1, tf.cast(attentionMask, 'float32')), MASKED) as tf.Tensor2D;
    if (P > 0) m = tf.concat([tf.zeros([B, P]), m], 1);
    return tf.reshape(m, [B, 1, 1, -1]);
  });
}

/** [B·T, d] → [B, H, T, hd] */
export function splitHeads(x: tf.Tensor, B: number, T: number, H: number): tf.Tensor4D {
  return tf.transpose(tf.reshape(x, [B, T, H, -1]), [0, 2, 1, 3]);
}

/** [B, H, T, hd] → [B·T, d] */
export function mergeHeads(x: tf.Tensor4D): tf.Tensor2D {
  const [B, H, T, hd] = x.shape;
  return tf.reshape(tf.transpose(x, [0, 2, 1, 3]), [B * T, H * hd]);
}

/** Broadcasts a [1, H, P, hd] prefix to the batch before concatenation (concat does not broadcast). */
function toBatch(p: tf.Tensor4D, B: number): tf.Tensor4D {
  return p.shape[0] === B ? p : tf.tile(p, [B, 1, 1, 1]);
}

export interface AttentionInputs {
  q: tf.Tensor4D;
  k: tf.Tensor4D;
  v: tf.Tensor4D;
  prefixK?: tf.Tensor4D;
  prefixV?: tf.Tensor4D;
  /** Additive [B, 1, 1, P + T] padding bias, or undefined when there is no padding to hide. */
  padBias?: tf.Tensor;
}

/** softmax(q·kᵀ/√hd + masks)·v for the new positions; returns [B, H, T, hd] and the full keys/values. */
export function attend(a: AttentionInputs): { out: tf.Tensor4D; keys: tf.Tensor4D; values: tf.Tensor4D } {
  const [B, , T, hd] = a.q.shape;
  const keys = a.prefixK ? tf.concat([toBatch(a.prefixK, B), a.k], 2) : a.k;
  const values = a.prefixV ? tf.concat([toBatch(a.prefixV, B), a.v], 2) : a.v;
  const P = keys.shape[2] - T;
  let scores = tf.add(tf.mul(tf.matMul(a.q, keys, false, true), 1 / Math.sqrt(hd)), causalBias(T, P));
  if (a.padBias) scores = tf.add(scores, a.padBias);
  const out = tf.matMul(tf.softmax(scores), values) as tf.Tensor4D;
  return { out, keys, values };
}
