import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/runtime/index.ts';
import { buildModel, type MethodSpec } from '../../lib/peft/index.ts';
import type { Gpt } from '../../lib/model/index.ts';
import { generateBatched } from '../../lib/infer/generate.ts';
import { evaluate, zhRougeScorer, predictionsJsonl } from '../../lib/train/evaluate.ts';
import { trainLoop } from '../../lib/train/loop.ts';
import { TrainSchema } from '../../lib/train/config.ts';
import { fixture } from './setup.ts';
import { TfjsDecoder } from '../../lib/infer/tfjs-decoder.ts';

await initBackend();
const f = fixture();
const EOS = f.tok.special.eos;

/** Greedy decoding without a cache: the whole sequence through the model at every step. */
function greedyNoCache(model: Gpt, prompt: number[], maxNew: number): number[] {
  const seq = [...prompt];
  const out: number[] = [];
  for (let n = 0; n < maxNew; n++) {
    const next = tf.tidy(() => {
      const { logits } = model.forward(tf.tensor2d(seq, [1, seq.length], 'int32'));
      return tf.argMax(tf.squeeze(tf.slice(logits, [0, seq.length - 1, 0], [1, 1, -1]))).dataSync()[0]!;
    });
    if (next === EOS) break;
    out.push(next);
    seq.push(next);
  }
  return out;
}

async function trained(method: MethodSpec, steps = 40): Promise<Gpt> {
  const model = await buildModel(f.config, f.base, method, 'fp32', 0);
  await trainLoop({ model, config: TrainSchema.parse({ steps, batchSize: 6, lr: 1e-2, maxSource: 24, maxTarget: 24 }), train: f.train, padId: 0, seed: 0, quiet: true });
  return model;
}

/** Evaluation's generation path: lib/infer's loop over same-length groups with the tfjs decoder. */
async function generate(model: Gpt, ps: number[][], o: { maxNew: number; eos: number; batchSize?: number; temperature?: number; topK?: number; seed?: number }): Promise<number[][]> {
  const d = new TfjsDecoder(model);
  try {
    return await generateBatched(d, ps, o);
  } finally {
    d.dispose();
  }
}

const prompts = f.eval.map((e) => e.prompt);
/** One lightly trained full model shared by the tests that only read it. */
const shared = await trained({ method: 'full' }, 30);

for (const method of [{ method: 'full' }, { method: 'ptuning-v2', prefixLength: 4, projection: false, projectionHidden: 8, prefixDropout: 0 }, { method: 'prompt-tuning', promptLength: 4 }] as MethodSpec[]) {
  test(`${method.method}: greedy with the KV cache equals greedy recomputing the whole sequence; batching changes nothing`, async () => {
    const model = method.method === 'full' ? shared : await trained(method, 10);
    const cached = await generate(model, prompts, { maxNew: 12, eos: EOS, batchSize: 8 });
    const tensors = tf.memory().numTensors;
    const single = await Promise.all(prompts.map(async (p) => (await generate(model, [p], { maxNew: 12, eos: EOS }))[0]));
    assert.equal(cached, single);
    assert.is(tf.memory().numTensors, tensors, 'the cache is disposed (no tensor leak)');
    for (let i = 0; i < 3; i++) assert.equal(cached[i], greedyNoCache(model, prompts[i], 12), `prompt ${i}`);
    assert.ok(cached.every((c) => c.length <= 12));
    assert.ok(cached.some((c) => c.length > 0));
    if (model !== shared) model.dispose();
  });
}

test('seeded sampling: same seed same text, other seed differs, topK 1 is greedy; stops at the context', async () => {
  const model = shared;
  const opts = { maxNew: 16, eos: EOS, temperature: 1.5 };
  const a = await generate(model, prompts, { ...opts, seed: 3 });
  assert.equal(await generate(model, prompts, { ...opts, seed: 3 }), a);
  assert.not.equal(await generate(model, prompts, { ...opts, seed: 4 }), a);
  assert.equal(await generate(model, prompts, { ...opts, topK: 1, seed: 9 }), await generate(model, prompts, { maxNew: 16, eos: EOS }));
  // prompt 24 tokens + context 64: at most 41 new tokens (the last one is never fed back).
  const long = await generate(model, [prompts[0]], { maxNew: 500, eos: -1 });
  assert.is(long[0].length, 64 - prompts[0].length + 1);
});

test('evaluate: a model that memorised its data predicts the references; ROUGE 100, per-example records, perplexity', async () => {
  const few = f.examples.slice(0, 2).map((e) => ({ ...e, target: e.target.slice(0, 8), references: [e.target.slice(0, 8)] }));
  const limits = { maxSource: 16, maxTarget: 12 };
  const encoded = few.map((e) => ({ id: e.id, prompt: [1, ...f.tok.encode(e.source).slice(0, 14), 3], target: [...f.tok.encode(e.target), EOS] }));
  const model = await buildModel(f.config, f.base, { method: 'full' }, 'fp32', 0);
  await trainLoop({ model, config: TrainSchema.parse({ steps: 120, batchSize: 2, lr: 1e-2, ...limits, schedule: 'constant' }), train: encoded, padId: 0, seed: 0, quiet: true });
  const ev = await evaluate({ model, tokenizer: f.tok, examples: few, limits, score: zhRougeScorer });
  assert.equal(ev.predictions.map((p) => p.prediction), few.map((e) => e.target));
  assert.equal(ev.predictions.map((p) => [p.id, p.source, p.references]), few.map((e) => [e.id, e.source, e.references]));
  assert.equal(ev.scores, { 'rouge-1': 100, 'rouge-2': 100, 'rouge-l': 100, 'bleu-4': 100 });
  assert.ok(ev.loss < 0.1, `loss ${ev.loss}`);
  assert.is(ev.perplexity, Math.exp(ev.loss));
  assert.is(ev.generation.newTokens, 16);
  assert.is(predictionsJsonl(ev.predictions).split('\n').length, 3);
  assert.is(JSON.parse(predictionsJsonl(ev.predictions).split('\n')[1]).prediction, few[1].target);
  const none = await evaluate({ model, tokenizer: f.tok, examples: few, limits, maxExamples: 1 });
  assert.equal([none.predictions.length, none.scores], [1, undefined]);
  model.dispose();
});

test('evaluate through a CachedDecoder (lib/infer) gives the same greedy predictions as the tfjs path', async () => {
  const model = shared;
  const examples = f.examples.slice(18, 24);
  const limits = { maxSource: 24, maxTarget: 24 };
  const direct = await evaluate({ model, tokenizer: f.tok, examples, limits });
  const viaDecoder = await evaluate({ model, tokenizer: f.tok, examples, limits, decoder: new TfjsDecoder(model) });
  assert.equal(viaDecoder.predictions, direct.predictions);
  assert.is(viaDecoder.loss, direct.loss);
  assert.ok(direct.generation.newTokens > 0);
});

test.run();
