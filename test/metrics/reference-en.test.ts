/**
 * Agreement with the reference implementations on real data (fixtures from gen_reference.py: E2E dev
 * references as prediction/reference pairs, multi-reference and multi-line items, and the edge cases):
 * every ROUGE P/R/F (with and without the stemmer) and BLEU-4 value within 1e-9.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { rougeScoresMulti, bleu4En, ROUGE_TYPES, type RougeScores } from '../../lib/metrics/index.ts';

interface Case { prediction: string; references: string[]; rouge: RougeScores; rougeStem: RougeScores; bleu4: number; edge?: boolean }
const { cases } = JSON.parse(readFileSync(new URL('./fixtures/en.json', import.meta.url), 'utf8')) as { cases: Case[] };

test('fixture covers single, multi-reference, multi-line and edge items', () => {
  assert.ok(cases.length >= 700, `${cases.length}`);
  assert.ok(cases.filter((c) => c.references.length > 1).length >= 100);
  assert.ok(cases.filter((c) => c.prediction.includes('\n')).length >= 100);
  assert.ok(cases.filter((c) => c.edge).length >= 30);
});

for (const stem of [false, true]) {
  test(`ROUGE (stemmer ${stem}) identical to rouge_score within 1e-9 on every item`, () => {
    const bad: string[] = [];
    let maxDiff = 0;
    for (const c of cases) {
      const got = rougeScoresMulti(c.references, c.prediction, { stemmer: stem });
      const want = stem ? c.rougeStem : c.rouge;
      for (const k of ROUGE_TYPES) {
        for (const f of ['precision', 'recall', 'fmeasure'] as const) {
          const d = Math.abs(got[k][f] - want[k][f]);
          maxDiff = Math.max(maxDiff, d);
          if (!(d <= 1e-9)) bad.push(`${k}.${f} ${JSON.stringify(c.prediction)}: ${got[k][f]} vs ${want[k][f]}`);
        }
      }
    }
    assert.equal(bad.slice(0, 5), []);
    assert.ok(maxDiff <= 1e-9);
  });
}

test('BLEU-4 identical to nltk sentence_bleu(method3) within 1e-9 on every item', () => {
  const bad = cases.filter((c) => !(Math.abs(bleu4En(c.references, c.prediction) - c.bleu4) <= 1e-9))
    .map((c) => `${JSON.stringify(c.prediction)}: ${bleu4En(c.references, c.prediction)} vs ${c.bleu4}`);
  assert.equal(bad.slice(0, 5), []);
});

test.run();
