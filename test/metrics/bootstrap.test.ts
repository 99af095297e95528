import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { bootstrapCI, pairedBootstrap, bootstrapIndices } from '../../lib/metrics/index.ts';
import { Rng } from '../../lib/util/index.ts';

test('seeded: same seed, same interval; different seed, different interval; 1000 resamples by default', () => {
  const xs = Array.from({ length: 50 }, (_, i) => (i * 37) % 11 / 10);
  const a = bootstrapCI(xs, { seed: 3 }), b = bootstrapCI(xs, { seed: 3 }), c = bootstrapCI(xs, { seed: 4 });
  assert.equal(a, b);
  assert.is(a.resamples, 1000);
  assert.is(a.level, 0.95);
  assert.ok(a.lo !== c.lo || a.hi !== c.hi);
  assert.ok(a.lo < a.mean && a.mean < a.hi);
});

test('constant data: zero-width interval at the value; one item: the item itself', () => {
  assert.equal(bootstrapCI([0.5, 0.5, 0.5], { resamples: 10 }), { mean: 0.5, lo: 0.5, hi: 0.5, level: 0.95, resamples: 10, n: 3 });
  assert.equal(bootstrapCI([0.7], { resamples: 5 }), { mean: 0.7, lo: 0.7, hi: 0.7, level: 0.95, resamples: 5, n: 1 });
  assert.throws(() => bootstrapCI([]), /at least one value/);
});

test('interval matches the normal-theory width for a large sample (sanity of the percentile method)', () => {
  const r = new Rng(9);
  const xs = Array.from({ length: 400 }, () => r.next());
  const ci = bootstrapCI(xs, { seed: 1 });
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  const sd = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1));
  const half = 1.96 * sd / Math.sqrt(xs.length);
  assert.ok(Math.abs((ci.hi - ci.lo) / 2 - half) / half < 0.15, `${(ci.hi - ci.lo) / 2} vs ${half}`);
});

test('resample indices are the documented sfc32 draws: rng.int(n) in order', () => {
  const idx = bootstrapIndices(4, 2, 7);
  const r = new Rng(7);
  assert.equal([...idx[0], ...idx[1]], Array.from({ length: 8 }, () => r.int(4)));
});

test('paired bootstrap: a constant improvement is detected with a tight interval', () => {
  const r = new Rng(2);
  const b = Array.from({ length: 200 }, () => r.next());
  const a = b.map((x) => x + 0.01);
  const p = pairedBootstrap(a, b, { seed: 5 });
  assert.ok(Math.abs(p.diff - 0.01) < 1e-12);
  assert.ok(Math.abs(p.lo - 0.01) < 1e-12 && Math.abs(p.hi - 0.01) < 1e-12); // per-item differences are all 0.01
  assert.is(p.pAGreater, 1);
  // unpaired intervals of the same data overlap heavily — pairing is what resolves the difference
  const ia = bootstrapCI(a, { seed: 5 }), ib = bootstrapCI(b, { seed: 5 });
  assert.ok(ia.lo < ib.hi);
  assert.throws(() => pairedBootstrap([1], [1, 2]), /equal lengths/);
});

test('paired bootstrap: no real difference → interval covers 0', () => {
  const r = new Rng(11);
  const a = Array.from({ length: 300 }, () => r.next());
  const b = Array.from({ length: 300 }, () => r.next());
  const p = pairedBootstrap(a, b, { seed: 1 });
  assert.ok(p.lo < 0 && p.hi > 0, `${p.lo} ${p.hi}`);
  assert.ok(p.pAGreater > 0.02 && p.pAGreater < 0.98);
});

test.run();
