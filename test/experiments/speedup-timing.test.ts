// The speedup kind's timing: the paired decomposition against hand-computed cases, and the verdict withheld
// when a timed section stayed noisy.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { verdictOf, type SpeedupAggregate } from '../../lib/experiments/speedup/aggregate.ts';
import { pairedShares } from '../../lib/experiments/speedup/paired-shares.ts';
import { isPossibleInterval } from '../../lib/measure/index.ts';

const ln = Math.log;

test('paired shares, hand-computed: a round where everything slows down cancels', () => {
  // Fast cell 10 / 5 / 10 samples/s (round 2 is disturbed for every cell alike); padding halves, checkpoint ÷ 1.5.
  const logs = new Map([
    ['', [ln(10), ln(5), ln(10)]],
    ['padding', [ln(5), ln(2.5), ln(5)]],
    ['checkpoint', [ln(10 / 1.5), ln(5 / 1.5), ln(10 / 1.5)]],
    ['checkpoint+padding', [ln(10 / 3), ln(5 / 3), ln(10 / 3)]],
  ]);
  const d = pairedShares(['padding', 'checkpoint'], logs, 's');
  for (const [iv, want] of [[d.ratio, 3], [d.shapley.padding!, 2], [d.shapley.checkpoint!, 1.5], [d.main.padding!, 2], [d.interaction, 1]] as const) {
    assert.ok(Math.abs(iv.mean - want) < 1e-9 && Math.abs(iv.lo - want) < 1e-9 && Math.abs(iv.hi - want) < 1e-9, `${JSON.stringify(iv)} vs ${want}`);
  }
});

test('paired shares: Shapley values multiply exactly to the ratio, the ratio is the paired median, intervals are possible', () => {
  const r = (xs: number[]) => xs.map(ln);
  const logs = new Map([
    ['', r([10, 12, 9, 11, 10])],
    ['padding', r([4, 7, 5, 4.5, 6])],
    ['checkpoint', r([8, 7, 6, 9, 8])],
    ['checkpoint+padding', r([3, 3.5, 2, 4, 3.1])],
  ]);
  const d = pairedShares(['padding', 'checkpoint'], logs, 's');
  assert.ok(Math.abs(d.shapley.padding!.mean * d.shapley.checkpoint!.mean - d.ratio.mean) < 1e-12);
  // paired per-round ratios fast / slow: 10/3, 12/3.5, 9/2, 11/4, 10/3.1 = 3.33, 3.43, 4.5, 2.75, 3.23 → median 10/3
  assert.ok(Math.abs(d.ratio.mean - 10 / 3) < 1e-12, String(d.ratio.mean));
  for (const iv of [d.ratio, d.shapley.padding!, d.shapley.checkpoint!, d.interaction]) assert.ok(isPossibleInterval(iv), JSON.stringify(iv));
});

const agg = (quiet: 'quiet' | 'noisy' | 'unknown'): SpeedupAggregate => ({
  runs: [], factors: ['method', 'padding'], cells: [], quality: {}, paired: {}, verdict: '',
  ratio: { trained: { mean: 3, lo: 2.9, hi: 3.1, sd: 0.02, n: 4 }, factorial: { mean: 3, lo: 2.9, hi: 3.1, sd: 0.02, n: 4 } },
  shapley: { method: { mean: 1.2, lo: 1.1, hi: 1.3, sd: 0.01, n: 4 }, padding: { mean: 2.5, lo: 2.4, hi: 2.6, sd: 0.01, n: 4 } },
  timing: { basis: 'wall', threads: 1, quiet, noisyRuns: quiet === 'noisy' ? [1, 3] : [], foreignCoresMax: quiet === 'unknown' ? null : quiet === 'noisy' ? 0.97 : 0.03, stealMax: quiet === 'unknown' ? null : 0 },
});

test('a noisy timing withholds the speed verdict and says why; a quiet one says how it was timed', () => {
  const noisy = verdictOf(agg('noisy'));
  assert.match(noisy, /^No speed verdict: the timing of seed\(s\) 1, 3 stayed noisy after re-runs \(other processes' load up to 0\.97 cores/);
  assert.not.match(noisy, 'ran at 3.00×');
  assert.not.match(noisy, 'explains most of the gap');
  const quiet = verdictOf(agg('quiet'));
  assert.match(quiet, 'ran at 3.00× [2.90, 3.10]');
  assert.match(quiet, 'Timed on wall time at 1 thread(s)');
  assert.match(verdictOf(agg('unknown')), 'How quiet the machine was during timing is unknown');
});

test.run();
