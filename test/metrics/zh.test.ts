import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { jiebaCut, cutSentences, rougeChinese, zhScores, zhScoresMulti, pyRound, ZH_KEYS, type ZhScores } from '../../lib/metrics/index.ts';

const fixture = <T>(name: string): T => JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;

test('pyRound is Python round(): exact binary value, ties to even', () => {
  assert.is(pyRound(0.03125, 4), 0.0312);  // exact tie → even (toFixed would give 0.0313)
  assert.is(pyRound(0.03375, 4), 0.0338);  // exact tie → even (up)
  assert.is(pyRound(2.675, 2), 2.67);      // 2.675 is 2.67499999… in binary
  assert.is(pyRound(0.00005, 4), 0.0001);  // 0.00005 is slightly above in binary
  assert.is(pyRound(12.34565, 4), 12.3456);
  assert.is(pyRound(47.86324739396596, 4), 47.8632);
  assert.is(pyRound(99.99999, 4), 100);
  assert.is(pyRound(0, 4), 0);
});

test('jieba segmentation: default mode with HMM, default dictionary loaded', () => {
  assert.equal(jiebaCut('我爱北京天安门'), ['我', '爱', '北京', '天安门']);
  assert.equal(jiebaCut('做B超检查'), ['做', 'B超', '检查']);
  assert.equal(jiebaCut('hello world 3.5寸\n新款'), ['hello', ' ', 'world', ' ', '3.5', '寸', '\n', '新款']);
  assert.equal(jiebaCut(''), []);
});

test('@node-rs/jieba cuts all 1,740 AdvertiseGen texts exactly as Python jieba 0.42.1', () => {
  const { cuts } = fixture<{ cuts: string[][] }>('jieba.json');
  assert.is(cuts.length, 1740);
  const bad = cuts.filter((c) => JSON.stringify(jiebaCut(c.join(''))) !== JSON.stringify(c));
  assert.equal(bad.map((c) => c.join('|')).slice(0, 3), []); // mismatch rate 0 / 1740
});

test('rouge_chinese sentence cutting', () => {
  assert.equal(cutSentences('第一句。第二句！第三句？ '), ['第一句。', '第二句！', '第三句？']);
  assert.equal(cutSentences('他说：“好的。”然后走了……真的'), ['他说：“好的。”', '然后走了……', '真的']);
  assert.equal(cutSentences('a......b'), ['a......', 'b']);
});

test('rouge_chinese: unique n-grams for ROUGE-N, plain LCS for ROUGE-L, F = 2PR/(P+R+1e-8)', () => {
  // hyp words 外套×4 (1 unique), ref 外套 → ROUGE-1 P = R = 1 (sets); ROUGE-L P = 1/4, R = 1
  const s = rougeChinese('外套 外套 外套 外套', '外套');
  assert.equal(s['rouge-1'], { f: 2 * (1 / (2 + 1e-8)), p: 1, r: 1 });
  assert.equal(s['rouge-2'], { f: 0, p: 0, r: 0 });
  assert.equal(s['rouge-l'], { f: 2 * ((0.25 * 1) / (1.25 + 1e-8)), p: 0.25, r: 1 });
  // n-grams run across sentence boundaries (words of all sentences are chained)
  const t = rougeChinese('甲 乙 。 丙', '乙 。 丙 丁');
  assert.is(t['rouge-2'].p, 2 / 3);
});

test('LLaMA-Factory item rules: empty or whitespace-only side → ROUGE 0; ×100 rounded to 4 decimals', () => {
  assert.equal(zhScores('', '牛仔外套'), { 'rouge-1': 0, 'rouge-2': 0, 'rouge-l': 0, 'bleu-4': 0 });
  assert.equal(zhScores('   ', '牛仔外套'), { 'rouge-1': 0, 'rouge-2': 0, 'rouge-l': 0, 'bleu-4': 0 });
  assert.equal(zhScores('牛仔外套', '牛仔外套'), { 'rouge-1': 100, 'rouge-2': 100, 'rouge-l': 100, 'bleu-4': 100 });
  // rouge 2·(1·1)/(2+1e-8)·100 = 99.9999995 → 100.0; 1 word each side: rouge-2 has no bigram at all;
  // BLEU on 2 characters: p1 = p2 = 1, p3 → 1/2, p4 → 1/4 → 0.125^(1/4) = 0.594604
  assert.equal(zhScores('外套', '外套'), { 'rouge-1': 100, 'rouge-2': 0, 'rouge-l': 100, 'bleu-4': 59.4604 });
  assert.equal(zhScoresMulti('外套', ['外套']), zhScores('外套', '外套'));
  const m = zhScoresMulti('牛仔外套', ['衬衫', '牛仔外套']);
  assert.is(m['rouge-1'], 100);
});

test('agreement with jieba + rouge_chinese + nltk on 870 AdvertiseGen pairs and edge cases (after rounding)', () => {
  const { cases } = fixture<{ cases: { prediction: string; reference: string; scores: ZhScores }[] }>('zh.json');
  assert.ok(cases.length >= 880);
  let same = 0;
  const bad: string[] = [];
  for (const c of cases) {
    const got = zhScores(c.prediction, c.reference);
    if (ZH_KEYS.every((k) => got[k] === c.scores[k])) same++;
    else bad.push(`${c.prediction.slice(0, 20)}: ${JSON.stringify(got)} vs ${JSON.stringify(c.scores)}`);
  }
  assert.ok(same / cases.length >= 0.99, `${same}/${cases.length}`);
  assert.equal(bad.slice(0, 5), []); // measured: 884/884 identical
});

test.run();
