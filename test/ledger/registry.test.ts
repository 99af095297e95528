import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { setup, reverts, isolate, hash, ETH, ROLES, DEFAULT_PARAMS, paramsTupleFor, type Fixture } from './fixture.ts';
import { isqrt } from '../../lib/ledger/rules.ts';
import { Rng } from '../../lib/util/index.ts';

let fx: Fixture;
const iso = isolate(() => fx);
test.before(async () => { fx = await setup({ params: { dailyCap: 3, challengeWindow: 1000 } }); });
test.after(async () => { await fx.chain.close(); });
test.before.each(iso.before);
test.after.each(iso.after);

test('register stores the item, emits ItemRegistered and accumulates stake', async () => {
  const [a] = fx.users;
  const r = await fx.ledger.register(hash(1), 2048, 1, { from: a, value: 3n * ETH });
  const logs = fx.ledger.parseLogs(r);
  assert.is(logs.length, 1);
  assert.is(logs[0].name, 'ItemRegistered');
  assert.equal(logs[0].args, { itemId: 1n, owner: logs[0].args.owner, datanetId: 1n, contentHash: hash(1), size: 2048n, stake: 3n * ETH, isDuplicate: false });
  assert.is((logs[0].args.owner as string).toLowerCase(), a);
  const it = await fx.ledger.itemOf(1);
  // contentHash and size are not stored: the event above carries them, and itemByHash proves the hash
  assert.equal({ ...it, owner: it.owner.toLowerCase() }, { owner: a, registeredAt: it.registeredAt, datanetId: 1n, flagged: false, isDuplicate: false, challenged: false, stake: 3n * ETH });
  const block = await fx.chain.request<{ timestamp: string }>('eth_getBlockByNumber', [`0x${r.blockNumber.toString(16)}`, false]);
  assert.is(it.registeredAt, BigInt(block.timestamp));
  assert.is(await fx.ledger.stakeOf(a), 3n * ETH);
  assert.is(await fx.ledger.itemCount(), 1n);
  assert.is(await fx.ledger.itemByHash(hash(1)), 1n);
  assert.is(await fx.chain.balance(fx.ledger.address), 3n * ETH);
});

test('an unstaked item is one storage slot (owner, registeredAt, datanetId, flags); a stake adds the second', async () => {
  const [a] = fx.users;
  await fx.ledger.register(hash(1), 5, 1, { from: a }); // the identity's first: its slot goes zero → non-zero
  const r0 = await fx.ledger.register(hash(2), 5, 1, { from: a });
  const r1 = await fx.ledger.register(hash(3), 5, 1, { from: a, value: 7n });
  // the staked registration pays for the stake slot (zero → non-zero: 22,100 cold), and reads the
  // identity's stake checkpoint and currentEpoch (2,100 cold each; in epoch 0 there is nothing to
  // checkpoint, see stake-snapshot.test.ts for the write) and little else: the identity's stake sum
  // shares the identity slot already written for the daily count
  const extra = r1.gasUsed - r0.gasUsed;
  assert.ok(extra >= 26_300n && extra < 28_000n, String(extra));
  assert.is((await fx.ledger.itemOf(2)).stake, 0n);
  assert.is((await fx.ledger.itemOf(3)).stake, 7n);
  assert.is(await fx.ledger.stakeOf(a), 7n);
});

test('register input checks: zero hash, zero size, unknown datanet, stake below minimum', async () => {
  const [a] = fx.users;
  await reverts(fx.ledger.register('0x' + '00'.repeat(32), 1, 1, { from: a }), 'ZeroContentHash', [], 'register');
  await reverts(fx.ledger.register(hash(1), 0, 1, { from: a }), 'ZeroSize');
  await reverts(fx.ledger.register(hash(1), 1, 0, { from: a }), 'UnknownDatanet', [0n]);
  await reverts(fx.ledger.register(hash(1), 1, 2, { from: a }), 'UnknownDatanet', [2n]);
  await fx.ledger.setParams(paramsTupleFor({ ...DEFAULT_PARAMS, minStake: 5n }), { from: fx.owner });
  await reverts(fx.ledger.register(hash(1), 1, 1, { from: a, value: 4n }), 'StakeTooLow', [4n, 5n]);
  await fx.ledger.register(hash(1), 1, 1, { from: a, value: 5n });
});

test('duplicate content reverts by default; accepted and marked isDuplicate when allowed', async () => {
  const [a, b] = fx.users;
  await fx.ledger.register(hash(7), 10, 1, { from: a });
  await reverts(fx.ledger.register(hash(7), 10, 1, { from: b }), 'DuplicateContent', [hash(7), 1n]);
  await fx.ledger.setParams(paramsTupleFor({ ...DEFAULT_PARAMS, dailyCap: 3, allowDuplicates: true }), { from: fx.owner });
  const r = await fx.ledger.register(hash(7), 10, 1, { from: b });
  assert.is(fx.ledger.parseLogs(r)[0].args.isDuplicate, true);
  assert.is((await fx.ledger.itemOf(2)).isDuplicate, true);
  assert.is(await fx.ledger.itemByHash(hash(7)), 1n, 'the first registrant keeps the hash');
});

test('daily cap: 3 per identity per UTC day, per identity, resets the next day', async () => {
  const [a, b] = fx.users;
  for (let i = 0; i < 3; i++) await fx.ledger.register(hash(`a${i}`), 1, 1, { from: a });
  const e = await reverts(fx.ledger.register(hash('a3'), 1, 1, { from: a }), 'DailyCapExceeded');
  assert.is((e.args[0] as string).toLowerCase(), a);
  assert.is(e.args[2], 3n);
  await fx.ledger.register(hash('b0'), 1, 1, { from: b });
  await fx.chain.increaseTime(86_400);
  await fx.ledger.register(hash('a3'), 1, 1, { from: a });
  assert.is((await fx.ledger.identityOf(a)).dayCount, 1n);
  await fx.ledger.setParams(paramsTupleFor({ ...DEFAULT_PARAMS, dailyCap: 0 }), { from: fx.owner });
  for (let i = 4; i < 9; i++) await fx.ledger.register(hash(`a${i}`), 1, 1, { from: a });
});

test('addStake: owner only, non-zero, not flagged; emits StakeAdded', async () => {
  const [a, b] = fx.users;
  await fx.ledger.register(hash(1), 1, 1, { from: a, value: 1n });
  await reverts(fx.ledger.addStake(1, { from: b, value: 1n }), 'NotItemOwner', [1n, b]);
  await reverts(fx.ledger.addStake(1, { from: a }), 'ZeroValue');
  await reverts(fx.ledger.addStake(9, { from: a, value: 1n }), 'UnknownItem', [9n]);
  const r = await fx.ledger.addStake(1, { from: a, value: 4n });
  assert.equal(fx.ledger.parseLogs(r)[0].args, { itemId: 1n, owner: fx.ledger.parseLogs(r)[0].args.owner, amount: 4n, itemStake: 5n });
  assert.is(await fx.ledger.stakeOf(a), 5n);
});

test('withdrawStake: owner only, after the window, pays back exactly', async () => {
  const [a, b] = fx.users;
  await fx.ledger.register(hash(1), 1, 1, { from: a, value: 2n * ETH });
  const reg = (await fx.ledger.itemOf(1)).registeredAt;
  await reverts(fx.ledger.withdrawStake(1, { from: b }), 'NotItemOwner');
  await reverts(fx.ledger.withdrawStake(1, { from: a }), 'ChallengeWindowOpen', [1n, reg + 1000n]);
  await fx.chain.increaseTime(1000);
  const before = await fx.chain.balance(a);
  const r = await fx.ledger.withdrawStake(1, { from: a });
  assert.is(fx.ledger.parseLogs(r)[0].name, 'StakeWithdrawn');
  assert.is(await fx.chain.balance(a), before + 2n * ETH, 'base fee is 0, so exact');
  assert.is(await fx.ledger.stakeOf(a), 0n);
  await reverts(fx.ledger.withdrawStake(1, { from: a }), 'NothingToWithdraw');
});

test('admin functions: owner-only, zero-address checks, param bounds, role grant/revoke events', async () => {
  const [a, b] = fx.users;
  const p = paramsTupleFor(DEFAULT_PARAMS);
  await reverts(fx.ledger.setParams(p, { from: a }), 'NotOwner', [a]);
  await reverts(fx.ledger.setTreasury(b, { from: a }), 'NotOwner', [a]);
  await reverts(fx.ledger.grantRole(ROLES.RESOLVER, a, { from: a }), 'NotOwner', [a]);
  await reverts(fx.ledger.revokeRole(ROLES.RESOLVER, fx.owner, { from: a }), 'NotOwner', [a]);
  await reverts(fx.ledger.transferOwnership(a, { from: a }), 'NotOwner', [a]);
  await reverts(fx.ledger.setRule(1, { from: a }), 'NotOwner', [a]);
  await reverts(fx.ledger.setTreasury('0x' + '00'.repeat(20), { from: fx.owner }), 'ZeroAddress');
  await reverts(fx.ledger.grantRole(ROLES.RESOLVER, '0x' + '00'.repeat(20), { from: fx.owner }), 'ZeroAddress');
  await reverts(fx.ledger.transferOwnership('0x' + '00'.repeat(20), { from: fx.owner }), 'ZeroAddress');
  for (const k of ['slashBountyBps', 'slashRepBps', 'decayBps'] as const) {
    await reverts(fx.ledger.setParams(paramsTupleFor({ ...DEFAULT_PARAMS, [k]: 10_001 }), { from: fx.owner }), 'InvalidParam', [k]);
  }
  await reverts(fx.ledger.setRule(5, { from: fx.owner }), 'InvalidRule', [5n]);
  const g = await fx.ledger.grantRole(ROLES.RESOLVER, a, { from: fx.owner });
  assert.is(fx.ledger.parseLogs(g)[0].name, 'RoleGranted');
  assert.is(await fx.ledger.hasRole(ROLES.RESOLVER, a), true);
  const rv = await fx.ledger.revokeRole(ROLES.RESOLVER, a, { from: fx.owner });
  assert.is(fx.ledger.parseLogs(rv)[0].name, 'RoleRevoked');
  assert.is(await fx.ledger.hasRole(ROLES.RESOLVER, a), false);
  const st = await fx.ledger.setTreasury(b, { from: fx.owner });
  assert.is(fx.ledger.parseLogs(st)[0].name, 'TreasuryUpdated');
  assert.is((await fx.ledger.treasury()).toLowerCase(), b);
  const sp = await fx.ledger.setParams(paramsTupleFor({ ...DEFAULT_PARAMS, dailyCap: 9 }), { from: fx.owner });
  assert.is(fx.ledger.parseLogs(sp)[0].name, 'ParamsUpdated');
  assert.is((await fx.ledger.params()).dailyCap, 9n);
  const t = await fx.ledger.transferOwnership(a, { from: fx.owner });
  assert.is(fx.ledger.parseLogs(t)[0].name, 'OwnershipTransferred');
  assert.is((await fx.ledger.owner()).toLowerCase(), a);
  await reverts(fx.ledger.setRule(1, { from: fx.owner }), 'NotOwner');
});

test('createDatanet needs CURATOR; ids count up; plain transfers are refused', async () => {
  const [a] = fx.users;
  await reverts(fx.ledger.createDatanet(hash('d'), { from: a }), 'Unauthorized', [ROLES.CURATOR, a]);
  const r = await fx.ledger.createDatanet(hash('d'), { from: fx.owner });
  assert.equal(fx.ledger.parseLogs(r)[0].args.datanetId, 2n);
  assert.is(await fx.ledger.datanetCount(), 2n);
  assert.is((await fx.ledger.datanetCurator(2)).toLowerCase(), fx.owner.toLowerCase());
  await fx.ledger.register(hash(1), 1, 2, { from: a });
  assert.is((await fx.ledger.itemOf(1)).datanetId, 2n);
  // items keep the Datanet id in 32 bits, so createDatanet stops at type(uint32).max: put the counter there
  // (datanetCount is the low 64 bits of the counters' slot; itemCount the next 64)
  let slot = -1;
  for (let i = 0; i < 16 && slot < 0; i++) {
    const v = BigInt(await fx.chain.request<string>('eth_getStorageAt', [fx.ledger.address, `0x${i.toString(16)}`, 'latest']));
    if (v === (1n << 64n) + 2n) slot = i;
  }
  assert.ok(slot >= 0, 'counters slot found');
  const max32 = 2n ** 32n - 1n;
  await fx.chain.request('hardhat_setStorageAt', [fx.ledger.address, `0x${slot.toString(16)}`, `0x${((1n << 64n) + max32 - 1n).toString(16).padStart(64, '0')}`]);
  await fx.chain.mine();
  await fx.ledger.createDatanet(hash('last'), { from: fx.owner });
  assert.is(await fx.ledger.datanetCount(), max32);
  await reverts(fx.ledger.createDatanet(hash('one too many'), { from: fx.owner }), 'InvalidParam', ['datanetCount']);
  const last = await fx.ledger.register(hash(2), 1, max32, { from: a });
  assert.is(fx.ledger.parseLogs(last)[0].args.datanetId, max32);
  assert.is((await fx.ledger.itemOf(2)).datanetId, max32);
  const h = fx.chain.sendTransaction({ from: a, to: fx.ledger.address, value: 1n });
  await reverts(h.catch((e) => { throw fx.ledger.decodeError(e, 'receive'); }), 'ZeroValue', [], 'receive');
});

test('views: role ids, nextRule, isqrt equals rules.ts isqrt on random inputs', async () => {
  assert.is(await fx.ledger.ATTRIBUTOR(), ROLES.ATTRIBUTOR);
  assert.is(await fx.ledger.RESOLVER(), ROLES.RESOLVER);
  assert.is(await fx.ledger.SETTLER(), ROLES.SETTLER);
  assert.is(await fx.ledger.CURATOR(), ROLES.CURATOR);
  assert.is(await fx.ledger.nextRule(), 0n);
  await fx.ledger.setRule(3, { from: fx.owner });
  assert.is(await fx.ledger.nextRule(), 3n);
  assert.is((await fx.ledger.epochOf(0)).rule, 3n);
  const rng = new Rng('isqrt');
  const xs = [0n, 1n, 2n, 3n, 4n, 15n, 16n, 17n, 2n ** 255n, 2n ** 256n - 1n];
  for (let i = 0; i < 30; i++) xs.push(BigInt(rng.nextUint32()) ** BigInt(1 + rng.int(7)) + BigInt(rng.int(3)));
  for (const x of xs) assert.is(await fx.ledger.isqrt(x), isqrt(x), String(x));
});

test('amounts above uint128 revert instead of truncating', async () => {
  const [a] = fx.users;
  const huge = 2n ** 128n;
  await fx.chain.setBalance(a, huge * 4n);
  await reverts(fx.ledger.register(hash(1), 1, 1, { from: a, value: huge }), 'AmountOverflow', [huge]);
  await reverts(fx.ledger.fund({ from: a, value: huge }), 'AmountOverflow', [huge]);
});

test.run();
