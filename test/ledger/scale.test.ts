import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { setup, hash, type Fixture } from './fixture.ts';
import { computePayouts, closeAndSettle, RULE, TX_GAS_CAP, readPayees } from '../../lib/ledger/index.ts';
import { Rng } from '../../lib/util/index.ts';

const N = 5_000;
let fx: Fixture;
test.before(async () => { fx = await setup({ params: { dailyCap: 1 } }, 0); });
test.after(async () => { await fx.chain.close(); });

test(`${N} payees (a sybil flood) settle in pages, every transaction under the ${TX_GAS_CAP} gas cap, to the wei`, async () => {
  const rng = new Rng('scale');
  const ids = await fx.chain.fundedAccounts(N, 10n ** 18n, 'sybils');
  const regs = ids.map((a, i) => fx.ledger.registerTx(hash(`s${i}`), 1, 1, { from: a, gas: 300_000n }));
  await fx.chain.sendBatch(regs);
  assert.is(await fx.ledger.itemCount(), BigInt(N));
  // 50 items per event, 4 events per tx: ~14M gas for a tx whose 200 entries all open new payee slots
  const weights = Array.from({ length: N }, () => 1 + rng.int(1000));
  const txs = [];
  let pool = 0n;
  for (let start = 0; start < N; start += 200) {
    const evs = [];
    for (let e = 0; e < 4; e++) {
      const items = Array.from({ length: 50 }, (_, k) => start + e * 50 + k + 1);
      const fee = BigInt(rng.nextUint32()) * 10n ** 6n;
      pool += fee;
      evs.push({ fee, items, weights: items.map((it) => weights[it - 1]) });
    }
    txs.push(fx.ledger.logAttributionsTx(evs, { from: fx.owner, value: evs.reduce((s, e) => s + e.fee, 0n), gas: TX_GAS_CAP }));
  }
  const r2 = await fx.chain.sendBatch(txs, { receipts: true });
  const logGas = r2.receipts!.map((r) => r.gasUsed);
  assert.ok(r2.receipts!.every((r) => r.status === 1n));
  assert.ok(logGas.every((g) => g < TX_GAS_CAP), `max log tx ${logGas.reduce((a, b) => (b > a ? b : a))}`);

  await fx.ledger.setRule(RULE.SQRT, { from: fx.owner });
  const run = await closeAndSettle(fx.ledger, { from: fx.owner, pageSize: 500 });
  assert.is(run.payees, N);
  assert.equal([run.scorePages.length, run.sumPages.length], [10, 10]);
  assert.ok(run.maxTxGas < TX_GAS_CAP, `max settlement tx ${run.maxTxGas}`);
  console.log(`  ${N} payees: log tx max ${logGas.reduce((a, b) => (b > a ? b : a))} gas; settlement ${run.totalGas} gas total, max tx ${run.maxTxGas}, ` +
    `score page ${run.scorePages[1]} (${run.scorePages[1] / 500n}/payee), sum page ${run.sumPages[1]} (${run.sumPages[1] / 500n}/payee)`);

  const payees = await readPayees(fx.ledger, 0n);
  assert.equal(payees.map((p) => p.toLowerCase()), ids);
  const want = computePayouts(ids.map((id, i) => ({ id, usage: BigInt(weights[i]), volume: 0n, stake: 0n, reputationBps: 10_000n })), { rule: RULE.SQRT, pool });
  const info = await fx.ledger.epochOf(0);
  assert.equal([info.pool, info.totalScore, info.paidTotal], [pool, want.totalScore, pool - want.treasury]);
  assert.is(await fx.ledger.credits(fx.treasury), want.treasury);
  // Σ r_a computed on chain (paidTotal) equals rules.ts and the dust went to the treasury: the pool is
  // conserved to the wei. Claims are pulled by a random 500 of the payees (every claim is exercised in
  // settlement.test.ts); each gets exactly its rules.ts payout and the contract keeps the rest.
  const sample = new Rng('scale-claims').shuffle(ids.map((_, i) => i)).slice(0, 500).sort((x, y) => x - y);
  await fx.chain.sendBatch(sample.map((i) => fx.ledger.claimTx(0, { from: ids[i], gas: 100_000n })));
  const claims = await fx.ledger.events('Claimed');
  assert.is(claims.length, sample.length);
  let claimed = 0n;
  claims.forEach((c, k) => {
    assert.equal([(c.args.account as string).toLowerCase(), c.args.amount], [ids[sample[k]], want.payouts[sample[k]]]);
    claimed += c.args.amount as bigint;
  });
  assert.is(await fx.chain.balance(fx.ledger.address), pool - claimed);
  assert.is(want.payouts.reduce((a, b) => a + b, 0n) + want.treasury, pool);
});

test.run();
