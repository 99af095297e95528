import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { timeArms, noiseVerdict, fixedKernel } from '../../lib/measure/index.ts';
import { FakeMachine } from '../helpers/fake-machine.ts';

async function recorded(m: FakeMachine, stepMs: (i: number) => number) {
  let i = 0;
  return timeArms([{ name: 'kernel', step: () => m.advance(stepMs(i++)) }], {
    seed: 'noise', batches: 8, warmupRounds: 0, minRounds: 3, maxRounds: 20, target: -1, maxReruns: 0, lock: false, probe: m.probe(),
  });
}

test('quiet machine, steady kernel: fit for timing: yes', async () => {
  const v = noiseVerdict(await recorded(new FakeMachine(), () => 17));
  assert.is(v.fit, true);
  assert.is(v.spread, 0);
  assert.is(v.kernelMs.median, 17);
  assert.match(v.verdict, /^fit for timing: yes \(spread 0\.0%, foreign load 0\.00 cores, steal 0\.0%\)$/);
});

test('another process on the other core: fit for timing: no, naming the foreign load', async () => {
  const m = new FakeMachine();
  m.foreignCores = 0.95;
  const v = noiseVerdict(await recorded(m, () => 17));
  assert.is(v.fit, false);
  assert.match(v.verdict, /^fit for timing: no \(foreign load 0\.95 cores > 0\.1 in 20 of 20 rounds\)$/);
});

test('a kernel whose time moves: no (spread); without /proc/stat: unknown', async () => {
  const v = noiseVerdict(await recorded(new FakeMachine(), (i) => (Math.floor(i / 8) % 2 ? 17 : 25)));
  assert.is(v.fit, false);
  assert.match(v.verdict, /kernel spread \d+\.\d% > 15%/);
  const u = new FakeMachine();
  u.hasProcStat = false;
  const w = noiseVerdict(await recorded(u, () => 17));
  assert.is(w.fit, null);
  assert.match(w.verdict, /^fit for timing: unknown/);
});

test('the fixed kernel is deterministic', () => {
  assert.is(fixedKernel()(), fixedKernel()());
});

test.run();
