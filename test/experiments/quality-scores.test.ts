// The quality path's scoring (lib/experiments/quality.ts scorePredictions), shared by the finetune, speedup, qlora
// and drift kinds: the task's language picks the metric, each item carries its scores, and the means are theirs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { scorePredictions, EN_KEYS } from '../../lib/experiments/index.ts';
import { zhScoresMulti, ZH_KEYS, rougeScoresMulti, bleu4En, diversityScores } from '../../lib/metrics/index.ts';

const zh = [
  { id: 'a', prediction: '这款连衣裙颜色清新', references: ['这款红色连衣裙风格清新'] },
  { id: 'b', prediction: '简约的上衣', references: ['简约风格的白色上衣', '白色上衣'] },
];
const en = [
  { id: 'x', prediction: 'a red dress for summer', references: ['a fresh red summer dress'] },
  { id: 'y', prediction: 'plain white shirt', references: ['a plain white shirt', 'white shirt'] },
];

test('Chinese: every item has the rouge_chinese/BLEU-4 scores of its own prediction; means and diversity over all', () => {
  const { items, scores } = scorePredictions(zh, 'zh');
  items.forEach((it, i) => {
    assert.is(it.id, zh[i]!.id);
    const want = zhScoresMulti(zh[i]!.prediction, zh[i]!.references);
    for (const k of ZH_KEYS) assert.is(it[k], want[k], `${it.id} ${k}`);
  });
  for (const k of ZH_KEYS) assert.ok(Math.abs(scores[k]! - (items[0]![k]! + items[1]![k]!) / 2) < 1e-12, k);
  assert.equal(Object.keys(scores), [...ZH_KEYS, ...Object.keys(diversityScores(['x'], 'zh'))]);
});

test('English: rouge_score F-measures and nltk BLEU-4, in percent', () => {
  const { items, scores } = scorePredictions(en, 'en');
  const r = rougeScoresMulti(en[1]!.references, en[1]!.prediction);
  assert.is(items[1]!.rougeL, r.rougeL.fmeasure * 100);
  assert.is(items[1]!.bleu4, bleu4En(en[1]!.references, en[1]!.prediction) * 100);
  for (const k of EN_KEYS) assert.ok(Math.abs(scores[k]! - (items[0]![k]! + items[1]![k]!) / 2) < 1e-12, k);
  assert.is(scores['rouge-1'], undefined);
});

test('no predictions: zero means, no NaN', () => {
  const { items, scores } = scorePredictions([], 'zh');
  assert.equal(items, []);
  for (const k of ZH_KEYS) assert.is(scores[k], 0);
});

test.run();
