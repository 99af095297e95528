// Issue 20, point 1: stake-weighted settlement reads stake as it was at closeEpoch, so stake moved between
// computeScores pages counts once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { setup, reverts, isolate, hash, ETH, type Fixture } from './fixture.ts';
import { computePayouts, RULE } from '../../lib/ledger/index.ts';

const WINDOW = 100;
let fx: Fixture;
let honest: string, attacker: string, sybil: string;
const iso = isolate(() => fx);
test.before(async () => {
  fx = await setup({ params: { dailyCap: 0, challengeWindow: WINDOW } }, 3);
  [attacker, honest, sybil] = fx.users;
  await fx.ledger.setRule(RULE.STAKE, { from: fx.owner });
  // payee order = first use: attacker (item 1), honest (item 2), the attacker's second identity (item 3)
  await fx.ledger.register(hash('a'), 1, 1, { from: attacker, value: ETH });
  await fx.ledger.register(hash('h'), 1, 1, { from: honest, value: ETH });
  await fx.ledger.register(hash('s'), 1, 1, { from: sybil });
  await fx.chain.increaseTime(WINDOW); // the attacker's stake may leave
});
test.after(async () => { await fx.chain.close(); });
test.before.each(iso.before);
test.after.each(iso.after);

const POOL = 6_000_000n;
const row = (id: string, stake: bigint) => ({ id, usage: 10n, volume: 0n, stake, reputationBps: 10_000n });

test('the audit\'s attack: 1 ETH moved to a second identity between score pages gets the honest split (1/2, not 2/3)', async () => {
  await fx.ledger.logAttributions([{ fee: POOL, items: [1, 2, 3], weights: [10, 10, 10] }], { from: fx.owner, value: POOL });
  await fx.ledger.closeEpoch({ from: fx.owner });
  await fx.ledger.computeScores(0, 1, { from: fx.owner }); // page 1: the attacker, 1 ETH
  await fx.ledger.withdrawStake(1, { from: attacker }); // the same ether …
  await fx.ledger.addStake(3, { from: sybil, value: ETH }); // … re-staked by the second identity
  assert.is(await fx.ledger.stakeOf(sybil), ETH, 'live stake moved');
  await fx.ledger.computeScores(0, 1, { from: fx.owner }); // page 2: honest
  await fx.ledger.computeScores(0, 1, { from: fx.owner }); // page 3: the second identity
  await fx.ledger.sumPayouts(0, 10, { from: fx.owner });
  const got = [await fx.ledger.payoutOf(0, attacker), await fx.ledger.payoutOf(0, honest), await fx.ledger.payoutOf(0, sybil)];
  const atClose = computePayouts([row(attacker, ETH), row(honest, ETH), row(sybil, 0n)], { rule: RULE.STAKE, pool: POOL });
  const live = computePayouts([row(attacker, ETH), row(honest, ETH), row(sybil, ETH)], { rule: RULE.STAKE, pool: POOL });
  assert.equal(got, atClose.payouts);
  assert.equal(got, [POOL / 2n, POOL / 2n, 0n], 'attacker 1/2, honest 1/2');
  assert.is(live.payouts[0] + live.payouts[2], (POOL * 2n) / 3n, 'what reading live stake paid the attacker (the audit\'s 2/3)');
  assert.is((await fx.ledger.epochOf(0)).totalScore, 20n);
  // the move counts from the next epoch on: the second identity's stake is live there
  await fx.ledger.logAttributions([{ fee: POOL, items: [1, 2, 3], weights: [10, 10, 10] }], { from: fx.owner, value: POOL });
  await fx.ledger.closeEpoch({ from: fx.owner });
  await fx.ledger.computeScores(1, 10, { from: fx.owner });
  assert.equal([await fx.ledger.payoutOf(1, attacker), await fx.ledger.payoutOf(1, honest), await fx.ledger.payoutOf(1, sybil)], [0n, POOL / 2n, POOL / 2n]);
});

test('a slash ruled while the epoch is being scored does not change its scores; it counts from the next epoch', async () => {
  await fx.ledger.setParams({ ...fx.params, dailyCap: 0, challengeWindow: 10 ** 6 }, { from: fx.owner });
  await fx.ledger.register(hash('h2'), 1, 1, { from: honest, value: 3n * ETH }); // item 4, window open
  await fx.ledger.logAttributions([{ fee: POOL, items: [1, 2], weights: [10, 10] }], { from: fx.owner, value: POOL });
  await fx.ledger.closeEpoch({ from: fx.owner });
  await fx.ledger.challenge(4, hash('bad'), { from: attacker, value: fx.params.challengeBond });
  await fx.ledger.resolve(1, true, { from: fx.owner });
  assert.is(await fx.ledger.stakeOf(honest), ETH);
  const ident = await fx.ledger.identityOf(honest);
  assert.equal([ident.stake, ident.prevStake, ident.stakeEpoch], [ETH, 4n * ETH, 1n], 'checkpoint holds the stake at close');
  await fx.ledger.computeScores(0, 10, { from: fx.owner });
  const want = computePayouts([row(attacker, ETH), row(honest, 4n * ETH)], { rule: RULE.STAKE, pool: POOL });
  assert.equal([await fx.ledger.payoutOf(0, attacker), await fx.ledger.payoutOf(0, honest)], want.payouts);
});

test('an epoch closes only after the one before it is scored (the checkpoint holds one past value)', async () => {
  await fx.ledger.logAttributions([{ fee: 5n, items: [1], weights: [1] }], { from: fx.owner, value: 5n });
  await fx.ledger.closeEpoch({ from: fx.owner });
  await reverts(fx.ledger.closeEpoch({ from: fx.owner }), 'WrongPhase', [0n, 2n, 1n], 'closeEpoch');
  await fx.ledger.computeScores(0, 10, { from: fx.owner });
  await fx.ledger.closeEpoch({ from: fx.owner }); // epoch 0 scored (claims open), its dust pass may still run
  assert.is(await fx.ledger.currentEpoch(), 2n);
  await fx.ledger.sumPayouts(0, 10, { from: fx.owner });
  // epoch 1 had no payees: scoring it settles it to the treasury, then epoch 2 may close
  await reverts(fx.ledger.closeEpoch({ from: fx.owner }), 'WrongPhase', [1n, 2n, 1n]);
  await fx.ledger.computeScores(1, 10, { from: fx.owner });
  await fx.ledger.closeEpoch({ from: fx.owner });
});

test('the checkpoint is written once per identity and epoch: the first stake change pays for it, later ones do not', async () => {
  await fx.ledger.closeEpoch({ from: fx.owner });
  await fx.ledger.computeScores(0, 1, { from: fx.owner });
  const first = await fx.ledger.addStake(2, { from: honest, value: 1n });
  const second = await fx.ledger.addStake(2, { from: honest, value: 1n });
  const ident = await fx.ledger.identityOf(honest);
  assert.equal([ident.stake, ident.prevStake, ident.stakeEpoch], [ETH + 2n, ETH, 1n]);
  // zero → non-zero for both checkpoint fields (one slot): 20,000 more than an update of the warm slot
  const extra = first.gasUsed - second.gasUsed;
  assert.ok(extra >= 19_000n && extra <= 23_000n, String(extra));
});

test.run();
