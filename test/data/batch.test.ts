import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { paths } from '../../lib/paths.ts';
import { LedgerLabError } from '../../lib/errors.ts';
import {
  BatchIterator, BpeTokenizer, CharTokenizer, collate, collatePrompts, packTexts, packSequences, encodeExample, encodeExamples, IGNORE_INDEX, loadAdvertiseGen,
  shiftedLabels, summarizePadding, type Batch, type BatchIteratorOptions, type EncodedExample,
} from '../../lib/data/index.ts';

const AG = join(paths.datasets, 'advertisegen', 'dev-sample.jsonl');
const X = IGNORE_INDEX;
// Char ids: <pad>0 <bos>1 <eos>2 <sep>3 <unk>4, then a5 b6 c7 d8 e9.
const tok = CharTokenizer.train(['abcde'], { vocabSize: 50 });
const lim = { maxSource: 5, maxTarget: 5 };
const e1 = encodeExample(tok, { id: 'e1', source: 'ab', target: 'cde' }, lim);
const e2 = encodeExample(tok, { id: 'e2', source: 'a', target: 'e' }, lim);

test('encode: <bos> source <sep> | target <eos>, truncated inside the limits', () => {
  assert.equal(e1, { id: 'e1', prompt: [1, 5, 6, 3], target: [7, 8, 9, 2] });
  assert.equal(e2, { id: 'e2', prompt: [1, 5, 3], target: [9, 2] });
  const cut = encodeExample(tok, { id: 'c', source: 'abcde', target: 'abcde' }, { maxSource: 4, maxTarget: 3 });
  assert.equal(cut, { id: 'c', prompt: [1, 5, 6, 3], target: [5, 6, 2] });
  try {
    encodeExample(tok, { id: 'c', source: 'a', target: 'b' }, { maxSource: 1, maxTarget: 3 });
    assert.unreachable();
  } catch (e) {
    assert.is((e as LedgerLabError).where, 'maxSource');
  }
});

test("'longest': pad to the longest in the batch; labels -100 on prompt and pad", () => {
  const b = collate([e1, e2], { ...lim, padding: 'longest', padId: 0 });
  assert.equal(b.shape, [2, 8]);
  assert.equal([...b.inputIds], [1, 5, 6, 3, 7, 8, 9, 2, /**/ 1, 5, 3, 9, 2, 0, 0, 0]);
  assert.equal([...b.labels], [X, X, X, X, 7, 8, 9, 2, /**/ X, X, X, 9, 2, X, X, X]);
  assert.equal([...b.attentionMask], [1, 1, 1, 1, 1, 1, 1, 1, /**/ 1, 1, 1, 1, 1, 0, 0, 0]);
  assert.equal(b.stats, { examples: 2, realTokens: 13, padTokens: 3, targetTokens: 6 });
  assert.equal(b.ids, ['e1', 'e2']);
  assert.equal([...shiftedLabels(b)], [X, X, X, 7, 8, 9, 2, X, /**/ X, X, 9, 2, X, X, X, X]);
});

test("'max_length': every row is maxSource + maxTarget long; same real content", () => {
  const b = collate([e1, e2], { ...lim, padding: 'max_length', padId: 0 });
  assert.equal(b.shape, [2, 10]);
  assert.equal([...b.inputIds], [1, 5, 6, 3, 7, 8, 9, 2, 0, 0, /**/ 1, 5, 3, 9, 2, 0, 0, 0, 0, 0]);
  assert.equal(b.stats, { examples: 2, realTokens: 13, padTokens: 7, targetTokens: 6 });
  const left = collate([e1, e2], { ...lim, padding: 'longest', padId: 0, side: 'left' });
  assert.equal([...left.inputIds], [1, 5, 6, 3, 7, 8, 9, 2, /**/ 0, 0, 0, 1, 5, 3, 9, 2]);
  assert.equal([...left.labels].slice(8), [X, X, X, X, X, X, 9, 2]);
});

/** The unpadded (input, label) pairs of each row. */
function realContent(b: Batch): [number, number][][] {
  const [B, L] = b.shape;
  return Array.from({ length: B }, (_, r) => {
    const row: [number, number][] = [];
    for (let t = 0; t < L; t++) if (b.attentionMask[r * L + t]) row.push([b.inputIds[r * L + t], b.labels[r * L + t]]);
    return row;
  });
}

let encoded: EncodedExample[] = [];

test('real AdvertiseGen: both strategies carry identical real tokens; pad counts add up exactly', async () => {
  const exs = await loadAdvertiseGen(AG);
  const bpe = BpeTokenizer.train(exs.flatMap((e) => [e.source, e.target]), { vocabSize: 1200 });
  const limits = { maxSource: 64, maxTarget: 128 };
  encoded = encodeExamples(bpe, exs, limits);
  let real = 0, padL = 0, padM = 0;
  for (let i = 0; i < encoded.length; i += 4) {
    const chunk = encoded.slice(i, i + 4);
    const a = collate(chunk, { ...limits, padding: 'longest', padId: 0 });
    const m = collate(chunk, { ...limits, padding: 'max_length', padId: 0 });
    assert.equal(realContent(a), realContent(m));
    const lens = chunk.map((e) => e.prompt.length + e.target.length);
    assert.is(a.stats.realTokens, lens.reduce((x, y) => x + y, 0));
    assert.is(a.stats.padTokens, chunk.length * Math.max(...lens) - a.stats.realTokens);
    assert.is(m.stats.padTokens, chunk.length * 192 - m.stats.realTokens);
    assert.is(a.stats.targetTokens, [...a.labels].filter((x) => x !== X).length);
    for (let j = 0; j < a.labels.length; j++) if (a.attentionMask[j] === 0) assert.is(a.labels[j], X);
    real += a.stats.realTokens; padL += a.stats.padTokens; padM += m.stats.padTokens;
  }
  assert.ok(padM > padL, 'fixed-length padding wastes more');
  assert.is(real + padM, 870 * 192);
});

const opts: BatchIteratorOptions = { batchSize: 8, seed: 5, padding: 'longest', maxSource: 64, maxTarget: 128, padId: 0 };
const snap = (b: Batch & { epoch: number; index: number }) => ({ e: b.epoch, i: b.index, ids: b.ids, x: [...b.inputIds], y: [...b.labels], m: [...b.attentionMask], s: b.shape });

test('iterator: every epoch is a permutation; epochs differ; same seed, same stream', () => {
  const it = new BatchIterator(encoded, opts);
  assert.is(it.batchesPerEpoch, 109); // 870 / 8 = 108.75 -> last batch has 6
  const seen: string[] = [];
  for (let k = 0; k < 109; k++) seen.push(...it.next().ids);
  assert.equal([...seen].sort(), encoded.map((e) => e.id).sort());
  assert.equal(it.state().epoch, 1);
  assert.equal(it.state().batch, 0);
  const epoch1 = it.next().ids;
  assert.not.equal(epoch1, seen.slice(0, 8));
  const again = new BatchIterator(encoded, opts);
  assert.equal(again.next().ids, seen.slice(0, 8));
  const drop = new BatchIterator(encoded, { ...opts, dropLast: true });
  assert.is(drop.batchesPerEpoch, 108);
  const noShuffle = new BatchIterator(encoded, { ...opts, shuffle: false });
  assert.equal(noShuffle.next().ids, encoded.slice(0, 8).map((e) => e.id));
});

test('iterator: save mid-epoch, restore in a new object (via JSON), continue bit-exactly across an epoch boundary', () => {
  const a = new BatchIterator(encoded, opts);
  for (let k = 0; k < 100; k++) a.next();
  const saved = JSON.parse(JSON.stringify(a.state()));
  assert.equal({ epoch: saved.epoch, batch: saved.batch }, { epoch: 0, batch: 100 });
  const expected = Array.from({ length: 20 }, () => snap(a.next()));
  const b = new BatchIterator(encoded, opts, saved);
  const got = Array.from({ length: 20 }, () => snap(b.next()));
  assert.equal(got, expected);
  assert.is(got[9].e, 1); // batch 109 of the run is epoch 1, index 0
  assert.is(got[9].i, 0);
  // A state from other data or options is refused.
  try {
    new BatchIterator(encoded.slice(1), opts, saved);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, LedgerLabError);
    assert.match((e as LedgerLabError).problem, 'different data or batching options');
  }
  try {
    new BatchIterator(encoded, { ...opts, padding: 'max_length' }, saved);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, LedgerLabError);
  }
});

test('group-by-length: still a permutation per epoch, resumable, and less padding', () => {
  const g = new BatchIterator(encoded, { ...opts, groupByLength: true, groupWindow: 20 });
  const plain = new BatchIterator(encoded, opts);
  const gb = Array.from({ length: 109 }, () => g.next());
  const pb = Array.from({ length: 109 }, () => plain.next());
  assert.equal(gb.flatMap((b) => b.ids).sort(), encoded.map((e) => e.id).sort());
  const sg = summarizePadding(gb), sp = summarizePadding(pb);
  assert.is(sg.realTokens, sp.realTokens);
  assert.ok(sg.padTokens < sp.padTokens / 2, `grouped ${sg.padTokens} vs ${sp.padTokens}`);
  assert.is(sp.padFraction, sp.padTokens / (sp.padTokens + sp.realTokens));
  const state = g.state();
  const next = snap(g.next());
  assert.equal(snap(new BatchIterator(encoded, { ...opts, groupByLength: true, groupWindow: 20 }, state).next()), next);
});

test('collatePrompts: left-padded prompts for generation', () => {
  const p = collatePrompts([e1, e2], 0);
  assert.equal(p.shape, [2, 4]);
  assert.equal([...p.inputIds], [1, 5, 6, 3, /**/ 0, 1, 5, 3]);
  assert.equal([...p.attentionMask], [1, 1, 1, 1, /**/ 0, 1, 1, 1]);
});

test('packTexts: <eos>-joined blocks of exactly blockSize, labels everywhere, no padding', () => {
  const blocks = packTexts(tok, ['abc', 'de', 'a'], 3);
  // a b c <eos> d e <eos> a <eos> -> [5,6,7] [2,8,9] [2,5,2]
  assert.equal(blocks.map((b) => b.target), [[5, 6, 7], [2, 8, 9], [2, 5, 2]]);
  assert.equal(packTexts(tok, ['abcd'], 3).length, 1); // a b c | d <eos> dropped
  const it = new BatchIterator(blocks, { batchSize: 2, seed: 0, padding: 'longest', maxSource: 0, maxTarget: 3, padId: 0, shuffle: false });
  const b = it.next();
  assert.equal([...b.inputIds], [5, 6, 7, 2, 8, 9]);
  assert.equal([...b.labels], [5, 6, 7, 2, 8, 9]);
  assert.is(b.stats.padTokens, 0);
});

test('packSequences: sequences joined as they are (no added <eos>), cut into exact blocks, remainder dropped', () => {
  const blocks = packSequences([[1, 5, 3, 6, 2], [1, 7, 3, 8, 2]], 4);
  assert.equal(blocks.map((b) => [b.id, b.prompt, b.target]), [['block-0', [], [1, 5, 3, 6]], ['block-1', [], [2, 1, 7, 3]]]);
  assert.equal(packSequences([[1, 2, 3]], 4), []);
  assert.throws(() => packSequences([[1, 2]], 1), /blockSize must be an integer >= 2, got 1/);
});

test.run();
