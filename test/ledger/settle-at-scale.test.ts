// The streamed settlement path (settleAtScale: unfunded derived senders, chunks, small log blocks, gas from
// blocks) settles exactly like the old funded all-at-once path: same payees, same payouts to the wei (and
// equal to rules.ts), same settlement transactions and gas as measureSettlementCurve.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { id as keccakId } from 'ethers';
import {
  startInProcessChain, deployLedger, settleAtScale, measureSettlementCurve, closeAndSettle, readPayees, computePayouts,
  addressStream, RULE, TX_GAS_CAP, AttributionLedger, type LedgerChain,
} from '../../lib/ledger/index.ts';
import { benchSimulateCommand } from '../../lib/cli/commands/index.ts';
import { parseCommandArgs } from '../../lib/cli/args.ts';
import { LedgerLabError } from '../../lib/errors.ts';

// 1,100 payees: 3 chunks of 400 (the last partial, with a short event), 3 score + 3 sum pages of 500.
const N = 1_100;
let chain: LedgerChain;
test.before(async () => { chain = await startInProcessChain(); });
test.after(async () => { await chain.close(); });

/** The old path of bench simulate --evm-payees (measureSettlementCurve's steps) with its state kept. */
async function fundedAllAtOnce(n: number) {
  const { ledger, owner } = await deployLedger(chain, { params: { dailyCap: 0 } });
  const users = await chain.fundedAccounts(n, 10n ** 18n, `curve-${n}`);
  const reg = await chain.sendBatch(users.map((u, i) => ledger.registerTx(keccakId(`curve-${n}-${i}`), 1, 1, { from: u, gas: 300_000n })), { receipts: true });
  const first = (await ledger.itemCount()) - BigInt(n) + 1n;
  const txs = [];
  let pool = 0n;
  for (let s = 0; s < n; s += 200) {
    const evs = [];
    for (let e = s; e < Math.min(s + 200, n); e += 50) {
      const items = Array.from({ length: Math.min(50, n - e) }, (_, k) => first + BigInt(e + k));
      evs.push({ fee: 10n ** 12n, items, weights: items.map((_, k) => 1 + (k % 7)) });
      pool += 10n ** 12n;
    }
    txs.push(ledger.logAttributionsTx(evs, { from: owner, value: BigInt(evs.length) * 10n ** 12n, gas: TX_GAS_CAP }));
  }
  const logged = await chain.sendBatch(txs, { receipts: true });
  const gasOf = (rs: { gasUsed: bigint }[]) => rs.reduce((a, r) => a + r.gasUsed, 0n);
  const run = await closeAndSettle(ledger, { from: owner, pageSize: 500 });
  return { ledger, users, run, pool, regGas: gasOf(reg.receipts!), logGas: gasOf(logged.receipts!) };
}

test(`${N} payees: streamed path = funded all-at-once path, payouts to the wei, settlement gas unchanged`, async () => {
  const [curve] = await measureSettlementCurve(chain, [N], { pageSize: 500 });
  const snap = await chain.snapshot();
  const old = await fundedAllAtOnce(N);
  const oldPayouts = await Promise.all(old.users.map((u) => old.ledger.payoutOf(old.run.epoch, u)));
  await chain.revert(snap);

  const lines: string[] = [];
  const s = await settleAtScale(chain, N, { pageSize: 500, chunk: 400, log: (l) => lines.push(l) });
  const ledger = new AttributionLedger(chain, s.ledgerAddress);
  const users = Array.from({ length: N }, addressStream(`curve-${N}`));
  assert.equal(users, old.users, 'derived senders are the funded path\'s addresses');
  assert.equal((await readPayees(ledger, s.epoch)).map((p) => p.toLowerCase()), users);
  const payouts = await Promise.all(users.map((u) => ledger.payoutOf(s.epoch, u)));
  assert.equal(payouts, oldPayouts);
  // and both equal the off-chain twin: usage = the item's weight 1 + (k mod 7) within its event of 50
  const want = computePayouts(users.map((id, i) => ({ id, usage: BigInt(1 + ((i % 50) % 7)), volume: 0n, stake: 0n, reputationBps: 10_000n })), { rule: RULE.PRO_RATA, pool: old.pool });
  assert.equal(payouts, want.payouts);
  assert.is((await ledger.epochOf(s.epoch)).paidTotal, old.pool - want.treasury);

  assert.equal(
    [s.settlement.transactions, s.settlement.gas, s.settlement.maxTxGas, s.settlement.closeGas, s.settlement.scorePages, s.settlement.sumPages],
    [curve.transactions, curve.totalGas, curve.maxTxGas, curve.closeGas, 3, 3],
  );
  assert.equal([old.run.totalGas, old.run.maxTxGas], [curve.totalGas, curve.maxTxGas]);
  assert.is(s.settlement.gasPerPayee, curve.totalGas / BigInt(N));
  // per-phase counts from the mined blocks: one registration per payee; 200 entries per log tx
  assert.equal([s.registration.transactions, s.logging.transactions, s.logging.events], [N, 6, 22]);
  // gas summed from the blocks = the old path's receipts, registration and logging alike
  assert.equal([s.registration.gas, s.logging.gas], [old.regGas, old.logGas]);
  assert.is(s.logging.gas / BigInt(N), curve.logGasPerEntry);
  assert.equal(s.samples.map((x) => x.payees), [400, 800, 1100]);
  assert.is(lines.length, 3);
  assert.is(s.chain, 'in-process');
  assert.is(s.chainPeakRssBytes, undefined);
  assert.ok(s.peakRssBytes > 0 && s.loadAverage.length === 3);
});

test('bench simulate --evm-payees --json: per-phase transactions and gas; --evm-node needs --evm-payees', async () => {
  const out: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => out.push(a.join(' '));
  try {
    await benchSimulateCommand.run(parseCommandArgs(benchSimulateCommand, ['--items', '200', '--identities', '20', '--queries', '100', '--evm-payees', '250', '--json']));
  } finally {
    console.log = log;
  }
  const e = JSON.parse(out.join('\n')).evm;
  assert.equal([e.payees, e.chain, e.registrations.transactions, e.logging.transactions, e.logging.events, e.settlement.transactions], [250, 'in-process', 250, 2, 5, 3]);
  assert.equal([e.transactions, e.gas], [e.settlement.transactions, e.settlement.gas]);
  assert.is(e.gasPerPayee, Math.floor(e.gas / 250));
  assert.ok(e.maxTxGas > 0 && e.maxTxGas < Number(TX_GAS_CAP) && e.peakRssBytes > 0 && e.seconds > 0);
  try {
    await benchSimulateCommand.run(parseCommandArgs(benchSimulateCommand, ['--items', '200', '--identities', '20', '--evm-node']));
    assert.unreachable('--evm-node alone');
  } catch (err) {
    assert.instance(err, LedgerLabError);
    assert.is((err as LedgerLabError).where, '--evm-node');
  }
});

test.run();
