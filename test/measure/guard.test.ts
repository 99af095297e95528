import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseProcStat, judgeRound, cellStatus, logInterval, pairedLogRatios, relHalfWidth, isPossibleInterval } from '../../lib/measure/index.ts';

// Recorded on the 2-core development machine, one second apart, while other engineers' work ran.
const A = `cpu  21260 9683 12195 51052 420 0 189 183 0 0
cpu0 9825 5639 5423 26393 90 0 11 86 0 0
cpu1 11435 4043 6772 24659 329 0 177 96 0 0
intr 123 4 5
ctxt 99`;
const B = `cpu  21415 9683 12209 51080 420 0 189 183 0 0
cpu0 9913 5639 5431 26397 90 0 11 86 0 0
cpu1 11502 4043 6778 24682 329 0 177 96 0 0`;

test('parses /proc/stat: busy = user+nice+system+irq+softirq, steal apart, cores counted', () => {
  const a = parseProcStat(A)!;
  assert.equal(a, { busy: 21260 + 9683 + 12195 + 189, steal: 183, total: 21260 + 9683 + 12195 + 189 + 51052 + 420 + 183, cores: 2 });
  assert.is(parseProcStat('intr 1 2 3'), undefined);
});

test('guard on the recorded samples: 1.69 core-s busy in 1 s; foreign load = busy not ours', () => {
  const a = parseProcStat(A), b = parseProcStat(B);
  const mostlyOthers = judgeRound(a, b, { ourCpuMs: 500, wallMs: 1000 });
  assert.ok(Math.abs(mostlyOthers.foreignCores! - 1.19) < 1e-9, String(mostlyOthers.foreignCores));
  assert.is(mostlyOthers.steal, 0);
  assert.is(mostlyOthers.status, 'noisy');
  const ours = judgeRound(a, b, { ourCpuMs: 1650, wallMs: 1000 });
  assert.ok(Math.abs(ours.foreignCores! - 0.04) < 1e-9);
  assert.is(ours.status, 'quiet');
  // Our CPU above the machine's busy time (tick rounding) is no negative load.
  assert.is(judgeRound(a, b, { ourCpuMs: 1800, wallMs: 1000 }).foreignCores, 0);
  // A custom threshold.
  assert.is(judgeRound(a, b, { ourCpuMs: 1500, wallMs: 1000 }, { maxForeignCores: 0.25, maxSteal: 0.02 }).status, 'quiet');
});

test('guard: steal above 2% is noisy; a missing sample is unknown', () => {
  const a = parseProcStat(A)!;
  const b = parseProcStat(B.replace('cpu  21415 9683 12209 51080 420 0 189 183', 'cpu  21415 9683 12209 51080 420 0 189 193'))!;
  const r = judgeRound(a, b, { ourCpuMs: 1690, wallMs: 1000 });
  assert.ok(Math.abs(r.steal! - 10 / 207) < 1e-12, String(r.steal));
  assert.is(r.status, 'noisy');
  assert.equal(judgeRound(undefined, b, { ourCpuMs: 1, wallMs: 1 }), { foreignCores: null, steal: null, status: 'unknown' });
});

test('a cell is noisy when more than 20% of its kept rounds stayed noisy', () => {
  const q = { foreignCores: 0, steal: 0, status: 'quiet' as const }, n = { foreignCores: 1, steal: 0, status: 'noisy' as const };
  assert.is(cellStatus([q, q, q, q, n]), 'quiet');
  assert.is(cellStatus([q, q, q, n, n]), 'noisy');
  assert.is(cellStatus([q, { foreignCores: null, steal: null, status: 'unknown' }]), 'unknown');
  assert.is(cellStatus([]), 'unknown');
});

test('paired estimator, hand-computed: median of log-ratios, bootstrap interval of the median', () => {
  // With 3 values the bootstrap median is the smallest with P 7/27, the middle 13/27, the largest 7/27,
  // so the 2.5% and 97.5% quantiles are the smallest and largest values.
  const iv = logInterval([Math.log(1.5), Math.log(2), Math.log(4)], 'x');
  assert.ok(Math.abs(iv.mean - 2) < 1e-12 && Math.abs(iv.lo - 1.5) < 1e-12 && Math.abs(iv.hi - 4) < 1e-12, JSON.stringify(iv));
  assert.is(iv.n, 3);
  assert.equal(logInterval([Math.log(4)], 'x'), { mean: 4, lo: 4, hi: 4, level: 0.95, n: 1 });
  assert.ok(Number.isNaN(logInterval([], 'x').mean));
  // Paired per round: a/b round by round, so a round where both slowed down cancels.
  const ratios = pairedLogRatios([10, 20, 12], [5, 10, 6]).map(Math.exp);
  assert.ok(ratios.every((r) => Math.abs(r - 2) < 1e-12));
  assert.throws(() => pairedLogRatios([1], [1, 2]));
});

test('paired estimator: seeded (same seed, same interval), mirrored for the inverse ratio, never impossible', () => {
  const logs = [0.1, 0.3, -0.2, 0.5, 0.05, 0.9, -0.7, 0.2];
  const a = logInterval(logs, 's'), b = logInterval(logs, 's');
  assert.equal(a, b);
  const inv = logInterval(logs.map((x) => -x), 's');
  assert.ok(Math.abs(inv.mean * a.mean - 1) < 1e-12);
  // Wildly spread throughputs (the kind that gave "6.02 [−0.97, 13.01]"): still positive, lo ≤ mid ≤ hi.
  const wild = logInterval([0.5, 13, 6, 1, 9].map(Math.log), 'w');
  assert.ok(isPossibleInterval(wild), JSON.stringify(wild));
  assert.not.ok(isPossibleInterval({ mean: 6.02, lo: -0.97, hi: 13.01 }));
});

test('relative half-width on the log scale', () => {
  assert.ok(Math.abs(relHalfWidth({ mean: 2, lo: 2 / 1.05, hi: 2 * 1.05, n: 9 }) - 0.05) < 1e-12);
  assert.is(relHalfWidth({ mean: 2, lo: 2, hi: 2, n: 1 }), Infinity);
  assert.is(relHalfWidth({ mean: NaN, lo: NaN, hi: NaN, n: 0 }), Infinity);
});

test.run();
