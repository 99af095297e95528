// Issue 20, point 3: a challenge nobody rules on lapses at its deadline, so it cannot lock a stake forever
// (not even a free one, bond 0); the time windows are bounded so no arithmetic on them can overflow.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { setup, reverts, isolate, hash, ETH, type Fixture } from './fixture.ts';
import { deployLedger, type LedgerParams } from '../../lib/ledger/index.ts';

const CW = 1_000; // challenge window
const RW = 500; // resolve window
const MAX_WINDOW = 3650 * 86400;
let fx: Fixture;
let contributor: string, griefer: string;
const iso = isolate(() => fx);
const params = (p: Partial<LedgerParams>) => ({ ...fx.params, ...p });
test.before(async () => {
  fx = await setup({ params: { challengeBond: 0n, challengeWindow: CW, resolveWindow: RW } }, 2);
  [contributor, griefer] = fx.users;
  await fx.ledger.register(hash(1), 1, 1, { from: contributor, value: 2n * ETH }); // item 1
});
test.after(async () => { await fx.chain.close(); });
test.before.each(iso.before);
test.after.each(iso.after);

const timeOf = async (blockNumber: bigint) => BigInt((await fx.chain.request<{ timestamp: string }>('eth_getBlockByNumber', [`0x${blockNumber.toString(16)}`, false])).timestamp);

test('a free challenge nobody rules on lapses at its deadline; then the stake leaves', async () => {
  const reg = (await fx.ledger.itemOf(1)).registeredAt;
  const c = await fx.ledger.challenge(1, hash('grief'), { from: griefer, value: 0n });
  const deadline = (await timeOf(c.blockNumber)) + BigInt(RW);
  assert.is((await fx.ledger.challengeOf(1)).deadline, deadline);
  await reverts(fx.ledger.lapse(1, { from: contributor }), 'ResolutionPending', [1n, deadline], 'lapse');
  await fx.chain.increaseTime(CW);
  await reverts(fx.ledger.withdrawStake(1, { from: contributor }), 'ChallengeOpen', [1n]);
  // past the deadline the resolver can no longer rule, and anyone may lapse the challenge
  await reverts(fx.ledger.resolve(1, true, { from: fx.owner }), 'ResolutionDeadlinePassed', [1n, deadline]);
  const l = await fx.ledger.lapse(1, { from: griefer });
  assert.equal(fx.ledger.parseLogs(l).map((x) => [x.name, x.args.challengeId]), [['ChallengeLapsed', 1n]]);
  assert.equal([(await fx.ledger.challengeOf(1)).status, (await fx.ledger.itemOf(1)).challenged], [4n, false]);
  await reverts(fx.ledger.lapse(1, { from: griefer }), 'ChallengeNotOpen', [1n]);
  await reverts(fx.ledger.resolve(1, false, { from: fx.owner }), 'ChallengeNotOpen', [1n]);
  const before = await fx.chain.balance(contributor);
  await fx.ledger.withdrawStake(1, { from: contributor });
  assert.is(await fx.chain.balance(contributor), before + 2n * ETH);
  assert.ok(reg > 0n);
});

test('the lock is bounded: re-challenging at the last second of the window still frees the stake by registeredAt + challengeWindow + resolveWindow', async () => {
  const reg = (await fx.ledger.itemOf(1)).registeredAt;
  // the griefer challenges, the challenge lapses, and it challenges again just before the window closes
  await fx.ledger.challenge(1, hash('g1'), { from: griefer });
  await fx.chain.increaseTime(RW);
  await fx.ledger.lapse(1, { from: contributor });
  const now = await timeOf(await fx.chain.blockNumber());
  await fx.chain.request('evm_setNextBlockTimestamp', [`0x${(reg + BigInt(CW) - 1n).toString(16)}`]);
  assert.ok(reg + BigInt(CW) - 1n > now);
  const c = await fx.ledger.challenge(1, hash('g2'), { from: griefer });
  assert.is(await timeOf(c.blockNumber), reg + BigInt(CW) - 1n);
  await reverts(fx.ledger.challenge(1, hash('g3'), { from: fx.treasury }), 'ChallengeOpen', [1n]);
  await fx.chain.request('evm_setNextBlockTimestamp', [`0x${(reg + BigInt(CW + RW) - 1n).toString(16)}`]);
  await fx.ledger.lapse(2, { from: contributor });
  await fx.chain.mine();
  await reverts(fx.ledger.challenge(1, hash('g4'), { from: griefer }), 'ChallengeWindowClosed', [1n, reg + BigInt(CW)]);
  await fx.ledger.withdrawStake(1, { from: contributor });
  assert.is(await fx.ledger.stakeOf(contributor), 0n);
});

test('a lapsed challenge with a bond pays the bond to the contributor (the lock costs the challenger)', async () => {
  await fx.ledger.setParams(params({ challengeBond: 7n }), { from: fx.owner });
  await fx.ledger.challenge(1, hash('x'), { from: griefer, value: 7n });
  await fx.chain.increaseTime(RW);
  const l = await fx.ledger.lapse(1, { from: griefer });
  assert.equal(fx.ledger.parseLogs(l).map((x) => x.name), ['Credited', 'ChallengeLapsed']);
  assert.equal([await fx.ledger.credits(contributor), await fx.ledger.credits(griefer)], [7n, 0n]);
  // a ruling inside the deadline still works as before
  await fx.ledger.challenge(1, hash('y'), { from: griefer, value: 7n });
  await fx.chain.increaseTime(RW - 10);
  await fx.ledger.resolve(2, true, { from: fx.owner });
  assert.is((await fx.ledger.challengeOf(2)).status, 2n);
});

test('windows are bounded (ten years): larger or zero values are refused, the bound itself cannot overflow', async () => {
  for (const [k, v] of [['challengeWindow', 2n ** 64n - 1n], ['challengeWindow', BigInt(MAX_WINDOW + 1)], ['resolveWindow', BigInt(MAX_WINDOW + 1)], ['resolveWindow', 0n], ['revealWindow', 0n], ['revealWindow', BigInt(MAX_WINDOW + 1)]] as const) {
    await reverts(fx.ledger.setParams({ ...params({}), [k]: v } as never, { from: fx.owner }), 'InvalidParam', [k], 'setParams');
  }
  await fx.ledger.setParams(params({ challengeWindow: MAX_WINDOW, resolveWindow: MAX_WINDOW, revealWindow: MAX_WINDOW }), { from: fx.owner });
  const reg = (await fx.ledger.itemOf(1)).registeredAt;
  await reverts(fx.ledger.withdrawStake(1, { from: contributor }), 'ChallengeWindowOpen', [1n, reg + BigInt(MAX_WINDOW)]);
  const c = await fx.ledger.challenge(1, hash('late'), { from: griefer });
  assert.is((await fx.ledger.challengeOf(1)).deadline, (await timeOf(c.blockNumber)) + BigInt(MAX_WINDOW));
  await fx.chain.increaseTime(MAX_WINDOW);
  await fx.ledger.lapse(1, { from: contributor });
  await fx.ledger.withdrawStake(1, { from: contributor });
  // the constructor checks the same bounds
  await reverts(deployLedger(fx.chain, { params: { challengeWindow: MAX_WINDOW + 1 } }), 'InvalidParam', ['challengeWindow'], 'constructor');
});

test.run();
