/**
 * The Llama family's building blocks (Llama, Qwen2, Mistral, ChatGLM2's block shape) as plain functions over
 * tensors, following transformers' modeling code for those files:
 * - RMSNorm: x·rsqrt(mean(x²) + eps)·w, computed in float32 (everything here is float32).
 * - Rotary embeddings in the rotate-half form: inv_freq = 1/θ^(2i/hd), cos/sin of cat(freqs, freqs),
 *   q·cos + rotate_half(q)·sin with rotate_half(x) = cat(−x₂, x₁). Meta's original checkpoints pair
 *   interleaved dimensions instead; the Hugging Face conversion permutes q/k so this form is right for HF files.
 * - SwiGLU MLP: down(silu(gate(x)) · up(x)).
 * RMSNorm and the SwiGLU product carry hand-written gradients (fewer wasm kernels than autodiff of the forward).
 */
import * as tf from '@tensorflow/tfjs';

/**
 * RMSNorm over the last axis, with its gradient written out: with n = x·r, r = rsqrt(mean(x²) + eps),
 * dx = r·(dn − n·mean(dn·n)) and dgain = Σ_rows dy·n, where dn = dy·gain. Autodiff of the forward took ~15 wasm
 * kernels per norm (a float32→float32 Cast in every Mul gradient among them); this takes 8, 6 when
 * `gainGrad` is false (the gain is frozen: its gradient is returned as zeros and never computed).
 */
export function rmsNorm(x: tf.Tensor, gain: tf.Tensor, eps: number, gainGrad = true): tf.Tensor {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [xi, g, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const r = tf.rsqrt(tf.add(tf.mean(tf.square(xi), -1, true), eps));
    const n = tf.mul(xi, r);
    save([n, r, g]);
    return {
      value: tf.mul(n, g),
      gradFunc: (dyIn: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const dy = dyIn as tf.Tensor;
        const [sn, sr, sg] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const dn = tf.mul(dy, sg);
        const dx = tf.mul(sr, tf.sub(dn, tf.mul(sn, tf.mean(tf.mul(dn, sn), -1, true))));
        // Column sums (a leading-axis Sum: row copies' speed on wasm, lib/runtime copy-kernels). A frozen gain
        // (LoRA, P-Tuning) needs no gradient at all.
        const dg = gainGrad ? tf.reshape(tf.sum(tf.reshape(tf.mul(dy, sn), [-1, sg.size]), 0), sg.shape) : tf.zerosLike(sg);
        return [dx, dg];
      },
    };
  });
  return (f as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor)(x, gain);
}

/** silu(x) = x·sigmoid(x) (transformers' "silu" activation). */
export function silu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(x, tf.sigmoid(x)));
}

/**
 * The SwiGLU product silu(gate)·up with its gradient written out: with s = σ(gate), a = gate·s,
 * dup = dy·a and dgate = dy·up·(s + a·(1 − s)). Eight kernels backward (six, plus s and a recomputed) instead
 * of autodiff's eight plus a float32→float32 Cast per Mul gradient, on the widest activations of the block
 * ([tokens, ffn]); only gate and up are kept for the backward.
 */
export function swiglu(gate: tf.Tensor, up: tf.Tensor): tf.Tensor {
  const f = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const [g, u, save] = args as [tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const s = tf.sigmoid(g);
    const a = tf.mul(g, s);
    // Keep gate and up only (two [tokens, ffn] tensors, not three): σ(gate) and gate·σ(gate) are recomputed
    // in the backward pass, with the same kernels, so the gradient is bitwise the same.
    save([g, u]);
    return {
      value: tf.mul(a, u),
      gradFunc: (dyIn: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const dy = dyIn as tf.Tensor;
        const [sg, su] = saved as [tf.Tensor, tf.Tensor];
        const ss = tf.sigmoid(sg);
        const sa = tf.mul(sg, ss);
        const dgate = tf.mul(tf.mul(dy, su), tf.add(ss, tf.mul(sa, tf.sub(1, ss))));
        return [dgate, tf.mul(dy, sa)];
      },
    };
  });
  return (f as (a: tf.Tensor, b: tf.Tensor) => tf.Tensor)(gate, up);
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
    ropeHost.set(key, { cos, sin });
  }
  return t;
}

/** The tables as computed on the host, kept so ONNX export never reads them back from a GPU. */
const ropeHost = new Map<string, { cos: Float32Array; sin: Float32Array }>();

/** The plain-array form of the tables (ONNX export bakes them into the graph). */
export function ropeArrays(theta: number, hd: number, positions: number): { cos: Float32Array; sin: Float32Array } {
  ropeTables(theta, hd, positions);
  return ropeHost.get(`${theta}:${hd}:${positions}`)!;
}

const rotations = new Map<number, tf.Tensor2D>();

/** R [hd, hd] with x·R = rotate_half(x): R[i + hd/2][i] = −1 and R[i][i + hd/2] = 1 for i < hd/2. */
function rotation(hd: number): tf.Tensor2D {
  let r = rotations.get(hd);
  if (!r) {
    const half = hd / 2;
    const m = new Float32Array(hd * hd);
    for (let i = 0; i < half; i++) {
      m[(i + half) * hd + i] = -1;
      m[i * hd + i + half] = 1;
    }
    r = tf.keep(tf.tensor2d(m, [hd, hd]));
    rotations.set(hd, r);
  }
  return r;
}

/**
 * rotate_half(x) = cat(−x[..., hd/2:], x[..., :hd/2]) over the last axis of [B, H, S, hd], as one product with
 * a signed permutation matrix: exact (each output is one input times ±1), and one GEMM forward and backward
 * instead of two slices, a negation and a concat forward and pads, splits and a negation backward (~7% of the
 * size-l LoRA step before).
 */
export function rotateHalf(x: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const hd = x.shape[3];
    return tf.reshape(tf.matMul(tf.reshape(x, [-1, hd]), rotation(hd)), x.shape) as tf.Tensor4D;
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
