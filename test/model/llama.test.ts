import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/runtime/index.ts';
import { Gpt, initWeights, baseParamCount, lmLoss, CHATGLM2_TINY, ropeTables, type GptConfig } from '../../lib/model/index.ts';
import { shiftedLabels } from '../../lib/data/index.ts';
import { buildModel, MethodSchema, methodParamCount } from '../../lib/peft/index.ts';

await initBackend();
const config: GptConfig = { arch: 'llama', layers: 2, dModel: 32, heads: 4, kvHeads: 2, ffn: 48, context: 32, vocab: 50, tiedHead: false, dropout: 0, qkvBias: true };
const ids = tf.tensor2d([[1, 5, 9, 13, 2, 0], [1, 7, 7, 3, 11, 2]], [2, 6], 'int32');

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]!);
}

/** Spread-out weights (the 0.02 init makes every logit nearly equal, which would let wrong math pass). */
function spread(c: GptConfig, seed: number) {
  const w = initWeights(c, seed);
  for (const [name, t] of w) if (!name.endsWith('gamma')) for (let i = 0; i < t.data.length; i++) t.data[i] *= 20;
  return w;
}

test('llama init matches the closed-form parameter count (GQA, q/k/v biases, untied head)', () => {
  let n = 0;
  for (const t of initWeights(config, 3).values()) n += t.data.length;
  const hd = 8, kv = 2 * hd;
  const perBlock = 2 * 32 * 32 + 2 * 32 * kv + (32 + 2 * kv) + 3 * 32 * 48 + 2 * 32;
  assert.is(n, baseParamCount(config));
  assert.is(n, 50 * 32 + 2 * perBlock + 32 + 32 * 50);
  assert.not.ok(initWeights(config, 3).has('embed.position'), 'rotary embeddings: no learned positions');
});

test('rotary tables follow transformers: cos/sin of cat(freqs, freqs), inv_freq = 1/θ^(2i/hd)', () => {
  const { cos, sin } = ropeTables(10000, 4, 3);
  const c = cos.arraySync(), s = sin.arraySync();
  // position 2: freqs [2·1, 2·0.01]
  assert.ok(Math.abs(c[2][0] - Math.cos(2)) < 1e-7 && Math.abs(c[2][2] - Math.cos(2)) < 1e-7);
  assert.ok(Math.abs(s[2][1] - Math.sin(0.02)) < 1e-7 && Math.abs(s[2][3] - Math.sin(0.02)) < 1e-7);
  assert.equal(c[0], [1, 1, 1, 1]);
});

test('a key/value cache (kept with KV heads) gives the same logits as the full sequence', () => {
  const m = Gpt.fromWeights(config, spread(config, 1));
  const full = m.forward(ids).logits;
  const first = m.forward(ids.slice([0, 0], [2, 4]) as tf.Tensor2D, { returnPresents: true });
  assert.equal(first.presents!.keys[0].shape, [2, 2, 4, 8], 'cache holds the 2 key/value heads, not 4');
  const next = m.forward(ids.slice([0, 4], [2, 2]) as tf.Tensor2D, { prefix: first.presents, positionOffset: first.positions });
  const range = tf.tidy(() => tf.sub(tf.max(full), tf.min(full)).dataSync()[0]);
  assert.ok(maxAbsDiff(full.slice([0, 4, 0], [2, 2, 50]), next.logits) < 1e-5 * range);
  m.dispose();
});

test('left padding under the mask changes nothing (rotary scores depend only on relative position)', () => {
  const m = Gpt.fromWeights(config, spread(config, 4));
  const plain = m.forward(tf.tensor2d([[5, 9, 13, 2]], [1, 4], 'int32')).logits;
  const padded = m.forward(tf.tensor2d([[0, 0, 5, 9, 13, 2]], [1, 6], 'int32'), { attentionMask: tf.tensor2d([[0, 0, 1, 1, 1, 1]], [1, 6], 'int32') }).logits;
  const range = tf.tidy(() => tf.sub(tf.max(plain), tf.min(plain)).dataSync()[0]);
  assert.ok(maxAbsDiff(plain, padded.slice([0, 2, 0], [1, 4, 50])) < 1e-4 * range);
  const unmasked = m.forward(tf.tensor2d([[0, 0, 5, 9, 13, 2]], [1, 6], 'int32')).logits;
  assert.ok(maxAbsDiff(plain, unmasked.slice([0, 2, 0], [1, 4, 50])) > 1e-3 * range, 'without the mask the pads are seen');
  m.dispose();
});

test('gradient checkpointing gives identical loss and gradients on a llama block', () => {
  const m = Gpt.fromWeights(config, initWeights(config, 2), { trainable: true });
  const labels = new Int32Array([1, 5, 9, 13, 2, -100, -100, -100, 7, 3, 11, 2]);
  const targets = shiftedLabels({ labels, shape: [2, 6] });
  const run = (checkpoint: boolean) => tf.variableGrads(() => lmLoss(m.forward(ids, { checkpoint }).logits, targets), [...m.trainable.values()]);
  const a = run(false), b = run(true);
  assert.is(a.value.dataSync()[0], b.value.dataSync()[0]);
  for (const name of Object.keys(a.grads)) assert.equal(a.grads[name]!.dataSync(), b.grads[name]!.dataSync(), name);
  m.dispose();
});

test('every PEFT method builds on llama with its closed-form trainable count; LoRA reaches gate/up/down', async () => {
  const specs = [
    { method: 'lora', r: 4, targets: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'] },
    { method: 'ptuning-v2', prefixLength: 3 },
    { method: 'ptuning-v2', prefixLength: 3, projection: true, projectionHidden: 16 },
    { method: 'ptuning-v1', promptLength: 2, encoderHidden: 8 },
    { method: 'prompt-tuning', promptLength: 2 },
    { method: 'full' },
  ];
  for (const raw of specs) {
    const spec = MethodSchema.parse(raw);
    const m = await buildModel(config, initWeights(config, 5), spec, 'fp32', 0);
    assert.is(m.trainableParams(), methodParamCount(config, spec, baseParamCount(config)), JSON.stringify(raw));
    const out = m.forward(ids, { training: true }).logits;
    assert.equal(out.shape, [2, 6, 50]);
    m.dispose();
  }
  // LoRA r·(in+out): q 32+32, k 32+16, v 32+16, o 32+32, gate 32+48, up 32+48, down 48+32, × 2 layers × r 4
  assert.is(methodParamCount(config, MethodSchema.parse(specs[0]), 0), 2 * 4 * (64 + 48 + 48 + 64 + 80 + 80 + 80));
  // P-Tuning v2 prefix: P·2·layers·KV·hd
  assert.is(methodParamCount(config, MethodSchema.parse(specs[1]), 0), 3 * 2 * 2 * 16);
  try {
    await buildModel(config, initWeights(config, 5), MethodSchema.parse({ method: 'lora', targets: ['fc'] }), 'fp32', 0);
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /LoRA target "fc" does not exist in a llama block/);
  }
  // "all" (every target name) means every linear the family has
  const all = MethodSchema.parse({ method: 'lora', r: 4, targets: ['q', 'k', 'v', 'o', 'fc', 'proj', 'gate', 'up', 'down'] });
  const m = await buildModel(config, initWeights(config, 5), all, 'fp32', 0);
  assert.is(m.trainableParams(), methodParamCount(config, MethodSchema.parse(specs[0]), 0));
  m.dispose();
});

test('a quantized (nf4-dq) llama base stays close to fp32 and LoRA on it starts at the base', async () => {
  const w = initWeights(config, 6);
  const fp = Gpt.fromWeights(config, w);
  const q = await buildModel(config, w, MethodSchema.parse({ method: 'lora', r: 4, targets: ['q', 'v', 'gate'] }), 'nf4-dq', 0);
  const a = fp.forward(ids).logits, b = q.forward(ids).logits;
  const qOnly = Gpt.fromWeights(config, w, { quant: 'nf4-dq' });
  assert.ok(maxAbsDiff(b, qOnly.forward(ids).logits) === 0, 'LoRA B = 0: the quantized base exactly');
  assert.ok(maxAbsDiff(a, b) < 0.05, `nf4 error ${maxAbsDiff(a, b)}`);
  for (const m of [fp, q, qOnly]) m.dispose();
});

test('chatglm2-tiny keeps ChatGLM2-6B proportions: 2 key/value groups, ffn/d ≈ 13696/4096', () => {
  assert.is(CHATGLM2_TINY.arch, 'llama');
  assert.is(CHATGLM2_TINY.kvHeads, 2);
  assert.ok(Math.abs(CHATGLM2_TINY.ffn! / CHATGLM2_TINY.dModel - 13696 / 4096) < 0.05);
  assert.is(CHATGLM2_TINY.dModel / CHATGLM2_TINY.heads, 16);
  const m = Gpt.fromWeights(CHATGLM2_TINY, initWeights(CHATGLM2_TINY, 0));
  assert.equal(m.forward(tf.tensor2d([[1, 2, 3]], [1, 3], 'int32')).logits.shape, [1, 3, 2000]);
  m.dispose();
});

test.run();
