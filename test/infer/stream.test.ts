// Top-p (nucleus) sampling and the token stream the chat page uses: the nucleus keeps exactly the most
// likely tokens whose mass reaches p; a seeded stream equals generate()'s row token for token.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { exportOnnx, generate, OrtDecoder, pickToken, streamTokens } from '../../lib/infer/index.ts';
import { initBackend } from '../../lib/runtime/index.ts';
import { Rng } from '../../lib/util/index.ts';
import { makeModel } from './fixtures.ts';

test('pickToken topP: only the nucleus is ever drawn, in softmax proportions within it', () => {
  // probabilities ∝ exp(l): 0.6439, 0.2369, 0.0871, 0.0321 → p = 0.85 keeps the first two (0.881 ≥ 0.85).
  const l = Float32Array.of(0, 3, 1, 2);
  const rng = new Rng('top-p');
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 4000; i++) counts[pickToken(l, 0, 4, { temperature: 1, topP: 0.85 }, rng)]++;
  assert.is(counts[0] + counts[2], 0, `tail drawn: ${counts}`);
  const share = counts[1] / (counts[1] + counts[3]);
  assert.ok(Math.abs(share - Math.exp(3) / (Math.exp(3) + Math.exp(2))) < 0.03, `share of the top token ${share}`);
  // A tiny p keeps the top token only (never an empty nucleus); p = 1 is plain sampling.
  for (let i = 0; i < 50; i++) assert.is(pickToken(l, 0, 4, { temperature: 1, topP: 1e-6 }, rng), 1);
  assert.throws(() => pickToken(l, 0, 4, { temperature: 1, topP: 0 }, rng), /topP must be in \(0, 1\]/);
  assert.throws(() => pickToken(l, 0, 4, { temperature: 1, topP: 1.5 }, rng), /topP must be in \(0, 1\]/);
});

test('streamTokens yields generate()\'s tokens one by one (greedy and seeded top-p sampling)', async () => {
  await initBackend();
  const model = await makeModel('lora');
  const ort = await OrtDecoder.create(await exportOnnx(model), { intraOpThreads: 1 });
  try {
    const prompt = [5, 9, 13, 2, 40];
    for (const o of [{ maxNew: 12 }, { maxNew: 12, temperature: 0.9, topP: 0.8, seed: 11 }]) {
      const whole = (await generate(ort, [prompt], o)).tokens[0];
      const streamed: number[] = [];
      for await (const t of streamTokens(ort, prompt, o)) streamed.push(t);
      assert.equal(streamed, whole);
      assert.is(streamed.length, 12);
    }
    const eos = (await generate(ort, [prompt], { maxNew: 3 })).tokens[0][1];
    const cut: number[] = [];
    for await (const t of streamTokens(ort, prompt, { maxNew: 12, eos })) cut.push(t);
    assert.ok(cut.length < 12 && !cut.includes(eos), 'stops at eos without yielding it');
  } finally {
    await ort.dispose();
    model.dispose();
  }
});

test.run();
