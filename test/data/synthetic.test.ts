import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { adRecordToExample, generateAd, generateAds, knobAt, parseAdvertiseGen, toAdvertiseGenJsonl, type AdGenOptions } from '../../lib/data/index.ts';
import { addTypos, CATEGORIES, garble, truncate, VALUES } from '../../lib/data/synthetic/index.ts';
import { Rng } from '../../lib/util/random.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const DRIFT: AdGenOptions['drift'] = { newValues: { from: 0, to: 1 }, style: { from: 0, to: 0.8 }, mixedLanguage: { from: 0, to: 0.4 }, sparse: { from: 0, to: 0.3 } };
const NOISE: AdGenOptions['noise'] = { label: { from: 0, to: 0.3 }, typo: 0.2, garble: 0.1, truncate: 0.1, duplicate: 0.1 };
const driftValues = new Set(Object.values(VALUES).flat().filter((v) => v.since > 0).flatMap((v) => [v.zh, v.en]));

test('schedules: constant, ramp, steps, clamping, seeded jitter', () => {
  assert.is(knobAt(undefined, 3), 0);
  assert.is(knobAt(0.25, 9), 0.25);
  assert.is(knobAt({ from: 0, to: 0.4 }, 0.5), 0.2);
  assert.is(knobAt({ from: 0.1, to: 0.5, start: 2, end: 4 }, 1), 0.1);
  assert.is(knobAt({ from: 0.1, to: 0.5, start: 2, end: 4 }, 3), 0.30000000000000004);
  assert.is(knobAt({ from: 0.1, to: 0.5, start: 2, end: 4 }, 10), 0.5);
  assert.is(knobAt({ steps: [[0, 0], [0.5, 0.3], [2, 0.9]] }, 0.7), 0.3);
  assert.is(knobAt(1.5, 0), 1);
  const j = knobAt({ from: 0.5, to: 0.5, jitter: 0.1 }, 0.3, 7, 'typo');
  assert.ok(j >= 0.4 && j <= 0.6 && j !== 0.5);
  assert.is(knobAt({ from: 0.5, to: 0.5, jitter: 0.1 }, 0.3, 7, 'typo'), j);
  assert.is.not(knobAt({ from: 0.5, to: 0.5, jitter: 0.1 }, 0.3, 8, 'typo'), j);
});

test('same seed -> byte-identical JSONL; record i is the same alone or in a batch; another seed differs', () => {
  const opts: AdGenOptions = { seed: 42, lang: 'both', drift: DRIFT, noise: NOISE };
  const a = toAdvertiseGenJsonl(generateAds(opts, 0.5, 300));
  const b = toAdvertiseGenJsonl(generateAds({ ...opts, drift: { ...DRIFT }, noise: { ...NOISE } }, 0.5, 300));
  assert.is(a, b);
  assert.equal(generateAd(opts, 0.5, 123), generateAds(opts, 0.5, 10, 120)[3]);
  assert.is.not(toAdvertiseGenJsonl(generateAds({ ...opts, seed: 43 }, 0.5, 300)), a);
  assert.is.not(toAdvertiseGenJsonl(generateAds(opts, 0.6, 300)), a);
  // Golden: a change here changes every synthetic experiment's data.
  assert.is(sha(a).slice(0, 16), GOLDEN);
});

test('records are independent streams: no accidental repeats among 20,000 (no duplicate noise)', () => {
  const recs = generateAds({ seed: 11, lang: 'both' }, 0, 20000);
  assert.is(new Set(recs.map((r) => r.content + '\u0000' + r.summary)).size, 20000);
});

test('AdvertiseGen format: the JSONL goes through the real loader with the same attributes', () => {
  const recs = generateAds({ seed: 1, lang: 'both', drift: DRIFT, noise: NOISE }, 1, 200);
  const exs = parseAdvertiseGen(toAdvertiseGenJsonl(recs), 'synthetic.jsonl');
  assert.is(exs.length, 200);
  exs.forEach((e, i) => {
    assert.equal(e.attributes, recs[i].attributes);
    assert.is(e.target, recs[i].summary);
  });
  const ex = adRecordToExample(recs[0], 1);
  assert.match(ex.id, /^syn-[0-9a-f]{16}$/);
  assert.is(ex.source, recs[0].content);
  assert.is.not(adRecordToExample(recs[1], 1).id, ex.id);
});

test('clean data at t=0 is learnable: every attribute value and the product noun appear in the copy', () => {
  for (const lang of ['zh', 'en'] as const) {
    for (const r of generateAds({ seed: 3, lang, drift: DRIFT, noise: { label: { from: 0, to: 0.3 }, duplicate: { from: 0, to: 0.5 } } }, 0, 300)) {
      assert.equal(r.flags, { label: false, typo: false, garble: false, truncate: false, sparse: false, mixed: 0 });
      assert.equal(r.described, r.attributes);
      assert.is(r.style, 'plain');
      const cat = CATEGORIES.find((c) => c.id === r.category)!;
      assert.ok(r.summary.includes(lang === 'zh' ? cat.zhNoun : cat.enNoun), r.summary);
      for (const a of r.attributes.slice(1)) assert.ok(r.summary.toLowerCase().includes(a.value.toLowerCase()), `${a.value} missing in ${r.summary}`);
      for (const a of r.attributes) assert.not.ok(driftValues.has(a.value), `drift value ${a.value} at t=0`);
    }
  }
});

test('drift over t is visible: new values, social style, mixed language, sparse prompts', () => {
  const opts: AdGenOptions = { seed: 9, lang: 'zh', drift: DRIFT };
  const at = (t: number) => {
    const rs = generateAds(opts, t, 400);
    return {
      newVals: rs.filter((r) => r.attributes.some((a) => driftValues.has(a.value))).length,
      newKeys: rs.filter((r) => r.attributes.some((a) => a.key === '环保' || a.key === '工艺')).length,
      social: rs.filter((r) => r.style === 'social').length,
      mixed: rs.filter((r) => r.flags.mixed > 0).length,
      latin: rs.filter((r) => /[a-z]{3}/.test(r.summary)).length,
      sparse: rs.filter((r) => r.flags.sparse).length,
    };
  };
  const t0 = at(0), t1 = at(1);
  assert.equal(t0, { newVals: 0, newKeys: 0, social: 0, mixed: 0, latin: 0, sparse: 0 });
  assert.ok(t1.newVals > 100, `new values ${t1.newVals}`);
  assert.ok(t1.newKeys > 100, `new keys ${t1.newKeys}`);
  assert.ok(t1.social > 280 && t1.social < 360, `social ${t1.social} (expect ~320)`);
  assert.ok(t1.mixed > 200 && t1.latin > 200, `mixed ${t1.mixed}, latin ${t1.latin}`);
  assert.ok(t1.sparse > 90 && t1.sparse < 150, `sparse ${t1.sparse} (expect ~120)`);
  const half = at(0.5);
  assert.ok(half.social > 100 && half.social < t1.social, `social at 0.5: ${half.social}`);
  for (const r of generateAds(opts, 1, 100)) if (r.flags.sparse) assert.is(r.attributes.length, 2);
});

test('noise: label noise changes described values only; duplicates copy an earlier record; knobs off -> clean', () => {
  const recs = generateAds({ seed: 4, lang: 'en', noise: NOISE }, 1, 400);
  let labels = 0, dups = 0, typos = 0, garbles = 0, truncs = 0;
  for (const r of recs) {
    if (r.flags.duplicateOf !== undefined) {
      dups++;
      assert.ok(r.flags.duplicateOf < r.index);
      const orig = recs[r.flags.duplicateOf];
      assert.is(r.content, orig.content);
      assert.is(r.summary, orig.summary);
      continue;
    }
    assert.equal(r.described.map((a) => a.key), r.attributes.map((a) => a.key));
    const diff = r.described.filter((a, i) => a.value !== r.attributes[i].value).length;
    if (r.flags.label) {
      labels++;
      assert.ok(diff >= 1 && diff <= 2, `label noise changed ${diff} values`);
    } else assert.is(diff, 0);
    if (r.flags.typo) typos++;
    if (r.flags.garble) garbles++;
    if (r.flags.garble && !r.flags.truncate) assert.match(r.summary, /[\u0080-\u00ff\ufffd]/);
    if (r.flags.truncate) truncs++;
  }
  assert.ok(labels > 80 && labels < 160, `labels ${labels} (expect ~0.3 * 360)`);
  assert.ok(dups > 20 && dups < 60, `dups ${dups}`);
  assert.ok(typos > 40 && garbles > 15 && truncs > 15, `${typos} ${garbles} ${truncs}`);
  for (const r of generateAds({ seed: 4, lang: 'en', noise: NOISE }, 0, 100)) {
    if (r.flags.duplicateOf === undefined) assert.not.ok(r.flags.label);
  }
});

test('vocabulary and template knobs narrow the data', () => {
  const small = generateAds({ seed: 5, lang: 'en', vocabulary: 0.2 }, 0, 300);
  const colours = new Set(small.flatMap((r) => r.attributes.filter((a) => a.key === 'colour').map((a) => a.value)));
  assert.equal([...colours].sort(), ['black', 'red', 'white']); // ceil(12 * 0.2) = 3 first values
  const big = generateAds({ seed: 5, lang: 'en', vocabulary: 2 }, 0, 600);
  const base = VALUES.colour.filter((v) => v.since === 0).map((v) => v.en);
  const allowed = new Set([...base, ...base.map((c) => `light ${c}`)]); // vocabulary 2: + one modifier x 12 colours
  const bigColours = new Set(big.flatMap((r) => r.attributes.filter((a) => a.key === 'colour').map((a) => a.value)));
  for (const c of bigColours) assert.ok(allowed.has(c), c);
  assert.ok(bigColours.size > 18 && [...bigColours].some((c) => c.startsWith('light ')), `${bigColours.size} colours`);
  const oneTpl = generateAds({ seed: 5, lang: 'en', templates: 1 }, 0, 200);
  for (const r of oneTpl) assert.ok(r.summary.startsWith('This '), r.summary);
  const distinct = (rs: { summary: string }[]) => new Set(rs.map((r) => r.summary.split('. ')[0])).size;
  assert.ok(distinct(oneTpl) < distinct(generateAds({ seed: 5, lang: 'en' }, 0, 200)));
});

test('noise helpers: typos, mojibake, truncation', () => {
  assert.is(addTypos('unchanged text', 0, new Rng(1)), 'unchanged text');
  const typo = addTypos('soft and breathable cotton', 0.3, new Rng(1));
  assert.is.not(typo, 'soft and breathable cotton');
  assert.is(garble('简约', new Rng(2)).length > 2, true);
  assert.is(garble('', new Rng(2)), '');
  const cut = truncate('一二三四五六七八九十', new Rng(3));
  assert.ok('一二三四五六七八九十'.startsWith(cut) && cut.length >= 3 && cut.length <= 8, cut);
  assert.is(truncate('👩🏽x', new Rng(3)).length > 0, true);
});

const GOLDEN = '4de2081e2df7c84b';
test.run();
