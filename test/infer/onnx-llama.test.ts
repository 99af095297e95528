/**
 * The Llama family under ONNX Runtime: loaded HF checkpoints (GQA + untied, one kv head + q/k/v biases, tied
 * MHA) export to ONNX and generate the same 16 greedy tokens as the tfjs model and as the independent torch
 * reference; LoRA on every linear, QLoRA and a P-Tuning v2 prefix export with logits equal to tfjs.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { initBackend } from '../../lib/runtime/index.ts';
import { Gpt, loadPretrained, materialize } from '../../lib/model/index.ts';
import { buildModel, MethodSchema } from '../../lib/peft/index.ts';
import { exportOnnx, OrtDecoder, TfjsDecoder, generate } from '../../lib/infer/index.ts';

await initBackend();
const FIXTURES = join(import.meta.dirname, '..', 'model', 'fixtures');

for (const name of ['llama-gqa-f32', 'qwen2-bias-f16', 'llama-tied-bf16']) {
  test(`${name}: ONNX Runtime greedy tokens equal tfjs and the torch reference`, async () => {
    const e = JSON.parse(readFileSync(join(FIXTURES, name, 'expected.json'), 'utf8')) as { prompt: number[]; greedy: number[] };
    const p = loadPretrained(join(FIXTURES, name));
    const model = Gpt.fromWeights(p.config, p.weights);
    const ort = await OrtDecoder.create(await exportOnnx(model), { intraOpThreads: 1 });
    const viaOrt = await generate(ort, [e.prompt, e.prompt], { maxNew: 16 });
    const viaTfjs = await generate(new TfjsDecoder(model), [e.prompt], { maxNew: 16 });
    assert.equal(viaOrt.tokens[0], e.greedy);
    assert.equal(viaOrt.tokens[1], e.greedy, 'batch rows are independent');
    assert.equal(viaTfjs.tokens[0], e.greedy);
    const { present } = await ort.run(e.prompt, 1, e.prompt.length);
    assert.equal(present.keys[0].dims, [1, p.config.kvHeads, e.prompt.length, 16], 'the cache holds key/value heads only');
    await ort.dispose();
    model.dispose();
  });
}

const methods: Record<string, { spec: unknown; quant: 'fp32' | 'nf4-dq' }> = {
  'lora on q, k, v, o, gate, up, down': { spec: { method: 'lora', r: 4, targets: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'] }, quant: 'fp32' },
  'qlora (nf4-dq base)': { spec: { method: 'lora', r: 4, targets: ['q', 'v'] }, quant: 'nf4-dq' },
  'ptuning-v2 prefix': { spec: { method: 'ptuning-v2', prefixLength: 3 }, quant: 'fp32' },
};
for (const [label, m] of Object.entries(methods)) {
  test(`${label} on qwen2 exports with logits equal to tfjs`, async () => {
    const p = loadPretrained(join(FIXTURES, 'qwen2-bias-f16'));
    const model = await buildModel(p.config, materialize(p.weights), MethodSchema.parse(m.spec as never), m.quant, 0);
    // A trained-looking adapter: LoRA B random (it starts at zero), so the merge is exercised.
    for (const [n, v] of model.trainable) if (n.endsWith('lora_B')) v.assign(tf.randomNormal(v.shape, 0, 0.2, 'float32', 1));
    const ids = [5, 17, 99, 3, 64, 12, 7];
    const ref = tf.tidy(() => model.forward(tf.tensor2d([ids], [1, ids.length], 'int32')).logits.dataSync() as Float32Array);
    const ort = await OrtDecoder.create(await exportOnnx(model), { intraOpThreads: 1 });
    const { logits } = await ort.run(ids, 1, ids.length);
    let worst = 0, range = 0;
    ref.forEach((v, i) => { worst = Math.max(worst, Math.abs(v - logits[i])); range = Math.max(range, Math.abs(v)); });
    assert.ok(range > 1, 'logits are spread out');
    assert.ok(worst <= 1e-4 * range, `${label}: max |onnx − tfjs| ${worst} of ${range}`);
    await ort.dispose();
    model.dispose();
  });
}

test.run();
