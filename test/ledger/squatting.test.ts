// Issue 20, point 2: an upheld challenge frees the squatted content hash; commit-reveal registration
// cannot be front-run.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { id } from 'ethers';
import { setup, reverts, isolate, hash, type Fixture } from './fixture.ts';

const BOND = 10n ** 15n;
const REVEAL = 600;
let fx: Fixture;
let owner: string, squatter: string, other: string;
const iso = isolate(() => fx);
test.before(async () => {
  fx = await setup({ params: { dailyCap: 0, challengeBond: BOND, revealWindow: REVEAL } }, 3);
  [owner, squatter, other] = fx.users;
});
test.after(async () => { await fx.chain.close(); });
test.before.each(iso.before);
test.after.each(iso.after);

const H = hash('the-owners-data');
const SALT = id('salt-1');

test('an upheld challenge frees the hash: the real owner registers it; a rejected one does not', async () => {
  await fx.ledger.register(H, 10, 1, { from: squatter }); // item 1: the squatter got there first
  await reverts(fx.ledger.register(H, 10, 1, { from: owner }), 'DuplicateContent', [H, 1n]);
  await fx.ledger.challenge(1, hash('squatted'), { from: owner, value: BOND });
  await fx.ledger.resolve(1, false, { from: fx.owner });
  await reverts(fx.ledger.register(H, 10, 1, { from: owner }), 'DuplicateContent', [H, 1n]);
  assert.is(await fx.ledger.hashHolder(H), 1n);
  await fx.ledger.challenge(1, hash('squatted'), { from: owner, value: BOND });
  await fx.ledger.resolve(2, true, { from: fx.owner });
  assert.is(await fx.ledger.hashHolder(H), 0n, 'free once the holder is flagged');
  const r = await fx.ledger.register(H, 10, 1, { from: owner });
  assert.equal(fx.ledger.parseLogs(r)[0].args.isDuplicate, false);
  assert.equal([await fx.ledger.itemByHash(H), await fx.ledger.hashHolder(H)], [2n, 2n]);
  assert.is((await fx.ledger.itemOf(2)).owner.toLowerCase(), owner);
  // and it is held again: a third registrant is a duplicate
  await reverts(fx.ledger.register(H, 10, 1, { from: other }), 'DuplicateContent', [H, 2n]);
});

test('commit-reveal: a front-runner who registers the hash after the commitment loses it to the reveal', async () => {
  const c = await fx.ledger.commitmentOf(owner, H, 10, 1, SALT);
  const cr = await fx.ledger.commitRegistration(c, { from: owner });
  assert.equal(fx.ledger.parseLogs(cr)[0].args, { sender: fx.ledger.parseLogs(cr)[0].args.sender, commitment: c, number: 1n, itemCount: 0n });
  await fx.ledger.register(hash('unrelated'), 1, 1, { from: other }); // item 1
  // the reveal is in the mempool; the front-runner's copy lands first
  await fx.ledger.register(H, 10, 1, { from: squatter }); // item 2
  const r = await fx.ledger.revealRegistration(H, 10, 1, SALT, { from: owner, value: 5n });
  const logs = fx.ledger.parseLogs(r);
  assert.equal(logs.map((l) => l.name), ['HashReclaimed', 'ItemRegistered']);
  assert.equal(logs[0].args, { contentHash: H, fromItemId: 2n, toItemId: 3n });
  assert.equal([logs[1].args.itemId, logs[1].args.stake, logs[1].args.isDuplicate], [3n, 5n, false]);
  assert.equal([await fx.ledger.itemByHash(H), await fx.ledger.hashHolder(H)], [3n, 3n]);
  assert.is((await fx.ledger.itemOf(2)).isDuplicate, true, 'the front-runner\'s item is now a duplicate');
  assert.is(await fx.ledger.stakeOf(owner), 5n);
  // the commitment is spent
  await reverts(fx.ledger.revealRegistration(H, 10, 1, SALT, { from: owner }), 'UnknownCommitment', [c]);
});

test('commit-reveal: a holder registered before the commitment keeps the hash', async () => {
  await fx.ledger.register(H, 10, 1, { from: other }); // item 1, before any commitment
  await fx.ledger.commitRegistration(await fx.ledger.commitmentOf(owner, H, 10, 1, SALT), { from: owner });
  await reverts(fx.ledger.revealRegistration(H, 10, 1, SALT, { from: owner }), 'DuplicateContent', [H, 1n]);
});

test('commit-reveal: copying a commitment is useless; between two commitments the earlier wins whoever reveals first', async () => {
  const c = await fx.ledger.commitmentOf(owner, H, 10, 1, SALT);
  await fx.ledger.commitRegistration(c, { from: owner });
  // the squatter copies the bytes: its reveal hashes its own address, so there is nothing to reveal
  await fx.ledger.commitRegistration(c, { from: squatter });
  await reverts(fx.ledger.revealRegistration(H, 10, 1, SALT, { from: squatter }), 'UnknownCommitment');
  // a proper commitment made after the owner's, revealed first: the owner's reveal still takes the hash
  const salt2 = id('salt-2');
  await fx.ledger.commitRegistration(await fx.ledger.commitmentOf(squatter, H, 10, 1, salt2), { from: squatter });
  await fx.ledger.revealRegistration(H, 10, 1, salt2, { from: squatter }); // item 1, commitment #3
  const r = await fx.ledger.revealRegistration(H, 10, 1, SALT, { from: owner }); // commitment #1
  assert.equal(fx.ledger.parseLogs(r)[0].args, { contentHash: H, fromItemId: 1n, toItemId: 2n });
  // the reverse: an earlier commitment revealed first keeps the hash against a later one
  const H2 = hash('second');
  await fx.ledger.commitRegistration(await fx.ledger.commitmentOf(owner, H2, 1, 1, SALT), { from: owner }); // #4
  await fx.ledger.commitRegistration(await fx.ledger.commitmentOf(squatter, H2, 1, 1, SALT), { from: squatter }); // #5
  await fx.ledger.revealRegistration(H2, 1, 1, SALT, { from: owner }); // item 3
  await reverts(fx.ledger.revealRegistration(H2, 1, 1, SALT, { from: squatter }), 'DuplicateContent', [H2, 3n]);
});

test('commit-reveal: the reveal must match the commitment and come within revealWindow', async () => {
  await reverts(fx.ledger.commitRegistration('0x' + '00'.repeat(32), { from: owner }), 'ZeroContentHash', [], 'commitRegistration');
  const c = await fx.ledger.commitmentOf(owner, H, 10, 1, SALT);
  const cr = await fx.ledger.commitRegistration(c, { from: owner });
  const block = await fx.chain.request<{ timestamp: string }>('eth_getBlockByNumber', [`0x${cr.blockNumber.toString(16)}`, false]);
  const expires = BigInt(block.timestamp) + BigInt(REVEAL);
  await reverts(fx.ledger.revealRegistration(H, 11, 1, SALT, { from: owner }), 'UnknownCommitment', [await fx.ledger.commitmentOf(owner, H, 11, 1, SALT)]);
  await fx.chain.increaseTime(REVEAL + 1);
  await reverts(fx.ledger.revealRegistration(H, 10, 1, SALT, { from: owner }), 'CommitmentExpired', [c, expires]);
  // the registration checks of register() apply to a reveal too
  const c2 = await fx.ledger.commitmentOf(owner, H, 10, 9, SALT);
  await fx.ledger.commitRegistration(c2, { from: owner });
  await reverts(fx.ledger.revealRegistration(H, 10, 9, SALT, { from: owner }), 'UnknownDatanet', [9n]);
});

test('with duplicates allowed, a reveal takes the hash from a later holder; later copies stay duplicates', async () => {
  await fx.ledger.setParams({ ...fx.params, dailyCap: 0, challengeBond: BOND, revealWindow: REVEAL, allowDuplicates: true }, { from: fx.owner });
  await fx.ledger.commitRegistration(await fx.ledger.commitmentOf(owner, H, 10, 1, SALT), { from: owner });
  await fx.ledger.register(H, 10, 1, { from: squatter }); // item 1 holds
  await fx.ledger.register(H, 10, 1, { from: other }); // item 2, duplicate
  assert.is((await fx.ledger.itemOf(2)).isDuplicate, true);
  await fx.ledger.revealRegistration(H, 10, 1, SALT, { from: owner }); // item 3 takes it
  assert.equal([(await fx.ledger.itemOf(1)).isDuplicate, (await fx.ledger.itemOf(3)).isDuplicate, await fx.ledger.itemByHash(H)], [true, false, 3n]);
});

test.run();
