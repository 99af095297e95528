// Drift scenarios are pure, seeded schedules over cycles; the hallucination proxy and length measures.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ScenarioSchema, scenarioWindow, heldOutSet, severityAt, generatorOptions, SCENARIO_NAMES } from '../../lib/experiments/drift/scenarios.ts';
import { hallucinatedValues, mentionedValues, charLength } from '../../lib/experiments/drift/measures.ts';
import { DriftSchema } from '../../lib/experiments/drift/config.ts';
import { cycleTrainSet } from '../../lib/experiments/drift/kind.ts';
import { generateAds } from '../../lib/data/synthetic/index.ts';
import type { Example } from '../../lib/data/types.ts';

const sc = (name: string, extra: Record<string, unknown> = {}) => ScenarioSchema.parse({ name, onset: 4, ramp: 8, severity: 0.8, ...extra });

test('severity: 0 before onset, linear ramp, flat after; a step when ramp = 0', () => {
  const s = sc('label-noise');
  assert.equal([0, 3, 4, 6, 8, 12, 40].map((c) => severityAt(s, c)), [0, 0, 0, 0.2, 0.4, 0.8, 0.8]);
  assert.equal([2, 3, 4].map((c) => severityAt(sc('label-noise', { onset: 3, ramp: 0 }), c)), [0, 0.8, 0.8]);
});

test('windows are pure functions of (scenario, seed, cycle), independent of run length', () => {
  for (const name of SCENARIO_NAMES) {
    const a = scenarioWindow(sc(name), 3, 9, 5);
    assert.equal(scenarioWindow(sc(name), 3, 9, 5), a, name);
    assert.equal(scenarioWindow(sc(name), 3, 9, 2, 3), a.slice(3), `${name}: start offset`);
    assert.not.equal(scenarioWindow(sc(name), 4, 9, 5).map((e) => e.target), a.map((e) => e.target), `${name}: seed matters`);
  }
  // Before the onset every scenario's window is the clean window.
  const clean = scenarioWindow(sc('clean'), 1, 2, 6).map((e) => [e.source, e.target]);
  for (const name of SCENARIO_NAMES) assert.equal(scenarioWindow(sc(name), 1, 2, 6).map((e) => [e.source, e.target]), clean, name);
});

test('each scenario corrupts what it says, growing with severity', () => {
  const share = (name: string, cycle: number, f: (clean: Example, drifted: Example) => boolean) => {
    const c = scenarioWindow(sc('clean'), 0, cycle, 200);
    const d = scenarioWindow(sc(name), 0, cycle, 200);
    return d.filter((e, i) => f(c[i]!, e)).length / 200;
  };
  const targetChanged = (c: Example, d: Example) => c.target !== d.target;
  const promptShorter = (c: Example, d: Example) => d.source.split('*').length < c.source.split('*').length;
  const hasLatin = (_c: Example, d: Example) => /[A-Za-z]{3}/.test(d.target);
  assert.ok(share('label-noise', 8, targetChanged) < share('label-noise', 12, targetChanged));
  assert.ok(share('label-noise', 12, targetChanged) > 0.6, `label noise at full severity: ${share('label-noise', 12, targetChanged)}`);
  assert.ok(share('sparse-prompts', 12, promptShorter) > 0.6);
  assert.ok(share('mixed-language', 12, hasLatin) > 0.3);
  assert.ok(share('spreadsheet-2017', 12, targetChanged) > 0.5);
  assert.is(share('clean', 12, targetChanged), 0);
  const vocab = scenarioWindow(sc('vocab-style'), 0, 12, 200);
  assert.ok(vocab.filter((e) => /环保#|工艺#/.test(e.source)).length > 30, 'new keys appear');
  assert.is(scenarioWindow(sc('vocab-style'), 0, 3, 200).filter((e) => /环保#|工艺#/.test(e.source)).length, 0);
  assert.equal(generatorOptions(sc('label-noise'), 2).noise, { label: { from: 0, to: 0.8, start: 4, end: 12 } });
});

test('AdvertiseGen source: seeded draws from the pool with injected corruption; lexicon scenarios refused', () => {
  const pool = generateAds({ seed: 'pool', lang: 'zh' }, 0, 30).map((r, i) => ({ id: `p${i}`, source: r.content, target: r.summary, references: [r.summary], attributes: r.attributes, lang: 'zh' as const }));
  const s = sc('spreadsheet-2017', { source: 'advertisegen', onset: 0, ramp: 0, severity: 1 });
  const w = scenarioWindow(s, 0, 5, 20, 0, pool);
  assert.equal(scenarioWindow(s, 0, 5, 20, 0, pool), w);
  assert.ok(w.filter((e) => !pool.some((p) => p.target === e.target)).length > 5, 'some targets corrupted');
  assert.ok(new Set(w.map((e) => e.id)).size === 20);
  assert.throws(() => scenarioWindow(sc('mixed-language', { source: 'advertisegen' }), 0, 1, 2, 0, pool), /needs the synthetic generator's lexicon/);
  assert.throws(() => scenarioWindow(s, 0, 1, 2), /needs the AdvertiseGen sample/);
  assert.equal(heldOutSet(0, 4, pool, 'advertisegen').map((e) => e.id), ['p26', 'p27', 'p28', 'p29']);
});

test('held-out set is clean and fixed; replay draws from earlier windows only', () => {
  const h = heldOutSet('task', 6);
  assert.equal(heldOutSet('task', 6), h);
  assert.is(h.length, 6);
  const c = DriftSchema.parse({ window: 10, replay: 0.3, scenario: { name: 'label-noise' } });
  const t0 = cycleTrainSet(c, 0, 0, []);
  assert.is(t0.length, 10);
  const t5 = cycleTrainSet(c, 0, 5, []);
  assert.is(t5.length, 10);
  assert.equal(t5.slice(0, 7), scenarioWindow(c.scenario, 0, 5, 7));
  const earlier = new Set([0, 1, 2, 3, 4].flatMap((k) => scenarioWindow(c.scenario, 0, k, 10).map((e) => e.id)));
  for (const e of t5.slice(7)) assert.ok(earlier.has(e.id), `replayed ${e.id} comes from an earlier window`);
  assert.equal(cycleTrainSet(c, 0, 5, []), t5);
});

test('hallucination proxy: values named but not in the prompt; benefits and compounds handled', () => {
  assert.equal(mentionedValues('一款红色的有机棉上衣，条纹与stripes设计'), ['红色', '有机棉', '条纹', 'stripes']);
  assert.equal(mentionedValues('a necklace in lace'), ['lace']);
  assert.equal(hallucinatedValues('一款红色的棉质上衣', '类型#上衣*材质#棉'), ['红色']);
  // 格子's benefit phrase 复古学院风 names no style.
  assert.equal(hallucinatedValues('格子图案，复古学院风。', '类型#裙*图案#格子'), []);
  const refs = generateAds({ seed: 'task', lang: 'zh' }, 0, 80);
  assert.is(refs.filter((r) => hallucinatedValues(r.summary, r.content).length > 0).length, 0, 'clean references hallucinate nothing');
  const noisy = scenarioWindow(sc('label-noise', { onset: 0, ramp: 0, severity: 1 }), 0, 0, 40);
  assert.ok(noisy.filter((e) => hallucinatedValues(e.target, e.source).length > 0).length > 25, 'label noise shows up');
  assert.is(charLength('学院风A字'), 5);
});

test.run();
