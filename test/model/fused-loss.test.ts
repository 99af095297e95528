/**
 * The head fused with the loss and run in chunks of tokens (`Gpt.loss` → fusedHeadLoss, issue 29): the same
 * loss and gradients as lmLoss over the whole logits, for every frozen-head storage (tied head kept as a
 * transpose in the heap, tied head held in JS, untied head variable), in training and in evaluation; small
 * models keep the unfused path bitwise; `lastOnly` gives the last position's logits of the full forward.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { initBackend } from '../../lib/runtime/index.ts';
import { Gpt, loadPretrained, materialize, lmLoss, LOSS_CHUNK_BYTES } from '../../lib/model/index.ts';
import { applyLora } from '../../lib/peft/index.ts';

await initBackend();
const fixtures = join(import.meta.dirname, 'fixtures');
const B = 2;
const T = 7;
const ids = [5, 17, 99, 3, 64, 12, 7, 1, 40, 2, 8, 9, 11, 30];
const targets = Int32Array.from([17, 99, 3, 64, -100, 7, -100, -100, 2, 8, 9, 11, 30, -100]);

function build(fixture: string, layout: 'heap' | 'js'): Gpt {
  const p = loadPretrained(join(fixtures, fixture));
  const model = Gpt.fromWeights(p.config, materialize(p.weights), { frozenLayout: layout });
  applyLora(model, { r: 4, alpha: 8, dropout: 0, rslora: false, targets: ['q', 'v'], seed: 3 });
  for (const [n, v] of model.trainable) if (n.endsWith('lora_B')) v.assign(tf.randomNormal(v.shape, 0, 0.2, 'float32', 5));
  return model;
}

function lossAndGrads(model: Gpt, f: (input: tf.Tensor2D) => tf.Scalar) {
  const input = tf.tensor2d(ids, [B, T], 'int32');
  const vars = [...model.trainable.values()];
  const { value, grads } = tf.variableGrads(() => f(input), vars);
  const out = { loss: value.dataSync()[0], grads: vars.map((v) => grads[v.name]!.dataSync().slice() as Float32Array), evalLoss: tf.tidy(() => f(input).dataSync()[0]) };
  tf.dispose([value, ...Object.values(grads), input]);
  return out;
}

const close = (a: number, b: number, scale: number) => Math.abs(a - b) <= 1e-6 * scale;

for (const [fixture, layout] of [['llama-tied-bf16', 'heap'], ['llama-tied-bf16', 'js'], ['qwen2-bias-f16', 'heap'], ['qwen2-bias-f16', 'js']] as const) {
  test(`${fixture} (${layout} layout): chunked head + loss = lmLoss over the whole logits`, () => {
    const model = build(fixture, layout);
    const ref = lossAndGrads(model, (x) => lmLoss(model.forward(x).logits, targets));
    for (const chunkRows of [1, 3, 5, B * T]) {
      const fused = lossAndGrads(model, (x) => model.loss(x, targets, { chunkRows }));
      assert.ok(close(fused.loss, ref.loss, Math.abs(ref.loss)), `loss ${fused.loss} vs ${ref.loss} (chunks of ${chunkRows})`);
      assert.ok(close(fused.evalLoss, ref.evalLoss, Math.abs(ref.loss)), `eval loss ${fused.evalLoss} vs ${ref.evalLoss}`);
      fused.grads.forEach((g, k) => {
        const scale = ref.grads[k]!.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
        const worst = g.reduce((m, v, i) => Math.max(m, Math.abs(v - ref.grads[k]![i]!)), 0);
        assert.ok(worst <= 1e-6 * scale, `gradient ${k}: max difference ${worst} (scale ${scale}, chunks of ${chunkRows})`);
      });
    }
    model.dispose();
  });
}

test('small models keep the unfused loss bitwise (the fused path starts past 2 × LOSS_CHUNK_BYTES of logits)', () => {
  const model = build('llama-tied-bf16', 'heap');
  assert.ok(B * T * model.config.vocab * 4 < 2 * LOSS_CHUNK_BYTES);
  const ref = lossAndGrads(model, (x) => lmLoss(model.forward(x).logits, targets));
  const auto = lossAndGrads(model, (x) => model.loss(x, targets));
  assert.ok(Object.is(auto.loss, ref.loss));
  auto.grads.forEach((g, k) => assert.ok(g.every((v, i) => Object.is(v, ref.grads[k]![i])), `gradient ${k} bitwise`));
  model.dispose();
});

test('lastOnly: the last position\'s logits of the full forward', () => {
  for (const layout of ['heap', 'js'] as const) {
    const model = build('llama-tied-bf16', layout);
    const input = tf.tensor2d(ids, [B, T], 'int32');
    const full = tf.tidy(() => model.forward(input).logits.arraySync() as number[][][]);
    const last = tf.tidy(() => model.forward(input, { lastOnly: true }).logits.arraySync() as number[][][]);
    assert.equal([last.length, last[0]!.length], [B, 1]);
    for (let b = 0; b < B; b++) {
      const want = full[b]![T - 1]!;
      const got = last[b]![0]!;
      const scale = want.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
      assert.ok(got.every((v, i) => Math.abs(v - want[i]!) <= 1e-6 * scale), `${layout}: row ${b}`);
    }
    input.dispose();
    model.dispose();
  }
});

test.run();
