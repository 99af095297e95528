import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/runtime/index.ts';
import { initWeights, baseParamCount, lmLoss, type GptConfig, Gpt, DenseLinear } from '../../lib/model/index.ts';
import { buildModel, methodParamCount, MethodSchema, applyLora, LoraLinear, type MethodSpec } from '../../lib/peft/index.ts';

await initBackend();
const config: GptConfig = { layers: 2, dModel: 32, heads: 4, context: 48, vocab: 40, tiedHead: true, dropout: 0 };
const weights = initWeights(config, 0);
const ids = tf.tensor2d([[1, 5, 9, 13, 2, 0], [1, 7, 7, 3, 11, 2]], [2, 6], 'int32');
const targets = new Int32Array([5, 9, 13, 2, -100, -100, 7, 7, 3, 11, 2, -100]);
const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
const spec = (v: unknown) => MethodSchema.parse(v);

const base = Gpt.fromWeights(config, weights);
const baseLogits = tf.keep(base.forward(ids).logits);

test('LoRA with B = 0 leaves the outputs unchanged', async () => {
  const m = await buildModel(config, weights, spec({ method: 'lora', r: 4, targets: ['q', 'k', 'v', 'o', 'fc', 'proj'] }), 'fp32', 1);
  assert.is(maxAbsDiff(m.forward(ids).logits, baseLogits), 0);
  m.dispose();
});

test('merged LoRA equals unmerged, and unmerge restores the base weight', async () => {
  const m = Gpt.fromWeights(config, weights);
  const layers = applyLora(m, { r: 4, alpha: 8, dropout: 0, targets: ['q', 'v', 'fc'], rslora: false, seed: 0 });
  for (const l of layers) l.B.assign(tf.randomNormal(l.B.shape, 0, 0.5, 'float32', 3));
  const before = (layers[0]!.base as DenseLinear).weight.dataSync().slice();
  const unmerged = m.forward(ids).logits;
  for (const l of layers) l.merge();
  const merged = m.forward(ids).logits;
  assert.ok(maxAbsDiff(unmerged, baseLogits) > 1e-3, 'the adapter changes outputs');
  assert.ok(maxAbsDiff(merged, unmerged) < 1e-5, `merged vs unmerged ${maxAbsDiff(merged, unmerged)}`);
  for (const l of layers) l.unmerge();
  const after = (layers[0]!.base as DenseLinear).weight.dataSync();
  let worst = 0;
  for (let i = 0; i < before.length; i++) worst = Math.max(worst, Math.abs(after[i]! - before[i]!));
  assert.ok(worst < 1e-6, `unmerge error ${worst}`);
  m.dispose();
});

test('rsLoRA scales by alpha/sqrt(r), LoRA by alpha/r', () => {
  const m = Gpt.fromWeights(config, weights);
  const [a] = applyLora(m, { r: 16, alpha: 8, dropout: 0, targets: ['q'], rslora: true, seed: 0 });
  assert.is(a!.scale, 2);
  m.dispose();
  const n = Gpt.fromWeights(config, weights);
  const [b] = applyLora(n, { r: 16, alpha: 8, dropout: 0, targets: ['q'], rslora: false, seed: 0 });
  assert.is(b!.scale, 0.5);
  n.dispose();
});

test('P-Tuning v2 with prefix length 0 equals the base model', async () => {
  const m = await buildModel(config, weights, spec({ method: 'ptuning-v2', prefixLength: 0 }), 'fp32', 1);
  assert.is(m.trainableParams(), 0);
  assert.is(maxAbsDiff(m.forward(ids).logits, baseLogits), 0);
  m.dispose();
});

const cases: MethodSpec[] = [
  spec({ method: 'full' }),
  spec({ method: 'lora', r: 4, targets: ['q', 'v'] }),
  spec({ method: 'lora', r: 2, targets: ['q', 'k', 'v', 'o', 'fc', 'proj'] }),
  spec({ method: 'ptuning-v2', prefixLength: 5 }),
  spec({ method: 'ptuning-v2', prefixLength: 5, projection: true, projectionHidden: 16 }),
  spec({ method: 'ptuning-v1', promptLength: 4, encoderHidden: 16 }),
  spec({ method: 'ptuning-v1', promptLength: 4, encoder: 'lstm', encoderHidden: 8 }),
  spec({ method: 'prompt-tuning', promptLength: 6 }),
];

for (const c of cases) {
  const label = JSON.stringify(c);
  test(`${label}: trainable count = closed form; a step moves only the method's tensors`, async () => {
    const m = await buildModel(config, weights, c, 'fp32', 7);
    assert.is(m.trainableParams(), methodParamCount(config, c, baseParamCount(config)));
    const frozen = [...m.vars].filter(([n]) => !m.trainable.has(n)).map(([n, v]) => [n, v.dataSync().slice()] as const);
    const vars = [...m.trainable.values()];
    const { grads } = tf.variableGrads(() => lmLoss(m.forward(ids, { training: true, seed: 1 }).logits, targets), vars);
    assert.is(Object.keys(grads).length, vars.length);
    let nonZero = 0;
    for (const v of vars) {
      const g = grads[v.name]!;
      if (tf.max(tf.abs(g)).dataSync()[0]! > 0) nonZero++;
      v.assign(tf.sub(v, tf.mul(g, 0.1)));
    }
    // LoRA's A gets no gradient while B is still zero (dL/dA = x·dy·Bᵀ); every other tensor must.
    const expected = c.method === 'lora' ? vars.length / 2 : vars.length;
    assert.is(nonZero, expected);
    for (const [n, before] of frozen) assert.equal(m.vars.get(n)!.dataSync(), before, `${n} is frozen`);
    m.dispose();
  });
}

test('quantized bases are frozen and full fine-tuning refuses them', async () => {
  const m = await buildModel(config, weights, spec({ method: 'lora', r: 4 }), 'nf4', 1);
  assert.is(m.trainableParams(), methodParamCount(config, spec({ method: 'lora', r: 4 }), 0));
  const d = maxAbsDiff(m.forward(ids).logits, baseLogits);
  assert.ok(d > 0 && d < 0.5, `nf4 base logits differ by ${d}`);
  m.dispose();
  try {
    await buildModel(config, weights, spec({ method: 'full' }), 'nf4', 1);
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /full fine-tuning cannot train a "nf4" base/);
  }
});

test('building and disposing a model of every method leaks no tensors', async () => {
  const before = tf.memory().numTensors;
  for (const c of cases) (await buildModel(config, weights, c, c.method === 'full' ? 'fp32' : 'nf4-dq', 3)).dispose();
  assert.is(tf.memory().numTensors, before);
});

test('an unknown method key is a config error with its path', () => {
  assert.throws(() => MethodSchema.parse({ method: 'lora', rank: 8 }), /rank/);
  assert.ok(LoraLinear);
});

test.run();
