import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { timeArms, ratioOf, roundSteps, roundBatchIds, timeRepeats, type Arm } from '../../lib/measure/index.ts';
import { FakeMachine } from '../helpers/fake-machine.ts';

/** Arms whose steps cost `ms[arm]` (plus a per-batch extra) on the fake machine, recording the batch ids they ran. */
function fakeArms(m: FakeMachine, ms: Record<string, number>): Arm[] {
  return Object.entries(ms).map(([name, cost]) => ({ name, step: () => m.advance(cost), work: () => 4 }));
}

test('each round runs every (arm, batch) once, in a seeded shuffled order that changes per round', () => {
  const r0 = roundSteps(3, 4, 7, 0), r1 = roundSteps(3, 4, 7, 1);
  assert.is(r0.length, 12);
  assert.equal(new Set(r0.map(([a, b]) => `${a}:${b}`)).size, 12);
  assert.equal(roundSteps(3, 4, 7, 0), r0, 'same seed and round: same order');
  assert.not.equal(r0, r1);
  assert.not.equal(roundSteps(3, 4, 7, 0, 1), r0, 'a re-run of a round gets a fresh order');
});

test('paired ratio of two arms: exact ratio, interval collapses, stops on the target', async () => {
  const m = new FakeMachine();
  const r = await timeArms(fakeArms(m, { a: 10, b: 30 }), {
    seed: 0, batches: 3, warmupRounds: 1, minRounds: 3, maxRounds: 20, lock: false, probe: m.probe(), ratios: [ratioOf('a', 'b')],
  });
  assert.is(r.stoppedBy, 'target');
  assert.is(r.rounds, 3);
  const iv = r.ratios['a/b']!.wall;
  assert.ok(Math.abs(iv.mean - 3) < 1e-12 && Math.abs(iv.lo - 3) < 1e-12 && Math.abs(iv.hi - 3) < 1e-12, JSON.stringify(iv));
  assert.ok(Math.abs(r.ratios['a/b']!.cpu.mean - 3) < 1e-12, 'CPU time gives the same ratio when the steps used all their wall time on CPU');
  const a = r.arms.find((x) => x.name === 'a')!;
  assert.ok(Math.abs(a.throughput.wall.mean - 12 / 0.03) < 1e-9, 'throughput = work (3 batches × 4) / 30 ms');
  assert.ok(Math.abs(a.stepMs.wall.mean - 10) < 1e-9);
  assert.equal(a.wallMs, [30, 30, 30]);
  assert.is(r.noise.status, 'quiet');
  assert.equal(r.noise.loadAvg.start, [0.25, 0.2, 0.1]);
});

test('the batch ids each arm runs per round are identical (recorded per step)', async () => {
  const m = new FakeMachine();
  const log: [string, number][] = [];
  const arms: Arm[] = ['x', 'y', 'z'].map((name) => ({ name, step: (b: number) => { log.push([name, b]); m.advance(5 + b); } }));
  const r = await timeArms(arms, { seed: 3, batches: 4, warmupRounds: 0, minRounds: 2, maxRounds: 2, lock: false, probe: m.probe(), ratios: [ratioOf('x', 'y')] });
  assert.is(r.rounds, 2);
  for (let round = 0; round < 2; round++) {
    const chunk = log.slice(round * 12, round * 12 + 12);
    for (const name of ['x', 'y', 'z']) assert.equal(chunk.filter(([n]) => n === name).map(([, b]) => b).sort(), [0, 1, 2, 3], `${name} round ${round}`);
    assert.equal(chunk, roundSteps(3, 4, 3, round).map(([a, b]) => [['x', 'y', 'z'][a]!, b]), 'the steps ran in the round\'s shuffled order');
  }
  // Batch-dependent cost is the same for every arm, so pairing cancels it: ratio x/y is exactly 1.
  assert.ok(Math.abs(r.ratios['x/y']!.wall.mean - 1) < 1e-12);
});

test('rotate: rounds take the pool\'s batch ids in turn, the same for every arm; warm-up takes the last; stops only after whole cycles', async () => {
  assert.equal([0, 1, 2, 3, -1].map((r) => roundBatchIds(2, 3, r)), [[0, 1], [2, 3], [4, 5], [0, 1], [4, 5]]);
  assert.equal(roundBatchIds(3, 1, 5), [0, 1, 2], 'rotate 1: the same ids every round');
  const m = new FakeMachine();
  const log: [string, number][] = [];
  // Batch b holds b + 1 samples and costs 10 ms per sample for x, 20 for y: every round's ratio is exactly 2.
  const arms: Arm[] = [['x', 10], ['y', 20]].map(([name, ms]) => ({ name: name as string, step: (b: number) => { log.push([name as string, b]); m.advance((ms as number) * (b + 1)); }, work: (b: number) => b + 1 }));
  const r = await timeArms(arms, { seed: 1, batches: 2, rotate: 3, warmupRounds: 1, minRounds: 2, maxRounds: 4, lock: false, probe: m.probe(), ratios: [ratioOf('y', 'x')] });
  assert.is(r.rounds, 3, 'the target is met at round 2, but the cycle ends at 3');
  assert.is(r.stoppedBy, 'target');
  assert.is(r.rotate, 3);
  const ids = (from: number) => ['x', 'y'].map((n) => log.slice(from, from + 4).filter(([a]) => a === n).map(([, b]) => b).sort());
  assert.equal(ids(0), [[4, 5], [4, 5]], 'warm-up: the last ids');
  assert.equal([4, 8, 12].map(ids), [[[0, 1], [0, 1]], [[2, 3], [2, 3]], [[4, 5], [4, 5]]]);
  assert.equal(r.arms[0]!.work, [3, 7, 11], 'work per round from that round\'s ids');
  assert.ok(Math.abs(r.arms[0]!.throughput.wall.mean - 100) < 1e-9, '10 ms per sample = 100 samples/s in every round');
  assert.ok(Math.abs(r.ratios['y/x']!.wall.mean - 0.5) < 1e-12);
  const capped = await timeArms(arms, { seed: 1, batches: 1, rotate: 4, warmupRounds: 0, minRounds: 2, maxRounds: 5, target: -1, lock: false, probe: m.probe() });
  assert.is(capped.rounds, 8, 'a round cap inside a cycle waits for its end');
  assert.is(capped.stoppedBy, 'max-rounds');
  const err = await timeArms(arms, { seed: 1, batches: 1, rotate: 0, lock: false, probe: m.probe() }).then(() => undefined, (e: Error) => e);
  assert.match(String(err?.message), /rotate must be a whole number/);
});

test('steps that time themselves (a child process) report wall and CPU; their CPU counts as ours for the guard', async () => {
  const m = new FakeMachine();
  const arms: Arm[] = [
    { name: 'ours', step: () => m.advance(20) },
    // The child's 40 ms of CPU show up as machine busy time but not in this process's CPU time.
    { name: 'child', step: () => { m.child(40); return { wallMs: 40, cpuMs: 40 }; } },
  ];
  const r = await timeArms(arms, { seed: 0, batches: 2, warmupRounds: 0, minRounds: 2, maxRounds: 2, lock: false, probe: m.probe(), ratios: [ratioOf('ours', 'child')] });
  assert.ok(Math.abs(r.ratios['ours/child']!.wall.mean - 2) < 1e-12);
  assert.ok(Math.abs(r.ratios['ours/child']!.cpu.mean - 2) < 1e-12);
  assert.is(r.noise.status, 'quiet', 'the child\'s CPU is not foreign load');
  assert.ok(r.noise.foreignCores!.max < 1e-9);
});

test('the guard re-runs a noisy round, keeps it when it stays noisy, and marks the cell noisy', async () => {
  const m = new FakeMachine();
  let calls = 0;
  const arms: Arm[] = [{ name: 'a', step: () => { calls++; m.advance(100); } }, { name: 'b', step: () => m.advance(200) }];
  m.foreignCores = 0.5;
  const r = await timeArms(arms, { seed: 0, batches: 1, warmupRounds: 0, minRounds: 2, maxRounds: 2, maxReruns: 2, lock: false, probe: m.probe(), ratios: [ratioOf('a', 'b')] });
  assert.is(r.rounds, 2);
  assert.is(r.reruns, 4, 'each of 2 rounds re-run twice');
  assert.is(calls, 6);
  assert.is(r.noise.status, 'noisy');
  assert.is(r.arms[0]!.status, 'noisy');
  assert.ok(Math.abs(r.noise.foreignCores!.median - 0.5) < 1e-9, String(r.noise.foreignCores?.median));
});

test('a noisy burst is re-run away: the kept round is quiet', async () => {
  const m = new FakeMachine();
  let n = 0;
  const arms: Arm[] = [{ name: 'a', step: () => { m.foreignCores = n++ === 0 ? 1 : 0; m.advance(100); } }];
  const r = await timeArms(arms, { seed: 0, batches: 1, warmupRounds: 0, minRounds: 2, maxRounds: 2, lock: false, probe: m.probe() });
  assert.is(r.reruns, 1);
  assert.is(r.noise.status, 'quiet');
  assert.is(r.noise.noisyRounds, 0);
});

test('steal above 2% is noisy; without /proc/stat the status is unknown', async () => {
  const m = new FakeMachine();
  m.stealShare = 0.05;
  const arms: Arm[] = [{ name: 'a', step: () => m.advance(100) }];
  const r = await timeArms(arms, { seed: 0, batches: 1, warmupRounds: 0, minRounds: 2, maxRounds: 2, maxReruns: 0, lock: false, probe: m.probe() });
  assert.is(r.noise.status, 'noisy');
  assert.ok(Math.abs(r.noise.stealMax! - 0.05) < 1e-9);
  const u = new FakeMachine();
  u.hasProcStat = false;
  const r2 = await timeArms([{ name: 'a', step: () => u.advance(100) }], { seed: 0, batches: 1, warmupRounds: 0, minRounds: 2, maxRounds: 2, lock: false, probe: u.probe() });
  assert.is(r2.noise.status, 'unknown');
  assert.is(r2.noise.foreignCores, null);
  assert.is(r2.arms[0]!.status, 'unknown');
});

test('adaptive stopping: a time cap stops rounds whose ratio stays wide, and says so', async () => {
  const m = new FakeMachine();
  let k = 0;
  const arms: Arm[] = [{ name: 'a', step: () => m.advance(k++ % 2 ? 10 : 30) }, { name: 'b', step: () => m.advance(20) }];
  const r = await timeArms(arms, { seed: 0, batches: 1, warmupRounds: 0, minRounds: 3, maxRounds: 1000, timeCapS: 1, lock: false, probe: m.probe(), ratios: [ratioOf('a', 'b')] });
  assert.is(r.stoppedBy, 'time-cap');
  assert.ok(r.seconds >= 1 && r.seconds < 1.1, String(r.seconds));
  assert.ok(r.ratios['a/b']!.halfWidth > 0.025);
  const capped = await timeArms(arms, { seed: 0, batches: 1, warmupRounds: 0, minRounds: 3, maxRounds: 5, timeCapS: 1e9, lock: false, probe: m.probe(), ratios: [ratioOf('a', 'b')] });
  assert.is(capped.stoppedBy, 'max-rounds');
  assert.is(capped.rounds, 5);
});

test('timeRepeats is the engine with one arm: warm-up runs, then one repeat per round, wall and CPU, a timing record', async () => {
  const m = new FakeMachine();
  let calls = 0;
  const t = await timeRepeats(() => { calls++; m.advance(10 + (calls % 3), 5); }, { warmup: 2, repeats: 4, probe: m.probe() });
  assert.is(calls, 6);
  assert.is(t.n, 4);
  assert.equal(t.samples, [10, 11, 12, 10], 'calls 3–6 after the 2 warm-up calls');
  assert.is(t.cpu!.median, 5);
  assert.is(t.timing!.rounds, 4);
  assert.is(t.timing!.stoppedBy, 'max-rounds');
});

test.run();
