import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/runtime/index.ts';
import { argmax, exportOnnx, generate, OrtDecoder, pickToken, TfjsDecoder } from '../../lib/infer/index.ts';
import type { Gpt } from '../../lib/model/index.ts';
import { LedgerLabError } from '../../lib/errors.ts';
import { Rng } from '../../lib/util/index.ts';
import { makeModel, SMALL, type Kind } from './fixtures.ts';

await initBackend();

test('argmax: first maximum wins ties; works on a row of a flat batch', () => {
  assert.is(argmax(Float32Array.of(1, 3, 3, 2)), 1);
  assert.is(argmax(Float32Array.of(9, 9, 0, -1, 5, 5), 3, 3), 1);
  assert.is(argmax(Float32Array.of(-Infinity, -5)), 1);
});

test('pickToken: greedy for temperature 0 and for topK 1, whatever the rng', () => {
  const l = Float32Array.of(0.5, 2, 1.9, -3);
  const rng = new Rng(1);
  assert.is(pickToken(l, 0, 4, {}, rng), 1);
  assert.is(pickToken(l, 0, 4, { temperature: 5, topK: 1 }, rng), 1);
  assert.equal(rng.state(), new Rng(1).state(), 'greedy draws nothing');
});

test('pickToken: top-k excludes the tail; frequencies follow softmax(l/T)', () => {
  const rng = new Rng('freq');
  const l = Float32Array.of(Math.log(1), Math.log(3), 10, -20);
  const counts = [0, 0, 0, 0];
  // temperature 1, all tokens: p ≈ [1, 3, e^10, ~0]/Σ → token 2 almost always.
  for (let i = 0; i < 200; i++) counts[pickToken(l, 0, 4, { temperature: 1 }, rng)]++;
  assert.ok(counts[2] >= 198, `counts ${counts}`);
  // exclude token 2 by taking logits without it: [log1, log3] at T=1 → 1:3.
  const l2 = Float32Array.of(Math.log(1), Math.log(3), -50, -60);
  const c2 = [0, 0, 0, 0];
  for (let i = 0; i < 4000; i++) c2[pickToken(l2, 0, 4, { temperature: 1, topK: 2 }, rng)]++;
  assert.is(c2[2] + c2[3], 0);
  assert.ok(Math.abs(c2[1] / 4000 - 0.75) < 0.03, `p1 ${c2[1] / 4000}`);
  // temperature 2 flattens 1:3 to 1:√3.
  const c3 = [0, 0];
  for (let i = 0; i < 4000; i++) c3[pickToken(l2, 0, 2, { temperature: 2 }, rng)]++;
  assert.ok(Math.abs(c3[1] / 4000 - Math.sqrt(3) / (1 + Math.sqrt(3))) < 0.03, `p1 ${c3[1] / 4000}`);
});

test('pickToken: bad options are usage errors', () => {
  assert.throws(() => pickToken(Float32Array.of(1), 0, 1, { temperature: -1 }, new Rng(0)), /temperature must be ≥ 0/);
  assert.throws(() => pickToken(Float32Array.of(1), 0, 1, { temperature: 1, topK: 1.5 }, new Rng(0)), /topK must be an integer/);
});

/** Reference: greedy without any cache, recomputing the whole sequence with tfjs each step. */
async function greedyNoCache(model: Gpt, prompts: number[][], maxNew: number): Promise<number[][]> {
  const seqs = prompts.map((p) => [...p]);
  for (let n = 0; n < maxNew; n++) {
    const T = seqs[0].length;
    const x = tf.tensor2d(seqs.flat(), [seqs.length, T], 'int32');
    const { logits } = model.forward(x);
    const data = (await logits.data()) as Float32Array;
    x.dispose();
    logits.dispose();
    seqs.forEach((s, b) => s.push(argmax(data, (b * T + T - 1) * SMALL.vocab, SMALL.vocab)));
  }
  return seqs.map((s, b) => s.slice(prompts[b].length));
}

const UNTIED = { ...SMALL, tiedHead: false };
const PROMPTS = [[5, 17, 42, 8, 3, 60], [1, 2, 3, 4, 5, 6]];

for (const kind of ['full', 'lora', 'qlora-nf4', 'ptuning-v2'] as Kind[]) {
  test(`${kind}: greedy tokens identical — ORT with cache, tfjs with cache, tfjs without cache`, async () => {
    // Untied head: a tied head makes a random model repeat its last token forever, a weak comparison.
    const model = await makeModel(kind, UNTIED);
    const ort = await OrtDecoder.create(await exportOnnx(model));
    const tj = new TfjsDecoder(model);
    const a = await generate(ort, PROMPTS, { maxNew: 24 });
    const b = await generate(tj, PROMPTS, { maxNew: 24 });
    const ref = await greedyNoCache(model, PROMPTS, 24);
    assert.equal(a.tokens, ref);
    assert.equal(b.tokens, ref);
    assert.is(a.calls, 24);
    assert.ok(new Set(ref[0]).size >= 4 && new Set(ref[1]).size >= 4, `varied sequences: ${JSON.stringify(ref)}`);
    tj.dispose();
    await ort.dispose();
    model.dispose();
  });
}

test('seeded sampling: same seed → same tokens on both backends; another seed differs', async () => {
  const model = await makeModel('lora', UNTIED);
  const ort = await OrtDecoder.create(await exportOnnx(model));
  const tj = new TfjsDecoder(model);
  const o = { maxNew: 20, temperature: 3, topK: 20, seed: 'sample-3' };
  const a = await generate(ort, PROMPTS, o);
  assert.equal((await generate(ort, PROMPTS, o)).tokens, a.tokens);
  assert.equal((await generate(tj, PROMPTS, o)).tokens, a.tokens);
  assert.not.equal((await generate(ort, PROMPTS, { ...o, seed: 'sample-4' })).tokens, a.tokens);
  assert.not.equal(a.tokens, (await generate(ort, PROMPTS, { maxNew: 20 })).tokens, 'sampling is not greedy here');
  tj.dispose();
  await ort.dispose();
  model.dispose();
});

test('eos: a row stops when it emits eos (not kept); the loop ends when all rows are done', async () => {
  const model = await makeModel('full', UNTIED);
  const ort = await OrtDecoder.create(await exportOnnx(model));
  const free = await generate(ort, [PROMPTS[0]], { maxNew: 12 });
  const eos = free.tokens[0][3];
  const firstEos = free.tokens[0].indexOf(eos);
  const r = await generate(ort, [PROMPTS[0]], { maxNew: 12, eos });
  assert.equal(r.tokens[0], free.tokens[0].slice(0, firstEos));
  assert.equal(r.finished, [true]);
  assert.is(r.calls, firstEos + 1);
  assert.equal(free.finished, [false]);
  // Batch: the other row keeps going; its tokens do not depend on row 0 stopping.
  const both = await generate(ort, PROMPTS, { maxNew: 12, eos });
  const row1 = await generate(ort, [PROMPTS[1]], { maxNew: 12, eos });
  assert.equal(both.tokens, [r.tokens[0], row1.tokens[0]]);
  assert.equal(both.finished, [true, row1.finished[0]]);
  await ort.dispose();
  model.dispose();
});

test('generate validates prompts and context', async () => {
  const model = await makeModel('full');
  const ort = await OrtDecoder.create(await exportOnnx(model));
  const err = async (p: Promise<unknown>, msg: RegExp) => {
    try {
      await p;
      assert.unreachable();
    } catch (e) {
      assert.instance(e, LedgerLabError);
      assert.match((e as LedgerLabError).problem, msg);
    }
  };
  await err(generate(ort, [[1, 2], [3]], { maxNew: 2 }), /prompts have different lengths \(2, 1\)/);
  await err(generate(ort, [], { maxNew: 2 }), /at least one non-empty prompt/);
  await err(generate(ort, [[1, 2, 3, 4]], { maxNew: 62 }), /prompt 4 \+ 62 new tokens exceeds the model's context 64/);
  assert.is((await generate(ort, [[1, 2, 3, 4]], { maxNew: 61 })).tokens[0].length, 61);
  await ort.dispose();
  model.dispose();
});

test.run();
