import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { setup, reverts, isolate, hash, ETH, ROLES, type Fixture } from './fixture.ts';
import { deployContract, ReentrantClaimer } from '../../lib/ledger/index.ts';

const BOND = 10n ** 17n;
let fx: Fixture;
const iso = isolate(() => fx);
test.before(async () => {
  fx = await setup({ params: { challengeWindow: 1000, challengeBond: BOND, slashBountyBps: 3_000, slashRepBps: 2_500 } });
  await fx.ledger.register(hash(1), 1, 1, { from: fx.users[0], value: 3n * ETH + 7n }); // item 1
  await fx.ledger.register(hash(2), 1, 1, { from: fx.users[0], value: 1n * ETH }); // item 2
});
test.after(async () => { await fx.chain.close(); });
test.before.each(iso.before);
test.after.each(iso.after);

test('upheld challenge: stake slashed 30% to challenger (+bond), rest to treasury; flagged; reputation cut', async () => {
  const [owner_, ch] = fx.users;
  const c = await fx.ledger.challenge(1, hash('duplicate'), { from: ch, value: BOND });
  assert.equal(fx.ledger.parseLogs(c)[0].args, { challengeId: 1n, itemId: 1n, challenger: fx.ledger.parseLogs(c)[0].args.challenger, bond: BOND, reason: hash('duplicate'), deadline: fx.ledger.parseLogs(c)[0].args.deadline });
  assert.is((await fx.ledger.challengeOf(1)).deadline, fx.ledger.parseLogs(c)[0].args.deadline as bigint);
  assert.is((await fx.ledger.itemOf(1)).challenged, true);
  await reverts(fx.ledger.withdrawStake(1, { from: owner_ }), 'ChallengeOpen', [1n]);
  const stake = 3n * ETH + 7n;
  const bounty = (stake * 3_000n) / 10_000n;
  const r = await fx.ledger.resolve(1, true, { from: fx.owner });
  const names = fx.ledger.parseLogs(r).map((l) => l.name);
  assert.equal(names, ['Credited', 'Credited', 'Credited', 'Slashed', 'ReputationChanged', 'ChallengeResolved']);
  assert.equal(fx.ledger.parseLogs(r)[3].args, { itemId: 1n, owner: fx.ledger.parseLogs(r)[3].args.owner, amount: stake, toChallenger: bounty, toTreasury: stake - bounty });
  assert.is(await fx.ledger.credits(ch), bounty + BOND);
  assert.is(await fx.ledger.credits(fx.treasury), stake - bounty);
  assert.is(await fx.ledger.stakeOf(owner_), 1n * ETH);
  assert.is(await fx.ledger.reputationOf(owner_), 7_500n);
  const it = await fx.ledger.itemOf(1);
  assert.equal([it.flagged, it.challenged, it.stake], [true, false, 0n]);
  assert.equal((await fx.ledger.challengeOf(1)).status, 2n);
  // pull the credits: exact amounts (base fee 0)
  const before = await fx.chain.balance(ch);
  const w = await fx.ledger.withdraw({ from: ch });
  assert.is(fx.ledger.parseLogs(w)[0].name, 'Withdrawn');
  assert.is(await fx.chain.balance(ch), before + bounty + BOND);
  await reverts(fx.ledger.withdraw({ from: ch }), 'NothingToWithdraw');
  // a flagged item cannot be challenged, staked on, or withdrawn from
  await reverts(fx.ledger.challenge(1, hash('x'), { from: ch, value: BOND }), 'ItemIsFlagged', [1n]);
  await reverts(fx.ledger.addStake(1, { from: owner_, value: 1n }), 'ItemIsFlagged', [1n]);
  await reverts(fx.ledger.withdrawStake(1, { from: owner_ }), 'ItemIsFlagged', [1n]);
  // a second slash compounds: 7500 · 0.75 = 5625
  await fx.ledger.challenge(2, hash('y'), { from: ch, value: BOND });
  await fx.ledger.resolve(2, true, { from: fx.owner });
  assert.is(await fx.ledger.reputationOf(owner_), 5_625n);
});

test('rejected challenge: bond goes to the contributor; item stays clean', async () => {
  const [owner_, ch] = fx.users;
  await fx.ledger.challenge(1, hash('spurious'), { from: ch, value: BOND });
  const r = await fx.ledger.resolve(1, false, { from: fx.owner });
  assert.equal(fx.ledger.parseLogs(r).map((l) => l.name), ['Credited', 'ChallengeResolved']);
  assert.is(await fx.ledger.credits(owner_), BOND);
  assert.is(await fx.ledger.credits(ch), 0n);
  const it = await fx.ledger.itemOf(1);
  assert.equal([it.flagged, it.challenged, it.stake], [false, false, 3n * ETH + 7n]);
  assert.is((await fx.ledger.challengeOf(1)).status, 3n);
  assert.is(await fx.ledger.reputationOf(owner_), 10_000n);
  await reverts(fx.ledger.resolve(1, true, { from: fx.owner }), 'ChallengeNotOpen', [1n]);
});

test('challenge/resolve reverts: self, bond, window, open, unknown, role', async () => {
  const [owner_, ch, other] = fx.users;
  await reverts(fx.ledger.challenge(1, hash('r'), { from: owner_, value: BOND }), 'SelfChallenge', [1n]);
  await reverts(fx.ledger.challenge(1, hash('r'), { from: ch, value: BOND - 1n }), 'WrongBond', [BOND - 1n, BOND]);
  await reverts(fx.ledger.challenge(9, hash('r'), { from: ch, value: BOND }), 'UnknownItem', [9n]);
  await fx.ledger.challenge(1, hash('r'), { from: ch, value: BOND });
  await reverts(fx.ledger.challenge(1, hash('r'), { from: other, value: BOND }), 'ChallengeOpen', [1n]);
  await reverts(fx.ledger.resolve(1, true, { from: ch }), 'Unauthorized', [ROLES.RESOLVER, ch], 'resolve');
  await reverts(fx.ledger.resolve(5, true, { from: fx.owner }), 'UnknownChallenge', [5n]);
  const reg = (await fx.ledger.itemOf(2)).registeredAt;
  await fx.chain.increaseTime(1000);
  await reverts(fx.ledger.challenge(2, hash('late'), { from: ch, value: BOND }), 'ChallengeWindowClosed', [2n, reg + 1000n]);
  // the resolver may still rule on a challenge opened inside the window
  await fx.ledger.resolve(1, true, { from: fx.owner });
});

test('withdraw is reentrancy-safe: a contract re-entering from receive() makes the payout revert', async () => {
  const { address } = await deployContract(fx.chain, 'ReentrantClaimer', [fx.ledger.address], fx.owner);
  const att = new ReentrantClaimer(fx.chain, address);
  await att.challenge(1, { from: fx.users[2], value: BOND });
  await fx.ledger.resolve(1, true, { from: fx.owner });
  const credit = (3n * ETH + 7n) * 3_000n / 10_000n + BOND;
  assert.is(await fx.ledger.credits(address), credit);
  await att.setMode(2, 0, { from: fx.users[2] });
  let cause: unknown;
  try { await att.withdraw({ from: fx.users[2] }); } catch (e) { cause = (e as Error).cause; }
  const e = fx.ledger.decodeError(cause, 'withdraw');
  assert.is(e.reason, 'TransferFailed');
  assert.equal([(e.args[0] as string).toLowerCase(), e.args[1]], [address.toLowerCase(), credit]);
  assert.is(await fx.ledger.credits(address), credit, 'state rolled back');
  await att.setMode(0, 0, { from: fx.users[2] });
  await att.withdraw({ from: fx.users[2] });
  assert.is(await fx.ledger.credits(address), 0n);
  assert.is(await fx.chain.balance(address), credit);
});

test.run();
