import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { timingLockPath, timeArms, waitWhileTiming } from '../../lib/measure/index.ts';
import { FakeMachine } from '../helpers/fake-machine.ts';

const holder = join(import.meta.dirname, '..', 'fixtures', 'timing-lock-holder.ts');

function hold(path: string, ms: number): Promise<{ start: number; end: number; waitMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [holder, path, String(ms)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`holder exited ${code}`))));
  });
}

test('two processes: their timed sections never overlap, and the second records its wait', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'll-lock-')), 'timing.lock');
  const [a, b] = await Promise.all([hold(path, 600), hold(path, 600)]);
  const [first, second] = a.start <= b.start ? [a, b] : [b, a];
  assert.ok(second.start >= first.end, `overlap: ${JSON.stringify([first, second])}`);
  assert.ok(second.waitMs >= 300, `the second waited ${second.waitMs} ms`);
});

test('the lock lives in the OS temp folder unless LEDGERLAB_TIMING_LOCK says otherwise; the engine records it', async () => {
  const saved = process.env.LEDGERLAB_TIMING_LOCK;
  delete process.env.LEDGERLAB_TIMING_LOCK;
  assert.is(timingLockPath(), join(tmpdir(), 'ledgerlab-timing.lock'));
  const path = join(mkdtempSync(join(tmpdir(), 'll-lock-')), 'timing.lock');
  process.env.LEDGERLAB_TIMING_LOCK = path;
  try {
    const m = new FakeMachine();
    const r = await timeArms([{ name: 'a', step: () => m.advance(10) }], { seed: 0, batches: 1, warmupRounds: 0, minRounds: 2, maxRounds: 2, probe: m.probe() });
    assert.is(r.lock!.path, path);
    assert.ok(r.lock!.waitMs >= 0);
  } finally {
    if (saved === undefined) delete process.env.LEDGERLAB_TIMING_LOCK;
    else process.env.LEDGERLAB_TIMING_LOCK = saved;
  }
});

test('untimed work waits while another process times, and not at all otherwise', async () => {
  const path = join(mkdtempSync(join(tmpdir(), 'll-lock-')), 'timing.lock');
  assert.ok((await waitWhileTiming({ path })) < 50, 'no lock: no wait');
  const held = hold(path, 800);
  while (!existsSync(path)) await new Promise((r) => setTimeout(r, 10));
  const waited = await waitWhileTiming({ path, pollMs: 20 });
  const h = await held;
  assert.ok(waited >= 300, `waited ${waited} ms`);
  assert.ok(Date.now() >= h.end, 'returned only after the timed section ended');
});

test.run();
