import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { QuantLinear, quantize, dequantize } from '../../lib/quant/index.ts';
import { Rng } from '../../lib/util/index.ts';
import { silenceCpuNotice } from '../../lib/runtime/index.ts';

const IN = 70, OUT = 24;
const r = new Rng(5);
const W = Float32Array.from({ length: IN * OUT }, () => r.normal() * 0.1);
const X = Float32Array.from({ length: 2 * 3 * IN }, () => r.normal());

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

test.before(async () => {
  await tf.setBackend('cpu');
  silenceCpuNotice();
});

test('one tile: y equals tf.matMul(x, dequant(W)) exactly', () => {
  const q = quantize(W, [IN, OUT], 'nf4');
  const layer = new QuantLinear(q, { tileRows: IN });
  const x = tf.tensor3d(X, [2, 3, IN]);
  const y = layer.apply(x);
  assert.equal(y.shape, [2, 3, OUT]);
  const ref = tf.matMul(x.reshape([6, IN]), tf.tensor2d(dequantize(q), [IN, OUT]));
  assert.equal([...y.dataSync()], [...ref.dataSync()]);
  tf.dispose([x, y, ref]);
});

test('several unaligned tiles: y equals x · dequant(W) up to float32 rounding', () => {
  for (const dtype of ['nf4-dq', 'fp4', 'int8', 'bf16'] as const) {
    const q = quantize(W, [IN, OUT], dtype);
    const layer = new QuantLinear(q, { tileRows: 16, tileCols: 5 });
    const x = tf.tensor2d(X.subarray(0, 6 * IN), [6, IN]);
    const y = layer.apply(x);
    const ref = tf.matMul(x, tf.tensor2d(dequantize(q), [IN, OUT]));
    assert.ok(maxDiff(y.dataSync(), ref.dataSync()) < 1e-5, dtype);
    assert.is(layer.cost.tiles, 5, 'ceil(24/5) column tiles per forward');
    assert.is(layer.cost.values, IN * OUT);
    tf.dispose([x, y, ref]);
  }
});

test('gradient wrt x is dy · dequant(W)ᵀ (tiled backward), and nothing else gets a gradient', () => {
  const q = quantize(W, [IN, OUT], 'nf4-dq');
  const layer = new QuantLinear(q, { tileRows: 16 });
  const Wd = tf.tensor2d(dequantize(q), [IN, OUT]);
  const c = tf.tensor2d(Float32Array.from({ length: 6 * OUT }, (_, i) => ((i % 7) - 3) / 3), [6, OUT]);
  const x = tf.tensor2d(X.subarray(0, 6 * IN), [6, IN]);
  const dx = tf.grad((v: tf.Tensor) => layer.apply(v).mul(c).sum())(x);
  const ref = tf.grad((v: tf.Tensor) => tf.matMul(v as tf.Tensor2D, Wd).mul(c).sum())(x);
  assert.equal(dx.shape, [6, IN]);
  assert.ok(maxDiff(dx.dataSync(), ref.dataSync()) < 1e-5);
  const explicit = tf.matMul(c, Wd.transpose());
  assert.ok(maxDiff(dx.dataSync(), explicit.dataSync()) < 1e-5);
  tf.dispose([Wd, c, x, dx, ref, explicit]);
});

test('past the tile budget: equal column tiles forward, equal row tiles backward, each product with the full inner length', () => {
  // W [24, 70] and a budget of 24 × 23 values: forward ceil(70/23) = 4 column tiles of 18 (odd starts in the packed
  // 4-bit codes), inner length 24; backward ceil(24/7) = 4 row tiles of 6, inner length 70.
  const Wt = Float32Array.from({ length: OUT * IN }, (_, i) => W[(i % IN) * OUT + Math.floor(i / IN)]);
  for (const dtype of ['nf4-dq', 'nf4', 'int8', 'fp32'] as const) {
    const q = quantize(Wt, [OUT, IN], dtype);
    const layer = new QuantLinear(q, { maxTileValues: OUT * 23 });
    assert.equal([layer.tileRows, layer.tileCols], [6, 18], dtype);
    const Wd = tf.tensor2d(dequantize(q), [OUT, IN]);
    const x = tf.tensor2d(X.subarray(0, 6 * OUT), [6, OUT]);
    const c = tf.tensor2d(Float32Array.from({ length: 6 * IN }, (_, i) => ((i % 7) - 3) / 3), [6, IN]);
    const y = layer.apply(x);
    const ref = tf.matMul(x, Wd);
    assert.ok(maxDiff(y.dataSync(), ref.dataSync()) < 1e-5, `${dtype} forward`);
    assert.is(layer.cost.tiles, 4);
    assert.is(layer.cost.values, OUT * IN);
    layer.resetCost();
    const dx = tf.grad((v: tf.Tensor) => layer.apply(v).mul(c).sum())(x);
    assert.is(layer.cost.tiles, 8, '4 column tiles forward + 4 row tiles backward');
    assert.ok(maxDiff(dx.dataSync(), tf.matMul(c, Wd.transpose()).dataSync()) < 1e-5, `${dtype} backward`);
    tf.dispose([Wd, x, c, y, ref, dx]);
  }
});

test('equal tiles, no short remainder tile', () => {
  const layer = new QuantLinear(quantize(W, [IN, OUT], 'nf4'), { maxTileValues: 16 * OUT });
  assert.equal([layer.tileRows, layer.tileCols], [14, 5], 'rows: ceil(70/16) = 5 tiles of 14, not 4 × 16 + 6; columns: ceil(24/5) = 5 tiles of 5');
});

test('QLoRA shape: LoRA variables train through the frozen quantized base', () => {
  const q = quantize(W, [IN, OUT], 'nf4-dq');
  const layer = new QuantLinear(q, { tileRows: 32 });
  const A = tf.variable(tf.randomNormal([IN, 4], 0, 0.1, 'float32', 1), true, 'lora_A');
  const B = tf.variable(tf.ones([4, OUT]), true, 'lora_B');
  const x = tf.tensor2d(X.subarray(0, 6 * IN), [6, IN]);
  const { grads } = tf.variableGrads(() => layer.apply(x).add(x.matMul(A).matMul(B)).square().sum() as tf.Scalar);
  assert.equal(Object.keys(grads).sort(), ['lora_A', 'lora_B']);
  assert.equal(grads.lora_A.shape, [IN, 4]);
  assert.ok(grads.lora_A.abs().sum().dataSync()[0] > 0);
  tf.dispose([A, B, x, ...Object.values(grads)]);
});

test('no dequantized weight stays resident: tensor count returns to its baseline after forward + backward', () => {
  const q = quantize(W, [IN, OUT], 'nf4');
  const layer = new QuantLinear(q, { tileRows: 8 });
  const x = tf.tensor2d(X.subarray(0, 6 * IN), [6, IN]);
  const before = tf.memory().numTensors;
  const y = layer.apply(x);
  assert.is(tf.memory().numTensors, before + 1, 'only the output');
  y.dispose();
  const dx = tf.grad((v: tf.Tensor) => layer.apply(v).sum())(x);
  assert.is(tf.memory().numTensors, before + 1, 'only the gradient');
  dx.dispose();
  assert.is(tf.memory().numTensors, before);
  x.dispose();
});

test('shape checks', () => {
  assert.throws(() => new QuantLinear(quantize(W, [IN * OUT], 'nf4')), /needs \[in, out\]/);
  const layer = new QuantLinear(quantize(W, [IN, OUT], 'nf4'));
  const x = tf.zeros([2, IN + 1]);
  assert.throws(() => layer.apply(x), /last dimension is 71; the weight expects 70/);
  x.dispose();
});

test.run();
