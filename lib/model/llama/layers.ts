/**
 * The Llama family's building blocks (Llama, Qwen2, Mistral, ChatGLM2's block shape) as plain functions over
 * tensors, following transformers' modeling code for those files:
 * - RMSNorm: x·rsqrt(mean(x²) + eps)·w, computed in float32 (everything here is float32).
 * - Rotary embeddings in the rotate-half form: inv_freq = 1/θ^(2i/hd), cos/sin of cat(freqs, freqs),
 *   q·cos + rotate_half(q)·sin with rotate_half(x) = cat(−x₂, x₁). Meta's original checkpoints pair
 *   interleaved dimensions instead; the Hugging Face conversion permutes q/k so this form is right for HF files.
 * - SwiGLU MLP: down(silu(gate(x)) · up(x)).
 */
import * as tf from '@tensorflow/tfjs';

/** RMSNorm over the last axis. */
export function rmsNorm(x: tf.Tensor, gain: tf.Tensor, eps: number): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.mul(x, x), -1, true), eps))), gain));
}

/** silu(x) = x·sigmoid(x) (transformers' "silu" activation). */
export function silu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}

const ropeCache = new Map<string, { cos: tf.Tensor2D; sin: tf.Tensor2D }>();

/**
 * cos/sin tables [positions, hd] as transformers computes them in float32: inv_freq = 1/θ^(2i/hd) (the
 * exponent and the power rounded to float32 as torch does), freqs = position·inv_freq, emb = cat(freqs,
 * freqs). Cached per (θ, hd, positions): a constant of the model's shape.
 */
export function ropeTables(theta: number, hd: number, positions: number): { cos: tf.Tensor2D; sin: tf.Tensor2D } {
  const key = `${theta}:${hd}:${positions}`;
  let t = ropeCache.get(key);
  if (!t) {
    const half = hd / 2;
    const inv = new Float32Array(half);
    for (let i = 0; i < half; i++) inv[i] = Math.fround(1 / Math.fround(Math.pow(theta, Math.fround((2 * i) / hd))));
    const cos = new Float32Array(positions * hd);
    const sin = new Float32Array(positions * hd);
    for (let p = 0; p < positions; p++) {
      for (let i = 0; i < half; i++) {
        const f = Math.fround(p * inv[i]);
        cos[p * hd + i] = cos[p * hd + half + i] = Math.cos(f);
        sin[p * hd + i] = sin[p * hd + half + i] = Math.sin(f);
      }
    }
    t = { cos: tf.keep(tf.tensor2d(cos, [positions, hd])), sin: tf.keep(tf.tensor2d(sin, [positions, hd])) };
    ropeCache.set(key, t);
  }
  return t;
}

/** The plain-array form of the tables (ONNX export bakes them into the graph). */
export function ropeArrays(theta: number, hd: number, positions: number): { cos: Float32Array; sin: Float32Array } {
  const t = ropeTables(theta, hd, positions);
  return { cos: t.cos.dataSync() as Float32Array, sin: t.sin.dataSync() as Float32Array };
}

/** rotate_half(x) = cat(−x[..., hd/2:], x[..., :hd/2]) over the last axis of [B, H, S, hd]. */
export function rotateHalf(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const half = x.shape[3] / 2;
    const x1 = tf.slice(x, [0, 0, 0, 0], [-1, -1, -1, half]);
    const x2 = tf.slice(x, [0, 0, 0, half], [-1, -1, -1, half]);
    return tf.concat([tf.neg(x2), x1], 3) as tf.Tensor4D;
  });
}

/**
 * Applies rotary embeddings to x [B, H, S, hd] at positions offset … offset+S−1 (`context` sizes the
 * cached table).
 */
export function applyRope(x: tf.Tensor4D, offset: number, theta: number, context: number): tf.Tensor4D {
  const [, , S, hd] = x.shape;
  // Tables grow in powers of two up to the context: a 32k-context checkpoint does not pay for 32k rows up front.
  const t = ropeTables(theta, hd, Math.min(context, Math.max(256, 2 ** Math.ceil(Math.log2(offset + S)))));
  return tf.tidy(() => {
    const cos = tf.reshape(tf.slice(t.cos, [offset, 0], [S, hd]), [1, 1, S, hd]);
    const sin = tf.reshape(tf.slice(t.sin, [offset, 0], [S, hd]), [1, 1, S, hd]);
    return tf.add(tf.mul(x, cos), tf.mul(rotateHalf(x), sin)) as tf.Tensor4D;
  });
}
