import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerlab } from '../helpers/cli.ts';
import { distinctN, diversityScores, diversityTokens, seqRepetition, DIVERSITY_KEYS } from '../../lib/metrics/index.ts';

test('distinct-n over the prediction set, hand-computed', () => {
  assert.equal(DIVERSITY_KEYS, ['distinct-1', 'distinct-2', 'repetition']);
  const seqs = [['a', 'b', 'a', 'b'], ['a', 'c']];
  assert.is(distinctN(seqs, 1), 3 / 6); // {a, b, c} of 6 tokens
  assert.is(distinctN(seqs, 2), 3 / 4); // {ab, ba, ac} of ab, ba, ab, ac
  assert.is(distinctN(seqs, 3), 2 / 2); // aba, bab
  assert.is(distinctN([[], ['a']], 2), 0); // no bigram at all
  assert.is(distinctN([], 1), 0);
});

test('seq-rep-4 per prediction, hand-computed', () => {
  assert.is(seqRepetition(['x', 'x', 'x', 'x', 'x']), 1 - 1 / 2); // xxxx twice
  assert.is(seqRepetition(['a', 'b', 'c', 'a', 'b', 'c', 'a']), 1 - 3 / 4); // abca bcab cabc abca
  assert.is(seqRepetition(['a', 'b', 'c', 'd']), 0);
  assert.is(seqRepetition(['a', 'a', 'a']), 0); // shorter than 4: no 4-gram to repeat
  assert.is(seqRepetition(['a', 'a', 'a'], 2), 1 - 1 / 2);
});

test('English: rouge_score tokens (lowercase alphanumerics)', () => {
  assert.equal(diversityTokens('The cat, THE cat!', 'en'), ['the', 'cat', 'the', 'cat']);
  const s = diversityScores(['a b a b', 'x x x x x'], 'en');
  assert.equal(s, { 'distinct-1': 3 / 9, 'distinct-2': 3 / 7, repetition: (0 + 0.5) / 2 }); // 'a b a b' has one 4-gram (no repeat)
  assert.equal(diversityScores([], 'en'), { 'distinct-1': 0, 'distinct-2': 0, repetition: 0 });
});

test('Chinese: jieba words as rouge_chinese sees them (whitespace dropped); a degenerate output scores low', () => {
  assert.equal(diversityTokens('简约的牛仔外套，白色 的衣身', 'zh'), ['简约', '的', '牛仔', '外套', '，', '白色', '的', '衣身']);
  const degenerate = '连衣裙款式连衣裙款式连衣裙款式';
  assert.equal(diversityTokens(degenerate, 'zh'), ['连衣裙', '款式', '连衣裙', '款式', '连衣裙', '款式']);
  // 6 words, 2 distinct; 5 bigrams, 2 distinct; 3 four-grams, 2 distinct.
  assert.equal(diversityScores([degenerate], 'zh'), { 'distinct-1': 2 / 6, 'distinct-2': 2 / 5, repetition: 1 - 2 / 3 });
  const fine = diversityScores(['简约的牛仔外套，白色 的衣身'], 'zh');
  // 8 words, 7 distinct ('的' twice); 7 bigrams, all distinct; 5 four-grams, all distinct.
  assert.equal(fine, { 'distinct-1': 7 / 8, 'distinct-2': 1, repetition: 0 });
});

test('ledgerlab score reports distinct-1, distinct-2 and repetition next to ROUGE (real CLI)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'll-div-'));
  const zh = join(dir, 'zh.jsonl');
  writeFileSync(zh, [
    JSON.stringify({ prediction: '连衣裙款式连衣裙款式连衣裙款式', reference: '简约的连衣裙' }),
    JSON.stringify({ prediction: '简约的牛仔外套，白色 的衣身', reference: '牛仔外套' }),
  ].join('\n') + '\n');
  const j = JSON.parse(ledgerlab(['score', zh, '--lang', 'zh', '--json']).stdout);
  // Words: 6 (连衣裙, 款式) + 8 (7 distinct) → 9 distinct of 14; bigrams 2 of 5 + 7 of 7 → 9 of 12.
  assert.is(j.corpus['distinct-1'], 9 / 14);
  assert.is(j.corpus['distinct-2'], 9 / 12);
  assert.is(j.corpus.repetition.mean, (1 - 2 / 3 + 0) / 2); // seq-rep-4 of the first, 0 for the second
  assert.ok('rouge-l' in j.corpus);
  const text = ledgerlab(['score', zh, '--lang', 'zh']).stdout;
  assert.match(text, `\n  distinct-1  ${(9 / 14).toFixed(4)}\n  distinct-2  ${(9 / 12).toFixed(4)}\n  repetition  0.1667 [`);
});

test.run();
