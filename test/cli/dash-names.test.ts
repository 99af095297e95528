/**
 * Issue 27, low: a run whose name starts with "-" (experiment names may) could not be resumed —
 * `ledgerlab run --resume -x…` was refused as an ambiguous flag. A value after a flag that takes one is the
 * value unless it is one of the command's own flags; "--" still ends the flags.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerlab } from '../helpers/cli.ts';

const root = mkdtempSync(join(tmpdir(), 'll-dash-'));
const file = join(root, 'neg.json');
writeFileSync(file, JSON.stringify({
  kind: 'simulate', name: '-neg', seeds: [0],
  config: {
    world: { honest: 4, itemsPerHonest: 2, queriesPerEpoch: 10, epochs: 1 },
    designs: [{ name: 'pro-rata', rule: 'pro-rata' }],
    attacks: [{ type: 'wash', budgetEth: 0.1 }],
  },
}));

test('a run named "-neg…" is made, then resumed with --resume -neg…', () => {
  const first = ledgerlab(['run', file, '--root', root, '--json'], { env: { LEDGERLAB_QUIET: '1' } });
  assert.is(first.code, 0, first.stderr);
  const runId = JSON.parse(first.stdout).runs?.[0]?.runId ?? JSON.parse(first.stdout)[0]?.runId;
  assert.ok(typeof runId === 'string' && runId.startsWith('-neg'), first.stdout);
  // Interrupted runs are the ones --resume continues.
  const rec = join(root, runId, 'run.json');
  writeFileSync(rec, readFileSync(rec, 'utf8').replace('"status": "finished"', '"status": "interrupted"').replace('"status":"finished"', '"status":"interrupted"'));
  assert.match(readFileSync(rec, 'utf8'), /"status": ?"interrupted"/);
  const again = ledgerlab(['run', '--resume', runId, '--root', root, '--json'], { env: { LEDGERLAB_QUIET: '1' } });
  assert.is(again.code, 0, again.stderr);
  assert.not.match(again.stderr, /ambiguous/);
  assert.match(readFileSync(rec, 'utf8'), /"status": ?"finished"/);
});

test('a flag word after a flag that takes a value is still a flag: --resume --json is a usage error', () => {
  const r = ledgerlab(['run', '--resume', '--json']);
  assert.is(r.code, 2, r.stderr);
});

test.run();
