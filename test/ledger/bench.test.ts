import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GasReport, formatGasTable, runLedgerBench, formatLedgerBench, ledgerBenchJson } from '../../lib/ledger/index.ts';
import { ledgerBenchCommand } from '../../lib/cli/commands/index.ts';
import { parseCommandArgs } from '../../lib/cli/args.ts';
import { LedgerLabError } from '../../lib/errors.ts';

test('GasReport: count, min, mean (floor), max, total per function', () => {
  const g = new GasReport();
  for (const x of [10n, 20n, 31n]) g.add('a', x);
  g.add('b', 5n);
  assert.equal(g.rows(), [
    { fn: 'a', calls: 3, total: 61n, mean: 20n, min: 10n, max: 31n },
    { fn: 'b', calls: 1, total: 5n, mean: 5n, min: 5n, max: 5n },
  ]);
  assert.match(formatGasTable(g.rows(), { a: 'note' }), /^a\s+3\s+10\s+20\s+31\s+note$/m);
});

test('ledger bench usage errors name the flag', async () => {
  for (const [argv, where] of [[['--rule', 'bogus'], '--rule'], [['--curve', '5,x'], '--curve'], [['--events', '0'], '--events']] as const) {
    try {
      await ledgerBenchCommand.run(parseCommandArgs(ledgerBenchCommand, [...argv]));
      assert.unreachable(argv.join(' '));
    } catch (e) {
      assert.instance(e, LedgerLabError);
      assert.is((e as LedgerLabError).kind, 'usage');
      assert.is((e as LedgerLabError).where, where);
    }
  }
});

test('a small bench run: every phase, gas rows, settlement and curve are reported; JSON is plain', async () => {
  const r = await runLedgerBench({ contributions: 40, accounts: 8, events: 30, eventsPerTx: 10, round: 16, pageSize: 3, rule: 3, curve: [5], sampleEvery: 1 });
  assert.equal(r.phases.map((p) => [p.name, p.txs]), [['register', 40], ['logAttributions (10 events/tx)', 3], ['claim', 8]]);
  assert.equal(r.gas.map((g) => [g.fn, g.calls]), [['register', 40], ['logAttributions[10]', 3], ['closeEpoch', 1], ['computeScores[3]', 3], ['sumPayouts[3]', 3], ['claim', 8]]);
  assert.is(r.settlement.payees, 8);
  assert.is(r.settlement.pages, 6);
  assert.equal(r.curve.map((p) => [p.payees, p.events, p.transactions]), [[5, 1, 5]]);
  assert.ok(r.phases.every((p) => p.txPerSec > 0 && p.cpuSeconds > 0));
  const text = formatLedgerBench(r);
  assert.match(text, /settlement of 8 payees: \d+ gas in 7 tx/);
  const json = ledgerBenchJson(r) as { gas: { fn: string; mean: number }[]; deployGas: number };
  assert.is(typeof json.deployGas, 'number');
  assert.is(JSON.parse(JSON.stringify(json)).gas[0].fn, 'register');
});

test.run();
