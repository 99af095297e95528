/**
 * Next-token cross-entropy with ignored positions, as Hugging Face computes it for causal LMs: labels are
 * shifted by one (position t predicts token t+1) and -100 positions (prompt, padding) are left out of the
 * mean. Logits are computed at every position, padding included: that is the cost the padding strategy
 * decides, and the reason this function does not skip them.
 *
 * The gradient is written by hand, (softmax − onehot)/count on learned rows: tfjs' composite logSoftmax and
 * its autodiff cost ~4x wasm's native softmax kernel at vocab 2000, and the one-hot subtraction is a
 * scatter of one value per row, done in JS on the softmax buffer. On a GPU backend (WebGPU) that read would
 * be a synchronous GPU→CPU transfer per step, which tfjs-backend-webgpu cannot do in Node: there the same
 * gradient is built from tensor ops on the device (`deviceGrad`).
 */
import * as tf from '@tensorflow/tfjs';
import { IGNORE_INDEX } from '../data/index.ts';
import { heapOutput, heapView, tensorsOnDevice } from '../runtime/index.ts';

/** Smallest normal float32: log() of a probability is clamped there (a loss term of at most 87.3). */
const TINY = 1.1754944e-38;

/** logits [B, T, V]; targets: B·T next-token ids (already shifted), IGNORE_INDEX where not learned. */
export function lmLoss(logits: tf.Tensor3D, targets: Int32Array): tf.Scalar {
  const [B, T, V] = logits.shape;
  const rows: number[] = [];
  const flat: number[] = [];
  for (let i = 0; i < B * T; i++) {
    if (targets[i] !== IGNORE_INDEX) {
      rows.push(i);
      flat.push(i * V + targets[i]);
    }
  }
  const count = Math.max(1, rows.length);
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor2D;
    const sm = tf.softmax(x);
    (args[1] as tf.GradSaveFunc)([sm]);
    const picked = tf.gather(tf.reshape(sm, [-1]), tf.tensor1d(flat, 'int32'));
    const value = tf.div(tf.neg(tf.sum(tf.log(tf.maximum(picked, TINY)))), count) as tf.Scalar;
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        if (tensorsOnDevice()) return deviceGrad(saved[0] as tf.Tensor2D, dy as tf.Tensor, rows, flat, count);
        return softmaxGradRows(saved[0] as tf.Tensor2D, rows, flat, (dy as tf.Tensor).dataSync()[0] / count);
      },
    };
  }) as (x: tf.Tensor) => tf.Scalar;
  return tf.tidy(() => op(tf.reshape(logits, [B * T, V])));
}

/**
 * (softmax − onehot)·scale on learned rows (`rows`; `flat` = row·V + target), zero elsewhere, in JS on host
 * memory: on wasm read from and written to the heap in place (lib/runtime heapView/heapOutput), elsewhere
 * through a copy. The arithmetic is the same either way: p·scale rounded to float32, then − scale.
 */
function softmaxGradRows(sm: tf.Tensor2D, rows: number[], flat: number[], scale: number): tf.Tensor2D {
  const [N, V] = sm.shape;
  const out = heapOutput<tf.Rank.R2>([N, V]);
  const g = out?.view ?? new Float32Array(N * V);
  const p = heapView(sm) ?? (sm.dataSync() as Float32Array);
  if (out && rows.length < N) g.fill(0);
  for (let r = 0; r < rows.length; r++) {
    const o = rows[r] * V;
    for (let j = 0; j < V; j++) g[o + j] = p[o + j] * scale;
    g[flat[r]] -= scale;
  }
  return out?.tensor ?? tf.tensor2d(g, [N, V]);
}

/**
 * (softmax − onehot)·dy/count on learned rows, zero elsewhere, computed where the softmax lives. The row mask
 * is uploaded (B·T values); the one-hot is gather's own gradient (UnsortedSegmentSum), so no new kernel is
 * dispatched and nothing is read back.
 */
function deviceGrad(sm: tf.Tensor2D, dy: tf.Tensor, rows: number[], flat: number[], count: number): tf.Tensor2D {
  const [N, V] = sm.shape;
  const mask = new Float32Array(N);
  for (const r of rows) mask[r] = 1;
  const onehot = tf.unsortedSegmentSum(tf.ones([flat.length]), tf.tensor1d(flat, 'int32'), N * V);
  const diff = tf.sub(tf.mul(sm, tf.tensor2d(mask, [N, 1])), tf.reshape(onehot, [N, V]));
  return tf.mul(diff, tf.div(dy, count)) as tf.Tensor2D;
}

/**
 * A frozen output head as two products: logits = x·W ([n, d] → [n, vocab]) and its transpose g·Wᵀ
 * ([n, vocab] → [n, d]), however the model stores W (a JS-held tiled array, a kept transpose, a variable).
 */
export interface FrozenHead {
  forward(x: tf.Tensor2D): tf.Tensor2D;
  backward(g: tf.Tensor2D): tf.Tensor2D;
}

/** Logit bytes per chunk of the fused head + loss: a transient, whatever the batch. */
export const LOSS_CHUNK_BYTES = 64 * 2 ** 20;

/**
 * The head and `lmLoss` fused and computed in chunks of rows (tokens), for a frozen head: the [tokens, vocab]
 * logits, their softmax and their gradient never exist whole (at batch 4 × 192 and Qwen2.5's vocabulary of
 * 151,936 each was 467 MB, and the loss and its gradient kept several). Each chunk's logits, softmax and
 * (softmax − onehot)/count are made and dropped in turn, and since the loss is the last op, the gradient
 * with respect to the hidden states, g·Wᵀ, is computed chunk by chunk in the forward pass and kept ([tokens,
 * d]); the backward pass only scales it by dy. Row by row the arithmetic is `lmLoss`'s (the same softmax
 * kernel, the same gradient formula, the same products); the loss's sum runs chunk by chunk, so the value
 * may differ from `lmLoss` in the last bits (test/model/fused-loss.test.ts).
 *
 * h [B·T, d] (the final norm's output); targets as in lmLoss; rows per chunk (≥ 1).
 */
export function fusedHeadLoss(h: tf.Tensor2D, targets: Int32Array, head: FrozenHead, vocab: number, rowsPerChunk: number): tf.Scalar {
  const N = h.shape[0];
  let count = 0;
  for (let i = 0; i < N; i++) if (targets[i] !== IGNORE_INDEX) count++;
  count = Math.max(1, count);
  // gradients are computed only under a tape (training); evaluation pays for the forward products only
  const needGrad = (tf.engine() as unknown as { state: { gradientDepth: number } }).state.gradientDepth > 0;
  const onDevice = tensorsOnDevice();
  const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const x = args[0] as tf.Tensor2D;
    let total: tf.Tensor = tf.scalar(0);
    const dhs: tf.Tensor2D[] = [];
    for (let r0 = 0; r0 < N; r0 += rowsPerChunk) {
      const n = Math.min(rowsPerChunk, N - r0);
      const rows: number[] = [];
      const flat: number[] = [];
      for (let i = 0; i < n; i++) {
        const t = targets[r0 + i];
        if (t !== IGNORE_INDEX) {
          rows.push(i);
          flat.push(i * vocab + t);
        }
      }
      if (rows.length === 0 && !needGrad) continue;
      const { s: part, dh } = tf.tidy((): { s: tf.Tensor; dh?: tf.Tensor2D } => {
        const sm = tf.softmax(head.forward(tf.slice(x, [r0, 0], [n, -1]) as tf.Tensor2D));
        const picked = rows.length ? tf.gather(tf.reshape(sm, [-1]), tf.tensor1d(flat, 'int32')) : tf.ones([1]);
        const s = tf.sum(tf.log(tf.maximum(picked, TINY)));
        if (!needGrad) return { s };
        let g: tf.Tensor2D;
        if (onDevice) g = deviceGrad(sm as tf.Tensor2D, tf.scalar(1), rows, flat, count);
        else g = softmaxGradRows(sm as tf.Tensor2D, rows, flat, 1 / count);
        return { s, dh: head.backward(g) };
      });
      const next = tf.add(total, part);
      total.dispose();
      part.dispose();
      total = next;
      if (dh) dhs.push(dh);
    }
    const value = tf.div(tf.neg(total), count) as tf.Scalar;
    if (needGrad) {
      const dh = dhs.length === 1 ? dhs[0] : tf.concat(dhs, 0);
      (args[1] as tf.GradSaveFunc)([dh]);
    }
    return {
      value,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.mul(saved[0], dy as tf.Tensor),
    };
  }) as (x: tf.Tensor) => tf.Scalar;
  return op(h);
}
