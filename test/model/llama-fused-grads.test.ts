/**
 * The Llama blocks' hand-written gradients (RMSNorm, SwiGLU) and the GEMM form of rotate_half against autodiff
 * of their textbook forward formulas, on the engine's backend.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/runtime/index.ts';
import { rmsNorm, swiglu, rotateHalf } from '../../lib/model/index.ts';
import { Rng } from '../../lib/util/index.ts';

const rand = (shape: number[], seed: string, scale = 1) => {
  const r = new Rng(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (r.next() * 2 - 1) * scale), shape);
};
const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!;

test('rmsNorm: value and gradients (x and gain) equal autodiff of x·rsqrt(mean(x²)+eps)·g', async () => {
  await initBackend();
  const x = rand([6, 32], 'x', 3), g = rand([32], 'g'), w = rand([6, 32], 'w');
  const ref = (a: tf.Tensor, b: tf.Tensor) => tf.mul(tf.mul(a, tf.rsqrt(tf.add(tf.mean(tf.mul(a, a), -1, true), 1e-6))), b);
  const loss = (f: (a: tf.Tensor, b: tf.Tensor) => tf.Tensor) => (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a, b), w));
  assert.ok(maxDiff(rmsNorm(x, g, 1e-6), ref(x, g)) < 1e-6);
  const [gx, gg] = tf.grads(loss((a, b) => rmsNorm(a, b, 1e-6)))([x, g]);
  const [rx, rg] = tf.grads(loss(ref))([x, g]);
  assert.ok(maxDiff(gx!, rx!) < 1e-5, `dx ${maxDiff(gx!, rx!)}`);
  assert.ok(maxDiff(gg!, rg!) < 1e-5, `dg ${maxDiff(gg!, rg!)}`);
});

test('swiglu: value and gradients equal autodiff of gate·sigmoid(gate)·up', () => {
  const a = rand([8, 40], 'a', 4), b = rand([8, 40], 'b', 2), w = rand([8, 40], 'w');
  const ref = (p: tf.Tensor, q: tf.Tensor) => tf.mul(tf.mul(p, tf.sigmoid(p)), q);
  const loss = (f: (p: tf.Tensor, q: tf.Tensor) => tf.Tensor) => (p: tf.Tensor, q: tf.Tensor) => tf.sum(tf.mul(f(p, q), w));
  assert.ok(maxDiff(swiglu(a, b), ref(a, b)) < 1e-6);
  const [ga, gb] = tf.grads(loss(swiglu))([a, b]);
  const [ra, rb] = tf.grads(loss(ref))([a, b]);
  assert.ok(maxDiff(ga!, ra!) < 1e-5, `dgate ${maxDiff(ga!, ra!)}`);
  assert.ok(maxDiff(gb!, rb!) < 1e-6, `dup ${maxDiff(gb!, rb!)}`);
});

test('rotateHalf as a GEMM is exactly cat(−x₂, x₁), and so is its gradient', () => {
  const x = rand([2, 3, 5, 8], 'r', 5), w = rand([2, 3, 5, 8], 'w');
  const ref = (t: tf.Tensor) => tf.concat([tf.neg(tf.slice(t, [0, 0, 0, 4], [-1, -1, -1, 4])), tf.slice(t, [0, 0, 0, 0], [-1, -1, -1, 4])], 3);
  assert.equal(Array.from(rotateHalf(x as tf.Tensor4D).dataSync()), Array.from(ref(x).dataSync()));
  const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(rotateHalf(t as tf.Tensor4D), w)))(x);
  const r = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(ref(t), w)))(x);
  assert.equal(Array.from(g.dataSync()), Array.from(r.dataSync()));
});

test.run();
