import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rougeScores, rougeScoresMulti, tokenizeRouge, type TokenizerWarning } from '../../lib/metrics/index.ts';

const F = (p: number, r: number): number => (p + r > 0 ? (2 * p * r) / (p + r) : 0);

test('tokenizer: lowercase, non-alphanumerics split, optional stemming only for tokens longer than 3', () => {
  assert.equal(tokenizeRouge("Hello, World! x-ray don't 3.5"), ['hello', 'world', 'x', 'ray', 'don', 't', '3', '5']);
  assert.equal(tokenizeRouge('The cats were running', true), ['the', 'cat', 'were', 'run']);
  assert.equal(tokenizeRouge('dies ties', true), ['die', 'tie']);
  assert.equal(tokenizeRouge('   \t\n'), []);
  assert.equal(tokenizeRouge('!!! ... ???'), []);
});

test("rouge_score README example ('The quick brown fox...' vs 'The quick brown dog...')", () => {
  const s = rougeScores('The quick brown fox jumps over the lazy dog', 'The quick brown dog jumps on the log.');
  assert.equal(s.rouge1, { precision: 0.75, recall: 6 / 9, fmeasure: 0.7058823529411765 });
  assert.equal(s.rougeL, { precision: 0.625, recall: 5 / 9, fmeasure: 0.5882352941176471 });
  assert.equal(s.rouge2, { precision: 2 / 7, recall: 0.25, fmeasure: F(2 / 7, 0.25) });
  assert.equal(s.rougeLsum, s.rougeL); // one line: summary-level LCS = LCS here
});

test('repeated tokens are clipped by the reference counts', () => {
  // pred "the the the the" vs ref "the": overlap min(4,1)=1 → P 1/4, R 1
  const s = rougeScores('the', 'the the the the');
  assert.equal(s.rouge1, { precision: 0.25, recall: 1, fmeasure: F(0.25, 1) });
  assert.equal(s.rouge2, { precision: 0, recall: 0, fmeasure: 0 }); // ref has no bigram
  assert.equal(s.rougeL, { precision: 0.25, recall: 1, fmeasure: 0.4 });
  // rougeLsum hit counting is clipped too: "the" can be hit only once
  assert.equal(s.rougeLsum, { precision: 0.25, recall: 1, fmeasure: 0.4 });
});

test('empty, whitespace-only and punctuation-only inputs score 0', () => {
  const zero = { precision: 0, recall: 0, fmeasure: 0 };
  for (const [t, p] of [['', 'the cat'], ['the cat', ''], ['', ''], ['  \t ', 'a b'], ['a b', ' \n '], ['!!!', 'a'], ['a', '--- ,,,']]) {
    const s = rougeScores(t, p);
    for (const k of ['rouge1', 'rouge2', 'rougeL', 'rougeLsum'] as const) assert.equal(s[k], zero, `${k} ${JSON.stringify([t, p])}`);
  }
});

test('short hypotheses: one token, and shorter than n for rouge2', () => {
  const s = rougeScores('a b c d e f g', 'a');
  assert.equal(s.rouge1, { precision: 1, recall: 1 / 7, fmeasure: 0.25 });
  assert.equal(s.rouge2, { precision: 0, recall: 0, fmeasure: 0 });
  assert.equal(s.rougeL.fmeasure, 0.25);
});

test('rougeLsum: union LCS across "\\n" lines (ROUGE-1.5.5 example w1..w9)', () => {
  // ref line r = w1 w2 w3 w4 w5; candidate lines c1 = w1 w2 w6 w7 w8, c2 = w1 w3 w8 w9 w5
  // LCS(r,c1) = w1 w2; LCS(r,c2) = w1 w3 w5; union = w1 w2 w3 w5 → 4 hits; m = 5, n = 10
  const s = rougeScores('w1 w2 w3 w4 w5', 'w1 w2 w6 w7 w8\nw1 w3 w8 w9 w5');
  assert.equal(s.rougeLsum, { precision: 0.4, recall: 0.8, fmeasure: F(0.4, 0.8) });
  // plain rougeL sees one sequence: LCS(w1..w5, w1 w2 w6 w7 w8 w1 w3 w8 w9 w5) = w1 w2 w3 w5 too, but over 10 tokens
  assert.equal(s.rougeL, { precision: 0.4, recall: 0.8, fmeasure: F(0.4, 0.8) });
  // sentence order matters for rougeL but not for rougeLsum
  const swapped = rougeScores('the cat sat\nit was happy', 'it was happy\nthe cat sat');
  assert.equal(swapped.rougeLsum.fmeasure, 1);
  assert.equal(swapped.rougeL, { precision: 0.5, recall: 0.5, fmeasure: 0.5 });
  // empty lines are dropped, "\r" is not a separator (it tokenizes away)
  assert.equal(rougeScores('a b\n\n\nc', 'a b\nc').rougeLsum.fmeasure, 1);
});

test('multiple references: per type, the reference with the best F (score_multi)', () => {
  const refs = ['a b c d', 'a b', 'x y z w v'];
  const s = rougeScoresMulti(refs, 'a b c');
  assert.equal(s.rouge1, { precision: 1, recall: 0.75, fmeasure: F(1, 0.75) }); // vs "a b c d" (F .857 > .8)
  assert.equal(s.rouge2, { precision: 1, recall: 2 / 3, fmeasure: 0.8 });          // vs "a b c d" (F .8 > 2/3)
  assert.equal(rougeScoresMulti(['', 'the cat'], 'the cat').rouge1.fmeasure, 1);
  assert.throws(() => rougeScoresMulti([], 'x'), /at least one reference/);
});

test('stemmer changes matches as rouge_score use_stemmer=True', () => {
  const plain = rougeScores('the dogs were running', 'the dog runs');
  const stem = rougeScores('the dogs were running', 'the dog runs', { stemmer: true });
  assert.is(plain.rouge1.precision, 1 / 3);
  assert.is(stem.rouge1.precision, 1); // dogs→dog, running→run, runs→run
});

test('non-Latin text under the English tokenizer: scores 0 (as rouge_score) but warns', () => {
  const warnings: TokenizerWarning[] = [];
  const s = rougeScores('这是中文文本', '这是中文文本', { onWarning: (w) => warnings.push(w) });
  assert.is(s.rouge1.fmeasure, 0);
  assert.is(warnings.length, 2);
  assert.is(warnings[0].kind, 'non-latin');
  assert.is(warnings[0].tokens, 0);
  assert.is(warnings[0].dropped, 6);
  assert.match(warnings[0].message, 'scores 0');
  const mixed: TokenizerWarning[] = [];
  rougeScores('abc中文def', 'abc def', { onWarning: (w) => mixed.push(w) });
  assert.is(mixed.length, 1);
  assert.is(mixed[0].tokens, 2);
  assert.is(mixed[0].dropped, 2);
  const none: TokenizerWarning[] = [];
  rougeScores('plain ascii, 123!', 'x', { onWarning: (w) => none.push(w) });
  assert.equal(none, []);
});

test.run();
