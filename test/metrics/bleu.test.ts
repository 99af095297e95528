import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sentenceBleu, bleu4En, bleu4Chars, fsum, closestRefLength, brevityPenalty, modifiedPrecision, tokenizeBleu } from '../../lib/metrics/index.ts';

const close = (a: number, b: number, tol = 1e-12): void => assert.ok(Math.abs(a - b) <= tol, `${a} vs ${b}`);
const split = (s: string): string[] => s.split(' ');

const r1 = split('It is a guide to action that ensures that the military will forever heed Party commands');
const r2 = split('It is the guiding principle which guarantees the military forces always being under the command of the Party');
const r3 = split('It is the practical guide for the army always to heed the directions of the party');

test('nltk doctest: three references, no zero order (method3 = no smoothing)', () => {
  const h1 = split('It is a guide to action which ensures that the military always obeys the commands of the party');
  close(sentenceBleu([r1, r2, r3], h1), 0.5045666840058485);
});

test('method3 smoothing: k-th empty order gets 1/(2^k · #hyp n-grams)', () => {
  const h2 = split('It is to insure the troops forever hearing the activity guidebook that party direct');
  close(sentenceBleu([r1, r2, r3], h2), 0.06963003305718092);
  // short hypothesis "the cat" vs 6-token ref: p1 = 1, p2 = 1, p3 → 1/2, p4 → 1/4 (denominators max(1, 0) = 1); BP = e^(1-6/2)
  close(bleu4En(['the cat sat on the mat'], 'the cat'), Math.exp(-2) * 0.125 ** 0.25, 1e-15);
});

test('no unigram match or empty hypothesis → 0; brevity penalty and closest reference length', () => {
  assert.is(bleu4En(['the cat'], 'dog'), 0);
  assert.is(bleu4En(['the cat'], ''), 0);
  assert.is(bleu4En(['the cat'], '   '), 0);
  assert.is(closestRefLength([['a', 'a', 'a'], ['a']], 2), 1); // tie 1 vs 3 → shorter
  assert.is(brevityPenalty(11, 12), 1);
  assert.is(brevityPenalty(5, 0), 0);
  close(brevityPenalty(6, 5), Math.exp(-0.2));
  assert.is(sentenceBleu([Array(13).fill('a'), Array(11).fill('a')], Array(12).fill('a')), 1);
});

test('modified precision clips repeated hypothesis n-grams by the max reference count', () => {
  // the famous "the the the ..." example: 7 hypothesis "the", max 2 in a reference → 2/7
  assert.equal(modifiedPrecision([split('the cat is on the mat'), split('there is a cat on the mat')], Array(7).fill('the'), 1), [2, 7]);
  assert.equal(modifiedPrecision([['a']], [], 1), [0, 1]);
});

test('English tokens: lower().split(), punctuation stays attached', () => {
  assert.equal(tokenizeBleu('  The Cat,  sat.\tOn\nthe MAT '), ['the', 'cat,', 'sat.', 'on', 'the', 'mat']);
  assert.equal(tokenizeBleu('a\u3000b\u00a0c'), ['a', 'b', 'c']); // Python str.split() whitespace
  assert.ok(bleu4En(['the cat.'], 'the cat') < 1); // "cat." ≠ "cat"
});

test('character BLEU (Chinese): list(text) code points', () => {
  // p1 5/5, p2 3/4, p3 1/3, p4 0 → 1/(2·2); BP e^(1-6/5)
  close(bleu4Chars(['简约而不简单'], '简约不简单'), 0.40936537653899097, 1e-15);
  close(bleu4Chars(['简约而不简单'], '简约不简单'), Math.exp(-0.2) * (0.75 / 3 / 4) ** 0.25, 1e-15);
  assert.is(bleu4Chars(['𠀀𠀁𠀂𠀃'], '𠀀𠀁𠀂𠀃'), 1); // astral characters count once each
});

test('fsum is correctly rounded like math.fsum', () => {
  assert.is(fsum([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1]), 1);
  assert.is(fsum([1e100, 1, -1e100]), 1);
  assert.is(fsum([]), 0);
});

test.run();
