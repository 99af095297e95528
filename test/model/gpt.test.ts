import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/runtime/index.ts';
import { Gpt, initWeights, baseParamCount, lmLoss, type GptConfig } from '../../lib/model/index.ts';
import { shiftedLabels } from '../../lib/data/index.ts';

await initBackend();
const config: GptConfig = { layers: 2, dModel: 32, heads: 4, context: 32, vocab: 50, tiedHead: true, dropout: 0 };
const ids = tf.tensor2d([[1, 5, 9, 13, 2, 0], [1, 7, 7, 3, 11, 2]], [2, 6], 'int32');

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

test('initWeights is a pure function of the seed and matches the closed-form parameter count', () => {
  const a = initWeights(config, 3), b = initWeights(config, 3), c = initWeights(config, 4);
  let n = 0;
  for (const [name, t] of a) {
    n += t.data.length;
    assert.equal(t.data, b.get(name)!.data, name);
  }
  assert.is(n, baseParamCount(config));
  assert.is(baseParamCount(config), 50 * 32 + 32 * 32 + 2 * (12 * 32 * 32 + 13 * 32) + 64);
  assert.not.equal(a.get('embed.token')!.data, c.get('embed.token')!.data);
});

test('causality: logits at t do not depend on tokens after t', () => {
  const m = Gpt.fromWeights(config, initWeights(config, 0));
  const other = tf.tensor2d([[1, 5, 9, 40, 41, 42]], [1, 6], 'int32');
  const a = m.forward(ids.slice([0, 0], [1, 6]) as tf.Tensor2D).logits.slice([0, 0, 0], [1, 3, 50]);
  const b = m.forward(other).logits.slice([0, 0, 0], [1, 3, 50]);
  assert.ok(maxAbsDiff(a, b) < 1e-6);
  const full = m.forward(ids.slice([0, 0], [1, 6]) as tf.Tensor2D).logits;
  assert.ok(maxAbsDiff(full.slice([0, 3, 0], [1, 1, 50]), tf.tensor(b.dataSync()).reshape([1, 3, 50]).slice([0, 2, 0], [1, 1, 50])) > 1e-4, 'later tokens do change later logits');
  m.dispose();
});

test('a key/value cache gives the same logits as the full sequence', () => {
  const m = Gpt.fromWeights(config, initWeights(config, 1));
  const full = m.forward(ids).logits;
  const first = m.forward(ids.slice([0, 0], [2, 4]) as tf.Tensor2D, { returnPresents: true });
  const next = m.forward(ids.slice([0, 4], [2, 2]) as tf.Tensor2D, { prefix: first.presents, positionOffset: first.positions });
  assert.ok(maxAbsDiff(full.slice([0, 4, 0], [2, 2, 50]), next.logits) < 1e-5);
  m.dispose();
});

test('gradient checkpointing gives identical loss and gradients', () => {
  const m = Gpt.fromWeights(config, initWeights(config, 2), { trainable: true });
  const labels = new Int32Array([1, 5, 9, 13, 2, -100, -100, -100, 7, 3, 11, 2]);
  const targets = shiftedLabels({ labels, shape: [2, 6] });
  const run = (checkpoint: boolean) => tf.variableGrads(() => lmLoss(m.forward(ids, { checkpoint }).logits, targets), [...m.trainable.values()]);
  const a = run(false), b = run(true);
  assert.is(a.value.dataSync()[0], b.value.dataSync()[0]);
  for (const name of Object.keys(a.grads)) assert.equal(a.grads[name]!.dataSync(), b.grads[name]!.dataSync(), name);
  m.dispose();
});

test('lmLoss equals the mean cross-entropy over counted targets', () => {
  const logits = tf.tensor3d([[[0, 1, 2], [3, 1, 0]]], [1, 2, 3]);
  const loss = lmLoss(logits, new Int32Array([2, -100])).dataSync()[0]!;
  const expected = -Math.log(Math.exp(2) / (1 + Math.E + Math.exp(2)));
  assert.ok(Math.abs(loss - expected) < 1e-6, `${loss} vs ${expected}`);
  const g = tf.grad((x: tf.Tensor) => lmLoss(x as tf.Tensor3D, new Int32Array([2, -100])))(logits).dataSync();
  assert.equal(Array.from(g.slice(3)), [0, 0, 0]);
  assert.ok(Math.abs(g[2]! - (Math.exp(2) / (1 + Math.E + Math.exp(2)) - 1)) < 1e-6);
});

test('exportWeights round-trips a dense model exactly; sequences beyond the context are a located error', async () => {
  const w = initWeights(config, 5);
  const m = Gpt.fromWeights(config, w);
  const out = await m.exportWeights();
  for (const [name, t] of w) assert.equal(out.get(name)!.data, t.data, name);
  try {
    m.forward(tf.zeros([1, 40], 'int32') as tf.Tensor2D);
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /exceeds the model's context 32/);
  }
  m.dispose();
});

test.run();
