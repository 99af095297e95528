// Issue 20, point 4: decay never raises a reputation slashed below the floor; payee windows and settlement
// pages clamp any count; a payee that cannot receive ETH is paid through claimTo / withdrawTo.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { setup, reverts, isolate, hash, type Fixture } from './fixture.ts';
import { deployContract, RejectingPayee, RULE, decayReputation, slashReputation, closeAndSettle } from '../../lib/ledger/index.ts';

const MAX = 2n ** 256n - 1n;
let fx: Fixture;
const iso = isolate(() => fx);
test.before(async () => {
  fx = await setup({ params: { dailyCap: 0, challengeBond: 1n, slashRepBps: 9_500, decayBps: 500, slashBountyBps: 5_000 } }, 5);
});
test.after(async () => { await fx.chain.close(); });
test.before.each(iso.before);
test.after.each(iso.after);

test('a reputation slashed below the floor stays there after decay (it came back as max(floor, R − decay) = 1000)', async () => {
  const [a, b, ch] = fx.users;
  await fx.ledger.setRule(RULE.REPUTATION, { from: fx.owner });
  await fx.ledger.register(hash('a1'), 1, 1, { from: a }); // 1
  await fx.ledger.register(hash('a2'), 1, 1, { from: a }); // 2
  await fx.ledger.register(hash('b1'), 1, 1, { from: b }); // 3
  await fx.ledger.challenge(2, hash('bad'), { from: ch, value: 1n });
  await fx.ledger.resolve(1, true, { from: fx.owner });
  assert.is(await fx.ledger.reputationOf(a), 500n); // 10000 · 5%
  for (let e = 0; e < 2; e++) {
    await fx.ledger.logAttributions([{ fee: 1_000n, items: [1, 3], weights: [10, 10] }], { from: fx.owner, value: 1_000n });
    await closeAndSettle(fx.ledger, { from: fx.owner });
  }
  // a: 500 both epochs (score 10·500/10000 = 0 … and no rise); b: 10000 → 9500 → 9000
  assert.equal([await fx.ledger.reputationOf(a), await fx.ledger.reputationOf(b)], [500n, 9_000n]);
  assert.equal([(await fx.ledger.accountOf(1, a)).score, (await fx.ledger.accountOf(1, b)).score], [0n, 9n]);
  assert.is(decayReputation(500n, 500n), 500n);
  assert.is(decayReputation(slashReputation(10_000n, 9_500n), 500n), 500n);
  assert.is(decayReputation(1_000n, 500n), 1_000n);
  assert.is(decayReputation(1_200n, 500n), 1_000n, 'above the floor decay still stops at the floor');
});

test('payees(e, offset, count) clamps any offset and count, including 2^256 − 1', async () => {
  const us = fx.users.slice(0, 4);
  for (const [i, u] of us.entries()) await fx.ledger.register(hash(`p${i}`), 1, 1, { from: u });
  await fx.ledger.logAttributions([{ fee: 4n, items: [1, 2, 3, 4], weights: [1, 1, 1, 1] }], { from: fx.owner, value: 4n });
  const lc = (xs: string[]) => xs.map((x) => x.toLowerCase());
  assert.equal(lc(await fx.ledger.payees(0, 0, MAX)), us);
  assert.equal(lc(await fx.ledger.payees(0, 1, MAX)), us.slice(1));
  assert.equal(lc(await fx.ledger.payees(0, 3, MAX - 2n)), us.slice(3));
  assert.equal(await fx.ledger.payees(0, MAX, MAX), []);
  assert.equal(await fx.ledger.payees(0, MAX, 1), []);
  assert.equal(await fx.ledger.payees(0, 4, 1), []);
  assert.equal(await fx.ledger.payees(0, 2, 0), []);
  assert.equal(await fx.ledger.payees(MAX, 0, MAX), [], 'an epoch that does not exist has no payees');
  assert.equal(lc(await fx.ledger.payees(0, 1, 2)), us.slice(1, 3));
});

test('settlement pages clamp: computeScores / sumPayouts with 2^256 − 1, also after a partial page', async () => {
  const us = fx.users.slice(0, 4);
  for (const [i, u] of us.entries()) await fx.ledger.register(hash(`q${i}`), 1, 1, { from: u });
  await fx.ledger.logAttributions([{ fee: 1_003n, items: [1, 2, 3, 4], weights: [1, 2, 3, 4] }], { from: fx.owner, value: 1_003n });
  await fx.ledger.closeEpoch({ from: fx.owner });
  await fx.ledger.computeScores(0, 1, { from: fx.owner }); // cursor 1, then the rest in one huge page
  const s = await fx.ledger.computeScores(0, MAX, { from: fx.owner });
  assert.equal(fx.ledger.parseLogs(s)[0].args, { epoch: 0n, fromIndex: 1n, toIndex: 4n, totalScoreSoFar: 10n });
  const p = await fx.ledger.sumPayouts(0, MAX, { from: fx.owner });
  assert.equal(fx.ledger.parseLogs(p).map((l) => l.name), ['PayoutsSummed', 'Credited', 'EpochSettled']);
  assert.equal([(await fx.ledger.epochOf(0)).paidTotal, await fx.ledger.credits(fx.treasury)], [100n + 200n + 300n + 401n, 2n]);
});

test('a payee contract that rejects ETH cannot claim, but claimTo / withdrawTo pay another address', async () => {
  const [u, beneficiary] = fx.users;
  const { address } = await deployContract(fx.chain, 'RejectingPayee', [fx.ledger.address], fx.owner);
  const payee = new RejectingPayee(fx.chain, address);
  await payee.register(hash('rp'), 1, 1, { from: u }); // item 1, owned by the contract
  await fx.ledger.register(hash('victim'), 1, 1, { from: beneficiary, value: 1_000n }); // item 2
  await payee.challenge(2, { from: u, value: 1n }); // the contract also earns a credit (bounty + bond)
  await fx.ledger.resolve(1, true, { from: fx.owner });
  await fx.ledger.logAttributions([{ fee: 900n, items: [1], weights: [1] }], { from: fx.owner, value: 900n });
  await closeAndSettle(fx.ledger, { from: fx.owner });
  let cause: unknown;
  try { await payee.claim(0, { from: u }); } catch (e) { cause = (e as Error).cause; }
  const e = fx.ledger.decodeError(cause, 'claim');
  assert.equal([e.reason, (e.args[0] as string).toLowerCase(), e.args[1]], ['TransferFailed', address.toLowerCase(), 900n]);
  await reverts(fx.ledger.claimTo(0, '0x' + '00'.repeat(20), { from: u }), 'ZeroAddress', [], 'claimTo');
  const before = await fx.chain.balance(beneficiary);
  await payee.claimTo(0, beneficiary, { from: u });
  const claimed = (await fx.ledger.events('Claimed'))[0].args;
  assert.equal([(claimed.account as string).toLowerCase(), (claimed.to as string).toLowerCase(), claimed.amount], [address.toLowerCase(), beneficiary, 900n]);
  assert.is(await fx.chain.balance(beneficiary), before + 900n);
  assert.is((await fx.ledger.accountOf(0, address)).claimed, true);
  cause = undefined;
  try { await payee.claimTo(0, beneficiary, { from: u }); } catch (err) { cause = (err as Error).cause; }
  assert.is(fx.ledger.decodeError(cause, 'claimTo').reason, 'AlreadyClaimed', 'paid once');
  // credits: bounty 500 + bond 1
  assert.is(await fx.ledger.credits(address), 501n);
  cause = undefined;
  try { await payee.withdraw({ from: u }); } catch (err) { cause = (err as Error).cause; }
  assert.is(fx.ledger.decodeError(cause, 'withdraw').reason, 'TransferFailed');
  const w = await payee.withdrawTo(beneficiary, { from: u });
  const ev = fx.ledger.parseLogs(w)[0];
  assert.equal([ev.name, (ev.args.to as string).toLowerCase(), ev.args.amount], ['Withdrawn', beneficiary, 501n]);
  assert.equal([await fx.ledger.credits(address), await fx.chain.balance(beneficiary)], [0n, before + 900n + 501n]);
  assert.is(await fx.chain.balance(address), 0n);
  await reverts(fx.ledger.withdrawTo('0x' + '00'.repeat(20), { from: u }), 'ZeroAddress', [], 'withdrawTo');
});

test.run();
