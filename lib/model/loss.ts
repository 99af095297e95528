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
import { tensorsOnDevice } from '../runtime/index.ts';

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
        const p = saved[0].dataSync() as Float32Array;
        const scale = (dy as tf.Tensor).dataSync()[0] / count;
        const g = new Float32Array(p.length);
        for (let r = 0; r < rows.length; r++) {
          const o = rows[r] * V;
          for (let j = 0; j < V; j++) g[o + j] = p[o + j] * scale;
          g[flat[r]] -= scale;
        }
        return tf.tensor2d(g, [B * T, V]);
      },
    };
  }) as (x: tf.Tensor) => tf.Scalar;
  return tf.tidy(() => op(tf.reshape(logits, [B * T, V])));
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
