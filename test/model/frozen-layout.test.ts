/**
 * A frozen fp32 base kept in JS memory (issue 29: weights outside the 4 GiB wasm heap) computes what the dense
 * layout computes: the same logits and the same LoRA gradients, bit for bit on a small model (each weight is
 * one tile there). 'auto' keeps small models dense and moves the 0.5B shape's 1.43 GB of block linears out.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { join } from 'node:path';
import { initBackend } from '../../lib/runtime/index.ts';
import { Gpt, PackedLinear, DenseLinear, loadPretrained, materialize, lmLoss, frozenInJs, blockLinearBytes, GptConfigSchema } from '../../lib/model/index.ts';
import { applyLora } from '../../lib/peft/index.ts';

await initBackend();
const p = loadPretrained(join(import.meta.dirname, 'fixtures', 'qwen2-bias-f16'));
// A tied head too: its transpose is then held in JS and multiplied per tile.
const tied = loadPretrained(join(import.meta.dirname, 'fixtures', 'llama-tied-bf16'));
const ids = [5, 17, 99, 3, 64, 12, 7, 1];

function stepOf(layout: 'heap' | 'js', src = p): { logits: Float32Array; grads: Float32Array[]; model: Gpt } {
  const model = Gpt.fromWeights(src.config, materialize(src.weights), { frozenLayout: layout });
  applyLora(model, { r: 4, alpha: 8, dropout: 0, rslora: false, targets: ['q', 'v', 'down'], seed: 3 });
  // LoRA B starts at zero; give it values so the base's gradient path is exercised.
  for (const [n, v] of model.trainable) if (n.endsWith('lora_B')) v.assign(tf.randomNormal(v.shape, 0, 0.2, 'float32', 5));
  const input = tf.tensor2d([ids], [1, ids.length], 'int32');
  const logits = tf.tidy(() => model.forward(input).logits.dataSync() as Float32Array);
  const vars = [...model.trainable.values()];
  const { grads } = tf.variableGrads(() => lmLoss(model.forward(input, { training: true }).logits, Int32Array.from(ids.slice(1).concat(0))), vars);
  const out = vars.map((v) => grads[v.name]!.dataSync() as Float32Array);
  tf.dispose(Object.values(grads));
  input.dispose();
  return { logits, grads: out, model };
}

for (const [label, src] of [['qwen2 (untied)', p], ['llama (tied head)', tied]] as const) test(`${label}: JS-held frozen fp32 linears give logits and LoRA gradients bitwise equal to the dense layout`, () => {
  assert.ok(!src.config.tiedHead === (src === p));
  const heap = stepOf('heap', src);
  const js = stepOf('js', src);
  const bases = (m: Gpt) => [...m.linears.values()].map((l) => {
    let base: unknown = l;
    while (base && typeof base === 'object' && 'base' in base) base = (base as { base: unknown }).base;
    return base;
  });
  assert.ok(bases(heap.model).every((b) => b instanceof DenseLinear), 'heap: dense variables');
  assert.ok(bases(js.model).every((b) => b instanceof PackedLinear), 'js: every block linear held in JS');
  assert.ok(js.model.jsTensors.has('embed.token') && !js.model.vars.has('embed.token'), 'js: the frozen token embedding held in JS');
  assert.ok(heap.model.vars.has('embed.token') && heap.model.jsTensors.size === 0, 'heap: the embedding is a variable');
  assert.ok(heap.logits.every((v, i) => Object.is(v, js.logits[i])), 'logits bitwise equal');
  assert.is(js.grads.length, heap.grads.length);
  js.grads.forEach((g, k) => assert.ok(g.every((v, i) => Object.is(v, heap.grads[k]![i])), `gradient ${k} bitwise equal`));
  heap.model.dispose();
  js.model.dispose();
});

test('effectiveWeightSource reads, tensor by tensor, what exportWeights returns (LoRA merged, JS-held embedding)', async () => {
  for (const layout of ['heap', 'js'] as const) {
    const { model } = stepOf(layout, tied);
    const all = await model.exportWeights();
    const lazy = model.effectiveWeightSource();
    assert.equal([...lazy.keys()].sort(), [...all.keys()].sort());
    for (const [name, t] of all) {
      const l = lazy.get(name)!;
      assert.equal(l.shape, t.shape, name);
      assert.ok(l.data.every((v, i) => Object.is(v, t.data[i])), `${layout}: ${name} bitwise`);
    }
    model.dispose();
  }
});

test("'auto' moves a frozen base to JS only past 1 GiB of block linears, and never a trainable one", () => {
  assert.not.ok(frozenInJs(p.config));
  const qwen05 = GptConfigSchema.parse({ arch: 'llama', layers: 24, dModel: 896, heads: 14, kvHeads: 2, ffn: 4864, context: 4096, vocab: 151936, tiedHead: true, qkvBias: true, dropout: 0 }, 'qwen2.5-0.5b');
  assert.is(blockLinearBytes(qwen05), 4 * 24 * (896 * 896 * 2 + 896 * 128 * 2 + 3 * 896 * 4864));
  assert.ok(frozenInJs(qwen05));
  assert.not.ok(frozenInJs(qwen05, 'auto', true));
  assert.not.ok(frozenInJs(qwen05, 'heap'));
});

test.run();
