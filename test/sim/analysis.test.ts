import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { meanCI } from '../../lib/measure/index.ts';
import { world, design, attack, budgetCurve, compareDesigns, sweepMatrix, runCell, runSweep, parseSimConfig } from '../../lib/sim/index.ts';

const W = world({ honest: 6, itemsPerHonest: 4, queriesPerEpoch: 50, epochs: 2 });

test('budget curve: points equal standalone cells; spam captures more with more budget', () => {
  const d = design({ name: 'p', rule: 'pro-rata' });
  const a = attack({ type: 'spam', items: 20 });
  const curve = budgetCurve(W, d, a as Exclude<typeof a, { type: 'none' }>, [0.02, 0.2], [0, 1]);
  assert.is(curve.length, 2);
  const cells = [0, 1].map((s) => runCell(W, d, attack({ type: 'spam', items: 20, budgetEth: 0.2 }), s));
  assert.equal(curve[1].roi, meanCI(cells.map((c) => c.roi)));
  assert.ok(curve[1].capturedShare.mean > curve[0].capturedShare.mean, `${curve[0].capturedShare.mean} → ${curve[1].capturedShare.mean}`);
});

test('A/B of designs: seed-paired differences', () => {
  const cfg = parseSimConfig({
    world: { honest: 6, itemsPerHonest: 4, queriesPerEpoch: 50, epochs: 2 },
    designs: [{ name: 'pro-rata', rule: 'pro-rata' }, { name: 'knn', rule: 'pro-rata', attribution: 'knn-shapley' }],
    attacks: [{ type: 'spam' }, { type: 'sybil', identities: 3 }],
  });
  const r = runSweep(cfg, [0, 1, 2]);
  const ab = compareDesigns(r, 'pro-rata', 'knn', 'capturedShare');
  assert.equal(ab.map((x) => x.attack), ['spam', 'sybil']);
  const diffs = [0, 1, 2].map((s) => {
    const get = (d: string) => r.cells.find((c) => c.design === d && c.attack === 'spam' && c.seed === s)!.metrics.capturedShare;
    return get('knn') - get('pro-rata');
  });
  assert.equal(ab[0].diff, meanCI(diffs));
  assert.ok(ab[0].diff.hi < 0, 'KNN-Shapley valuation takes the pool away from zero-quality spam');
  const m = sweepMatrix(r, 'capturedShare');
  assert.equal(m.designs, ['pro-rata', 'knn']);
  assert.equal(m.attacks, ['spam', 'sybil']);
  assert.is(m.mean[1][0], r.rows[2].metrics.capturedShare.mean);
  assert.is(m.hi[0][1], r.rows[1].metrics.capturedShare.hi);
  assert.equal(m.n, [[3, 3], [3, 3]]);
});

test.run();
