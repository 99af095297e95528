// Change detection on planted series: a known drop at a known cycle must be found within the stated
// tolerance, and the same seeded noise without the drop must raise no alarm.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../lib/util/random.ts';
import { cusumDetect, bootstrapDetect, baselineStats, type CyclePoint } from '../../lib/experiments/drift/detect.ts';

/**
 * Stated tolerance: the alarm comes at most this many cycles after the planted onset, never before it
 * (drop = 5 points ≈ 1.8 σ of a cycle mean here). The change-point estimate (last cycle with S = 0) can lead
 * the onset when the statistic wanders above zero beforehand: within CHANGE_TOLERANCE either way.
 */
const TOLERANCE = 6;
const CHANGE_TOLERANCE = 8;

/**
 * A held-out ROUGE-L series like the drift runs produce: 24 fixed examples with their own level (item
 * effect), a small cycle-to-cycle model wobble, per-example noise, and optionally a drop of `drop` points
 * from cycle `at` on.
 */
function series(seed: number, cycles: number, at: number, drop: number): CyclePoint[] {
  const r = new Rng(`series:${seed}`);
  const items = Array.from({ length: 24 }, () => 40 + 12 * r.normal());
  return Array.from({ length: cycles }, (_, c) => {
    const wobble = 1.0 * r.normal();
    const values = items.map((m) => Math.max(0, m + wobble + 6 * r.normal() - (c >= at ? drop : 0)));
    return { cycle: c, mean: values.reduce((a, b) => a + b, 0) / values.length, values };
  });
}

const OPTS = { baseline: 8, k: 0.5, h: 5 };

test('CUSUM: a textbook case by hand', () => {
  const d = cusumDetect([50, 51, 49, 50, 50, 44, 43, 42].map((mean, cycle) => ({ cycle, mean })), { baseline: 4, k: 0.5, h: 4 });
  assert.is(d.mu, 50);
  assert.ok(Math.abs(d.sigma - Math.sqrt(2 / 3)) < 1e-12);
  assert.is(d.trace[0]!.value, 0);
  assert.ok(Math.abs(d.trace[1]!.value - (6 / Math.sqrt(2 / 3) - 0.5)) < 1e-12);
  assert.is(d.alarm, 5);
  assert.is(d.changePoint, 5);
});

test('CUSUM finds a planted drop within the tolerance, for several seeds and onsets', () => {
  for (const seed of [0, 1, 2, 3, 4]) {
    for (const at of [12, 30, 55]) {
      const d = cusumDetect(series(seed, 80, at, 5), OPTS);
      assert.ok(d.alarm !== undefined, `seed ${seed} onset ${at}: no alarm`);
      assert.ok(d.alarm! >= at && d.alarm! <= at + TOLERANCE, `seed ${seed} onset ${at}: alarm at ${d.alarm}`);
      assert.ok(Math.abs(d.changePoint! - at) <= CHANGE_TOLERANCE, `seed ${seed} onset ${at}: change point ${d.changePoint}`);
    }
  }
});

test('CUSUM: no false alarm on the same seeded series without the drop (150 cycles)', () => {
  for (const seed of [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) {
    const d = cusumDetect(series(seed, 150, Infinity, 0), OPTS);
    assert.is(d.alarm, undefined, `seed ${seed}: false alarm at ${d.alarm}`);
    assert.is(d.trace.length, 142);
  }
});

test('σ is the larger of the baseline spread and the per-cycle standard error', () => {
  const flat = [0, 1, 2].map((cycle) => ({ cycle, mean: 10, values: [0, 10, 20] }));
  const b = baselineStats(flat, 3);
  assert.is(b.mu, 10);
  assert.ok(Math.abs(b.sigma - 10 / Math.sqrt(3)) < 1e-12);
  assert.is(baselineStats([{ cycle: 0, mean: 1 }, { cycle: 1, mean: 1 }], 2).sigma, 1e-6);
});

test('paired bootstrap detector: planted drop found within the tolerance, stationary series silent', () => {
  for (const seed of [0, 1, 2, 3]) {
    const d = bootstrapDetect(series(seed, 50, 30, 5), { baseline: 8, persist: 3, resamples: 300, seed });
    assert.ok(d.alarm !== undefined && d.alarm >= 30 && d.alarm <= 30 + TOLERANCE, `seed ${seed}: alarm ${d.alarm}`);
    assert.ok(d.changePoint! >= 30 && d.changePoint! <= 30 + TOLERANCE);
    const quiet = bootstrapDetect(series(seed, 50, Infinity, 0), { baseline: 8, persist: 3, resamples: 300, seed });
    assert.is(quiet.alarm, undefined, `seed ${seed}: false alarm at ${quiet.alarm}`);
  }
});

test('bad input is a located error', () => {
  assert.throws(() => cusumDetect([{ cycle: 0, mean: 1 }, { cycle: 0, mean: 2 }], { baseline: 2, k: 0.5, h: 5 }), /cycles must be increasing/);
  assert.throws(() => cusumDetect([{ cycle: 0, mean: NaN }], { baseline: 2, k: 0.5, h: 5 }), /non-finite mean/);
  assert.throws(() => bootstrapDetect([{ cycle: 0, mean: 1, values: [1] }, { cycle: 1, mean: 1 }], { baseline: 2 }), /same examples every cycle/);
  assert.equal(cusumDetect([{ cycle: 0, mean: 1 }], { baseline: 2, k: 0.5, h: 5 }).trace, []);
});

test.run();
