import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { porterStem } from '../../lib/metrics/index.ts';

test('classic Porter cases (NLTK_EXTENSIONS results)', () => {
  const cases: Record<string, string> = {
    caresses: 'caress', ponies: 'poni', ties: 'tie', cats: 'cat', agreed: 'agre', plastered: 'plaster',
    motoring: 'motor', sing: 'sing', conflated: 'conflat', hopping: 'hop', falling: 'fall', filing: 'file',
    relational: 'relat', generously: 'gener', running: 'run', happy: 'happi', electrical: 'electr',
  };
  for (const [w, s] of Object.entries(cases)) assert.is(porterStem(w), s, w);
});

test('NLTK extensions: irregular pool, 4-letter ies/ied, short words untouched', () => {
  assert.is(porterStem('dying'), 'die');
  assert.is(porterStem('skies'), 'sky');
  assert.is(porterStem('news'), 'news');
  assert.is(porterStem('dies'), 'die');   // 4-letter "ies" → "ie" (original algorithm: "di")
  assert.is(porterStem('tied'), 'tie');   // 4-letter "ied" → "ie"
  assert.is(porterStem('spied'), 'spi');
  assert.is(porterStem('is'), 'is');
  assert.is(porterStem('Running'), 'run'); // lowercases first
});

test('agrees with nltk 3.8 PorterStemmer on every fixture word (E2E vocabulary + rule probes)', () => {
  const { stems } = JSON.parse(readFileSync(new URL('./fixtures/porter.json', import.meta.url), 'utf8')) as { stems: Record<string, string> };
  const words = Object.keys(stems);
  assert.ok(words.length > 1000, `${words.length} words`);
  const bad = words.filter((w) => porterStem(w) !== stems[w]).map((w) => `${w}: ${porterStem(w)} != ${stems[w]}`);
  assert.equal(bad, []);
});

test.run();
