/**
 * LoRA (every Llama linear), P-Tuning v2 and QLoRA (nf4-dq base + LoRA) train on checkpoints loaded from
 * the Hugging Face layout — a Llama with grouped-query attention and a Qwen2 with q/k/v biases and one
 * key/value head: the loss on the training examples falls, and the base weights do not move.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { initBackend } from '../../lib/runtime/index.ts';
import { Gpt, loadPretrained, materialize } from '../../lib/model/index.ts';
import { buildModel, MethodSchema } from '../../lib/peft/index.ts';
import { trainLoop, trainConfig, evalLoss } from '../../lib/train/index.ts';

await initBackend();
const FIXTURES = join(import.meta.dirname, '..', 'model', 'fixtures');
// Eight prompt → target pairs over the 128-token vocabulary (ids 0–3 play pad/bos/eos/sep).
const examples = Array.from({ length: 8 }, (_, i) => ({
  id: String(i), prompt: [1, 10 + i, 20 + i, 3], target: [40 + ((i * 7) % 50), 60 + i, 2],
}));
const limits = { maxSource: 4, maxTarget: 3 };

const methods = {
  lora: { spec: { method: 'lora', r: 4, alpha: 8, targets: ['q', 'k', 'v', 'o', 'gate', 'up', 'down'] }, quant: 'fp32', lr: 2e-2 },
  'ptuning-v2': { spec: { method: 'ptuning-v2', prefixLength: 4 }, quant: 'fp32', lr: 0.3 },
  qlora: { spec: { method: 'lora', r: 4, alpha: 8, targets: ['q', 'v', 'gate'] }, quant: 'nf4-dq', lr: 2e-2 },
} as const;

for (const fixture of ['llama-gqa-f32', 'qwen2-bias-f16']) {
  for (const [name, m] of Object.entries(methods)) {
    test(`${name} trains on ${fixture}`, async () => {
      const p = loadPretrained(join(FIXTURES, fixture));
      const weights = materialize(p.weights);
      const model: Gpt = await buildModel(p.config, weights, MethodSchema.parse(m.spec), m.quant, 0);
      const lossOpts = { batchSize: 8, padding: 'longest' as const, ...limits, padId: 0 };
      const before = (await evalLoss(model, examples, lossOpts)).loss;
      const baseName = 'embed.token';
      const baseBefore = model.vars.get(baseName)!.dataSync().slice();
      const r = await trainLoop({
        model, config: trainConfig({ steps: 12, batchSize: 8, lr: m.lr, warmupSteps: 0, logEvery: 100, ...limits }),
        train: examples, padId: 0, seed: 0, quiet: true,
      });
      const after = (await evalLoss(model, examples, lossOpts)).loss;
      assert.is(r.steps, 12);
      assert.ok(after < 0.8 * before, `${name} on ${fixture}: loss ${before.toFixed(3)} → ${after.toFixed(3)}`);
      assert.equal(model.vars.get(baseName)!.dataSync(), baseBefore, 'the base stays frozen');
      assert.ok([...model.trainable.keys()].every((k) => /lora_[AB]|prefix\./.test(k)), 'only adapter tensors train');
      model.dispose();
    });
  }
}

test.run();
