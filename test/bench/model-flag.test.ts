/**
 * `bench generate|train|load --model DIR` (issue 29): the benches run on any Hugging Face checkpoint
 * directory, here the small qwen2 fixture (q/k/v biases, GQA), with tiny repeat counts — what is checked is that
 * the checkpoint is what runs (its config, its tokens), not speed.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { benchGenerate } from '../../lib/infer/index.ts';
import { benchTrainStep, benchLoad, LLAMA_100M, REFERENCE_CASES } from '../../lib/bench/index.ts';
import { loadPretrained } from '../../lib/model/index.ts';
import { initBackend } from '../../lib/runtime/index.ts';

await initBackend();
const DIR = join(import.meta.dirname, '..', 'model', 'fixtures', 'qwen2-bias-f16');

test('bench generate --model: both engines run the checkpoint and agree token for token, in fp32 and nf4-dq', async () => {
  for (const quant of ['fp32', 'nf4-dq'] as const) {
    const r = await benchGenerate({ model: DIR, quant, newTokens: 6, promptTokens: 5, repeats: 1, warmup: 0 });
    assert.is(r.config.vocab, loadPretrained(DIR).config.vocab);
    assert.equal(r.rows.map((x) => x.backend), ['tfjs', 'onnxruntime']);
    assert.ok(r.sameTokens, `${quant}: tfjs and ONNX Runtime generated different tokens`);
  }
  const ortOnly = await benchGenerate({ model: DIR, engines: ['onnxruntime'], newTokens: 4, promptTokens: 3, repeats: 1, warmup: 0 });
  assert.equal(ortOnly.rows.map((x) => x.backend), ['onnxruntime']);
  assert.ok(Number.isNaN(ortOnly.speedup));
});

test('bench train --model: the methods train the checkpoint\'s own weights', async () => {
  const p = loadPretrained(DIR);
  const cases = REFERENCE_CASES.filter((c) => c.label === 'lora' || c.label === 'qlora');
  const rows = await benchTrainStep({ cases, config: p.config, weights: p.weights, batch: 2, seqLen: 8, optimizer: 'adamw', timing: { minRounds: 1, maxRounds: 1, warmupRounds: 0, batches: 1, lock: false } });
  assert.equal(rows.map((r) => r.label), ['lora', 'qlora']);
  // LoRA r 8 on q and v of each layer: r · (in + out) per target.
  const hd = p.config.dModel / p.config.heads;
  const perLayer = 8 * (p.config.dModel + p.config.dModel) + 8 * (p.config.dModel + p.config.kvHeads! * hd);
  assert.is(rows[0].trainableParams, perLayer * p.config.layers);
  for (const r of rows) assert.ok(r.stepMs.wall.mean > 0 && Number.isFinite(r.stepMs.wall.mean));
});

test('bench load --model: loads the given directory, not a random one', () => {
  const r = benchLoad({ model: LLAMA_100M, dtype: 'BF16', quants: ['fp32'], repeats: 1, dir: DIR });
  const p = loadPretrained(DIR);
  let params = 0;
  for (const t of p.weights.keys()) params += p.weights.get(t)!.data.length;
  assert.is(r.params, params);
  assert.is(r.dtype, 'as stored');
  assert.is(r.rows[0].runs, 1);
});

test.run();
