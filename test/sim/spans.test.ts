// Attribution on real text (issue 23 §3): suffix array and maximal spans = brute-force substring search, the
// text Datanet's attacks, span-attribution settlement on the chain = fast mode to the wei, the pipeline end to end.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../lib/util/random.ts';
import { BpeTokenizer } from '../../lib/data/tokenizer/bpe.ts';
import { paths } from '../../lib/paths.ts';
import { join } from 'node:path';
import {
  buildSuffixArray, buildSpanIndex, maximalSpans, matchLengths, bruteForceSpans, spanCredit, spanWeights, paraphrase, buildTextDatanet,
  attributeOutputs, textEpisode, ownerShares, settleFast, runSpanStudy, spansConfig, SpansSchema, RULE_KEYS, WEIGHT_UNIT,
} from '../../lib/sim/index.ts';
import { settleEvm } from '../../lib/sim/evm.ts';
import { trainAndGenerate } from '../../lib/index.ts';

const norm = (spans: { items: Map<number, number> }[]) => spans.map((s) => ({ ...s, items: [...s.items.entries()].sort((a, b) => a[0] - b[0]) }));

test('suffix array: every adjacent pair of suffixes is in order (random corpora, small alphabets)', () => {
  const r = new Rng(7);
  for (let trial = 0; trial < 200; trial++) {
    const t = Int32Array.from({ length: r.int(40) }, () => r.int(1 + r.int(4)));
    const sa = buildSuffixArray(t);
    assert.equal([...sa].sort((a, b) => a - b), Array.from({ length: t.length }, (_, i) => i), 'a permutation');
    for (let j = 1; j < sa.length; j++) {
      let a = sa[j - 1], b = sa[j];
      while (a < t.length && b < t.length && t[a] === t[b]) { a++; b++; }
      assert.ok(a === t.length || (b < t.length && t[a] < t[b]), `trial ${trial} rank ${j}`);
    }
  }
});

test('maximal spans, counts and per-item occurrences equal brute-force substring search (random corpora)', () => {
  const r = new Rng(11);
  for (let trial = 0; trial < 300; trial++) {
    const V = 2 + r.int(4);
    const items = Array.from({ length: 1 + r.int(6) }, () => Int32Array.from({ length: r.int(12) }, () => r.int(V)));
    const out = Int32Array.from({ length: r.int(15) }, () => r.int(V + 2)); // includes tokens the corpus lacks
    const idx = buildSpanIndex(items);
    for (const minLength of [1, 3]) {
      const want = bruteForceSpans(items, out, { minLength, maxOccurrences: 5 });
      assert.equal(Array.from(matchLengths(idx, out)), want.lengths);
      assert.equal(norm(maximalSpans(idx, out, { minLength, maxOccurrences: 5 })), norm(want.spans), `trial ${trial}`);
    }
  }
});

test('on real text (E2E + AdvertiseGen, BPE tokens) span matching equals brute force; no span crosses two items', async () => {
  const dn = await buildTextDatanet({ advertisegen: join(paths.datasets, 'advertisegen', 'dev-sample.jsonl'), e2e: join(paths.datasets, 'e2e', 'devset.csv'), perSource: 12, queriesPerSource: 3, honest: 3, attackItems: 2, attacks: ['duplicate', 'paraphrase', 'boilerplate', 'stuffing'], seed: 0 });
  const tok = BpeTokenizer.train(dn.items.map((it) => it.text), { vocabSize: 400 });
  const items = dn.items.map((it) => Int32Array.from(tok.encode(it.text)));
  const idx = buildSpanIndex(items);
  // Outputs: held-out references, and two items' texts glued (a maximal span must stop at the seam).
  const outs = [...dn.queries.map((q) => tok.encode(q.target)), [...items[0], ...items[1]]];
  for (const out of outs) assert.equal(norm(maximalSpans(idx, out, { minLength: 2 })), norm(bruteForceSpans(items, out, { minLength: 2 }).spans));
  const glued = maximalSpans(idx, outs.at(-1)!, { minLength: 2 });
  assert.is(glued[0].length, items[0].length, 'item 0 whole, not into item 1');
  assert.ok(glued[0].items.has(0));
});

test('credit: length × log2(1 + T/count), split over occurrences; a duplicate halves its original\'s credit', () => {
  const a = Int32Array.from([1, 2, 3, 4, 5, 6]);
  const b = Int32Array.from([7, 8, 9, 10]);
  const solo = buildSpanIndex([a, b]);
  const c1 = spanCredit(solo, [1, 2, 3, 4, 5, 6], { minLength: 3 });
  assert.equal([...c1], [[0, 6 * Math.log2(1 + 10 / 1)]]);
  const dup = buildSpanIndex([a, b, a]);
  const c2 = spanCredit(dup, [1, 2, 3, 4, 5, 6], { minLength: 3 });
  const w = 6 * Math.log2(1 + 16 / 2);
  assert.equal([...c2].sort(), [[0, w / 2], [2, w / 2]]);
  const ws = spanWeights(dup, [1, 2, 3, 4, 5, 6], { minLength: 3 });
  assert.equal(ws, [{ item: 0, weight: WEIGHT_UNIT / 2 }, { item: 2, weight: WEIGHT_UNIT / 2 }]);
  assert.equal(spanWeights(dup, [11, 12, 13], { minLength: 3 }), [], 'nothing matches: an empty event');
});

test('paraphrase keeps content but breaks the exact spans (English synonyms, Chinese synonyms + clause rotation)', () => {
  const en = 'The Eagle is a coffee shop near Burger King in the city centre. It is family friendly.';
  assert.is(paraphrase(en), 'The Eagle is one café close to Burger King within this centre of town. It is good for kids.');
  const zh = '这款连衣裙设计简约，穿着舒适，展现女性优雅气质。';
  const p = paraphrase(zh);
  assert.is(p, '上身舒服，彰显女生雅致韵味。这件连衣裙打造简洁，');
  assert.not.ok(p.includes('设计简约'));
});

test('fast mode = EVM to the wei for span attribution on the real-text Datanet (every attacker present)', async () => {
  const dn = await buildTextDatanet({ advertisegen: join(paths.datasets, 'advertisegen', 'dev-sample.jsonl'), e2e: join(paths.datasets, 'e2e', 'devset.csv'), perSource: 10, queriesPerSource: 4, honest: 4, attackItems: 3, attacks: ['duplicate', 'paraphrase', 'boilerplate', 'stuffing'], seed: 1 });
  const tok = BpeTokenizer.train(dn.items.flatMap((it) => [it.prompt, it.text]), { vocabSize: 500 });
  const itemTokens = dn.items.map((it) => Int32Array.from(tok.encode(it.text)));
  // Outputs: held-out references and a copied honest text (what a memorising model emits).
  const outputs = [...dn.queries.map((q) => tok.encode(q.target)), Array.from(itemTokens[3]), Array.from(itemTokens[12])];
  const { results } = attributeOutputs(dn.items, itemTokens, outputs, ['spans'], { minLength: 3, maxOccurrences: 10_000 });
  for (const rule of ['pro-rata', 'sqrt'] as const) {
    const ep = textEpisode(dn.items, results[0].events, { rule, seed: 1, world: { fundingEthPerEpoch: 0.01 } });
    const fast = settleFast(ep);
    const evm = await settleEvm(ep);
    const want = new Map(fast.epochs[0].payees.map((p) => [p.id, p.payout] as const));
    assert.equal([...evm.epochs[0].payouts].sort(), [...want].sort(), rule);
    assert.is(evm.epochs[0].pool, fast.epochs[0].pool);
    const shares = ownerShares(ep, fast, dn.items);
    assert.ok(shares.find((s) => s.owner === 'duplicate')!.share > 0, 'the copy of a memorised item is paid');
    assert.ok(Math.abs(shares.reduce((a, s) => a + s.share, 0) - (1 - Number(fast.treasury) / Number(fast.pools))) < 1e-12);
  }
});

test('the lifecycle end to end: Datanet → fine-tune (lib/train) → generate → attribute by 3 methods → settle', async () => {
  const st = await runSpanStudy(spansConfig({ perSource: 8, queriesPerSource: 2, honest: 2, attackItems: 2, model: { vocab: 300, layers: 1, dModel: 16, heads: 2, steps: 3, batchSize: 4, lr: 0.01, maxSource: 24, maxTarget: 24, maxNew: 8 } }), trainAndGenerate);
  assert.equal(st.items.byKind, { honest: 16, duplicate: 2, paraphrase: 2, boilerplate: 2, stuffing: 2 });
  assert.is(st.queries, 4);
  assert.equal(st.outcomes.map((o) => o.method), ['spans', 'retrieval', 'knn-shapley']);
  assert.is(st.outcomes[1].creditedOutputs, 4, 'retrieval always credits its top k');
  for (const o of st.outcomes) assert.ok(o.shares.reduce((a, s) => a + s.share, 0) <= 1 + 1e-12);
  assert.ok(Number.isFinite(st.model.finalLoss) && st.model.steps === 3);
});

test('spans config: rules match the ledger\'s, unknown keys are errors', () => {
  assert.equal((SpansSchema as unknown as { shape: Record<string, { description: string }> }).shape ? true : true, true);
  assert.equal(RULE_KEYS.map((r) => spansConfig({ rule: r }).rule), [...RULE_KEYS]);
  assert.throws(() => spansConfig({ rule: 'nope' as never }), /rule/);
  assert.throws(() => SpansSchema.parse({ perSorce: 3 }, 'x.json'), /perSorce/);
});

test.run();
