// `ledgerlab bench noise` through the real CLI, briefly: the report's fields and its one-line verdict. The machine's
// actual state is never asserted (tests run beside other work); the verdict logic is tested in test/measure/noise.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ledgerlab } from '../helpers/cli.ts';

test('bench noise --json: spread, foreign load, steal, load average and a verdict', () => {
  const r = ledgerlab(['bench', 'noise', '--seconds', '1', '--json']);
  assert.is(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.ok(j.rounds >= 3, String(j.rounds));
  assert.type(j.spread, 'number');
  assert.ok(j.kernelMs.median > 0);
  assert.ok(Array.isArray(j.loadAvg.start) && Array.isArray(j.loadAvg.end));
  assert.match(j.verdict, /^fit for timing: (yes|no|unknown) \(/);
});

test('bench noise prints the verdict as its last line', () => {
  const r = ledgerlab(['bench', 'noise', '--seconds', '1']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout.trim().split('\n').at(-1)!, /^fit for timing: (yes|no|unknown) \(/);
});

test.run();
