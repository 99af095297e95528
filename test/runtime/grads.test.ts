/**
 * variableGradsLowMemory (lib/runtime/grads.ts, issue 29) walks tfjs' tape releasing saved tensors and spent
 * gradients as it goes: the gradients and the loss must be bitwise tfjs' own `tf.variableGrads`, for LoRA on
 * the Llama family (custom-gradient RMSNorm/SwiGLU, JS-held frozen linears, a tied head), full fine-tuning of
 * GPT-2, gradient checkpointing (nested gradients inside the backward pass), P-Tuning v2 and gradient
 * accumulation's second call; and it must leave no tensor behind.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { initBackend, variableGradsLowMemory } from '../../lib/runtime/index.ts';
import { Gpt, loadPretrained, materialize, lmLoss, initWeights, REFERENCE_CONFIG, type GptConfig } from '../../lib/model/index.ts';
import { applyLora, applyPrefix } from '../../lib/peft/index.ts';

await initBackend();
const fixtures = join(import.meta.dirname, '..', 'model', 'fixtures');
const ids = [5, 17, 99, 3, 64, 12, 7, 1, 40, 2];

type Build = () => Gpt;
const cases: Array<[string, Build, { checkpoint?: boolean; training?: boolean }]> = [
  ['qwen2 LoRA q,v,down (heap layout)', () => lora(Gpt.fromWeights(loadPretrained(join(fixtures, 'qwen2-bias-f16')).config, materialize(loadPretrained(join(fixtures, 'qwen2-bias-f16')).weights))), {}],
  ['llama tied LoRA, frozen linears and head held in JS', () => { const p = loadPretrained(join(fixtures, 'llama-tied-bf16')); return lora(Gpt.fromWeights(p.config, materialize(p.weights), { frozenLayout: 'js' })); }, {}],
  ['llama tied LoRA, checkpointed blocks', () => { const p = loadPretrained(join(fixtures, 'llama-tied-bf16')); return lora(Gpt.fromWeights(p.config, materialize(p.weights))); }, { checkpoint: true, training: true }],
  ['gpt2 full fine-tuning', () => Gpt.fromWeights(small(), initWeights(small(), 1), { trainable: true }), {}],
  ['gpt2 P-Tuning v2 (prefix with projection)', () => { const m = Gpt.fromWeights(small(), initWeights(small(), 1)); applyPrefix(m, { prefixLength: 4, projection: true, projectionHidden: 16, prefixDropout: 0, seed: 2 }); return m; }, {}],
];

function small(): GptConfig {
  return { ...REFERENCE_CONFIG, layers: 2, dModel: 32, heads: 4, vocab: 128, context: 32, dropout: 0 };
}

function lora(model: Gpt): Gpt {
  applyLora(model, { r: 4, alpha: 8, dropout: 0, rslora: false, targets: ['q', 'v', 'down'], seed: 3 });
  for (const [n, v] of model.trainable) if (n.endsWith('lora_B')) v.assign(tf.randomNormal(v.shape, 0, 0.2, 'float32', 5));
  return model;
}

function run(model: Gpt, low: boolean, o: { checkpoint?: boolean; training?: boolean }) {
  const input = tf.tensor2d([ids], [1, ids.length], 'int32');
  const targets = Int32Array.from(ids.slice(1).concat(-100));
  const vars = [...model.trainable.values()];
  const f = () => lmLoss(model.forward(input, { training: o.training ?? false, checkpoint: o.checkpoint }).logits, targets);
  const before = tf.memory().numTensors;
  const { value, grads } = low ? variableGradsLowMemory(f, vars) : tf.variableGrads(f, vars);
  const loss = value.dataSync()[0];
  const g = vars.map((v) => grads[v.name]!.dataSync().slice() as Float32Array);
  const extra = tf.memory().numTensors - before - 1 - Object.keys(grads).length;
  tf.dispose([value, ...Object.values(grads)]);
  input.dispose();
  return { loss, g, extra };
}

for (const [label, build, o] of cases) {
  test(`${label}: low-memory gradients and loss are bitwise tfjs' variableGrads, nothing leaks`, () => {
    const model = build();
    const ref = run(model, false, o);
    const low = run(model, true, o);
    const again = run(model, true, o); // a second call (gradient accumulation) sees a clean engine
    assert.ok(Object.is(low.loss, ref.loss), `loss ${low.loss} vs ${ref.loss}`);
    assert.is(low.g.length, ref.g.length);
    low.g.forEach((g, k) => assert.ok(g.every((v, i) => Object.is(v, ref.g[k]![i])), `gradient ${k} bitwise equal`));
    again.g.forEach((g, k) => assert.ok(g.every((v, i) => Object.is(v, ref.g[k]![i])), `gradient ${k} (second call) bitwise equal`));
    assert.is(low.extra, 0, 'no tensor left behind');
    assert.is(again.extra, 0, 'no tensor left behind (second call)');
    model.dispose();
  });
}

test('less is live at the end of the forward: shape-only saves (Add, Reshape, …) are released', () => {
  const p = loadPretrained(join(fixtures, 'llama-tied-bf16'));
  const model = lora(Gpt.fromWeights(p.config, materialize(p.weights)));
  const input = tf.tensor2d([ids], [1, ids.length], 'int32');
  const targets = Int32Array.from(ids.slice(1).concat(-100));
  const vars = [...model.trainable.values()];
  const liveAfterForward = (low: boolean) => {
    let live = 0;
    const base = tf.memory().numBytes;
    const f = () => {
      const loss = lmLoss(model.forward(input).logits, targets);
      live = tf.memory().numBytes - base;
      return loss;
    };
    const { value, grads } = low ? variableGradsLowMemory(f, vars) : tf.variableGrads(f, vars);
    tf.dispose([value, ...Object.values(grads)]);
    return live;
  };
  const ref = liveAfterForward(false);
  const low = liveAfterForward(true);
  assert.ok(low < ref, `${low} bytes live vs ${ref}`);
  input.dispose();
  model.dispose();
});

test.run();
