// no-repeat-n-gram decoding: the ban rule on exact logits, and greedy generation that never repeats an
// n-gram of its own new tokens while the prompt's n-grams stay allowed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { banRepeatedNgrams, exportOnnx, generate, OrtDecoder, streamTokens } from '../../lib/infer/index.ts';
import { initBackend } from '../../lib/runtime/index.ts';
import { LedgerLabError } from '../../lib/errors.ts';
import { makeModel, SMALL } from './fixtures.ts';

const row = (n: number) => new Float32Array(n).fill(1);

test('banRepeatedNgrams: bans exactly the tokens that followed earlier occurrences of the tail', () => {
  const l = row(6);
  banRepeatedNgrams(l, 0, [1, 2, 3, 1, 2, 4, 1, 2], 3); // tail "1 2" was followed by 3 and by 4
  assert.equal([...l], [1, 1, 1, -Infinity, -Infinity, 1]);
  // Only within this row of a flat batch.
  const batch = row(12);
  banRepeatedNgrams(batch, 6, [5, 0, 5], 2); // tail "5" was followed by 0
  assert.equal([...batch], [1, 1, 1, 1, 1, 1, -Infinity, 1, 1, 1, 1, 1]);
  // n = 1 bans every token seen; n = 0 and a history shorter than n − 1 ban nothing.
  const one = row(4);
  banRepeatedNgrams(one, 0, [2, 0, 2], 1);
  assert.equal([...one], [-Infinity, 1, -Infinity, 1]);
  const none = row(4);
  banRepeatedNgrams(none, 0, [1, 2, 1], 0);
  banRepeatedNgrams(none, 0, [1, 2], 4);
  banRepeatedNgrams(none, 0, [1, 2, 3], 3); // tail "2 3" never occurred before
  assert.equal([...none], [1, 1, 1, 1]);
  assert.throws(() => banRepeatedNgrams(row(2), 0, [], -1), (e: unknown) => e instanceof LedgerLabError && /noRepeatNgram must be an integer ≥ 0, got -1/.test(e.problem));
});

function ngrams(seq: readonly number[], n: number): string[] {
  return seq.slice(0, seq.length - n + 1).map((_, i) => seq.slice(i, i + n).join(','));
}

test('greedy generate with noRepeatNgram: no repeated n-gram in any row, same tokens as plain greedy up to the first repeat, and the stream agrees', async () => {
  await initBackend();
  // A tied head makes a random model loop on its last tokens: the case the ban exists for.
  const model = await makeModel('lora', { ...SMALL, tiedHead: true });
  const ort = await OrtDecoder.create(await exportOnnx(model), { intraOpThreads: 1 });
  try {
    const prompts = [[5, 17, 42, 8, 3, 60], [1, 2, 3, 4, 5, 6]];
    const plain = (await generate(ort, prompts, { maxNew: 40 })).tokens;
    const banned = (await generate(ort, prompts, { maxNew: 40, noRepeatNgram: 3 })).tokens;
    for (const [b, seq] of plain.entries()) {
      const grams = ngrams(seq, 3);
      assert.ok(new Set(grams).size < grams.length, `plain greedy repeats a 3-gram in row ${b}: ${seq}`);
      // Up to (and including) the token that completes the first repeated 3-gram, plain greedy is unconstrained.
      const firstRepeat = grams.findIndex((g, i) => grams.indexOf(g) < i) + 2;
      assert.equal(banned[b]!.slice(0, firstRepeat), seq.slice(0, firstRepeat), `row ${b}`);
      assert.not.equal(banned[b]![firstRepeat], seq[firstRepeat]);
      const g3 = ngrams(banned[b]!, 3);
      assert.is(new Set(g3).size, g3.length, `row ${b} repeats a 3-gram: ${banned[b]}`);
      assert.is(banned[b]!.length, 40);
    }
    const streamed: number[] = [];
    for await (const t of streamTokens(ort, prompts[1]!, { maxNew: 40, noRepeatNgram: 3 })) streamed.push(t);
    assert.equal(streamed, banned[1]);
  } finally {
    await ort.dispose();
    model.dispose();
  }
});

test.run();
