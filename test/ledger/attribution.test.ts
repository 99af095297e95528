import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { setup, reverts, isolate, hash, ROLES, DEFAULT_PARAMS, paramsTupleFor, type Fixture } from './fixture.ts';

let fx: Fixture;
const iso = isolate(() => fx);
test.before(async () => {
  fx = await setup({ params: { dailyCap: 0 } });
  // items 1,2 → users[0]; item 3 → users[1]
  await fx.ledger.register(hash(1), 1, 1, { from: fx.users[0] });
  await fx.ledger.register(hash(2), 1, 1, { from: fx.users[0] });
  await fx.ledger.register(hash(3), 1, 1, { from: fx.users[1] });
});
test.after(async () => { await fx.chain.close(); });
test.before.each(iso.before);
test.after.each(iso.after);

test('logAttributions accumulates U and V (floored per entry), pays the pool, emits Attributed', async () => {
  const [a, b] = fx.users;
  const r = await fx.ledger.logAttributions([
    { fee: 10n, items: [1, 2, 3], weights: [1, 1, 1] },
    { fee: 7n, items: [3], weights: [4] },
  ], { from: fx.owner, value: 17n });
  const logs = fx.ledger.parseLogs(r);
  assert.equal(logs.map((l) => l.name), ['Attributed', 'Attributed']);
  assert.equal(logs[0].args, { eventId: 1n, epoch: 0n, fee: 10n, countedWeight: 3n, items: [1n, 2n, 3n], weights: [1n, 1n, 1n] });
  assert.equal(logs[1].args, { eventId: 2n, epoch: 0n, fee: 7n, countedWeight: 4n, items: [3n], weights: [4n] });
  assert.equal(await fx.ledger.accountOf(0, a), { usage: 2n, score: 0n, volume: 6n, claimed: false });
  assert.equal(await fx.ledger.accountOf(0, b), { usage: 5n, score: 0n, volume: 10n, claimed: false });
  const ep = await fx.ledger.epochOf(0);
  assert.is(ep.pool, 17n);
  assert.is(ep.payeeCount, 2n);
  assert.equal((await fx.ledger.payees(0, 0, 10)).map((x: string) => x.toLowerCase()), [a, b]);
  assert.equal(await fx.ledger.payees(0, 5, 10), []);
  assert.is(await fx.ledger.eventCount(), 2n);
  assert.is(await fx.chain.balance(fx.ledger.address), 17n);
});

test('logAttributions needs ATTRIBUTOR; every input revert', async () => {
  const [a] = fx.users;
  await reverts(fx.ledger.logAttributions([{ fee: 0n, items: [1], weights: [1] }], { from: a }), 'Unauthorized', [ROLES.ATTRIBUTOR, a], 'logAttributions');
  const o = { from: fx.owner };
  await reverts(fx.ledger.logAttributions([], o), 'EmptyBatch');
  await reverts(fx.ledger.logAttributions([{ fee: 0n, items: [1], weights: [1] }, { fee: 0n, items: [], weights: [] }], o), 'EmptyEvent', [1n]);
  await reverts(fx.ledger.logAttributions([{ fee: 0n, items: [1, 2], weights: [1] }], o), 'LengthMismatch', [0n, 2n, 1n]);
  await reverts(fx.ledger.logAttributions([{ fee: 0n, items: [1, 2], weights: [1, 0] }], o), 'ZeroWeight', [0n, 2n]);
  await reverts(fx.ledger.logAttributions([{ fee: 0n, items: [2, 1], weights: [1, 1] }], o), 'UnsortedItems', [0n, 1n]);
  await reverts(fx.ledger.logAttributions([{ fee: 0n, items: [2, 2], weights: [1, 1] }], o), 'UnsortedItems', [0n, 2n]);
  await reverts(fx.ledger.logAttributions([{ fee: 0n, items: [4], weights: [1] }], o), 'UnknownItem', [4n]);
  await reverts(fx.ledger.logAttributions([{ fee: 5n, items: [1], weights: [1] }], { from: fx.owner, value: 4n }), 'FeeMismatch', [4n, 5n]);
  await reverts(fx.ledger.logAttributions([{ fee: 5n, items: [1], weights: [1] }], { from: fx.owner, value: 6n }), 'FeeMismatch', [6n, 5n]);
  await fx.ledger.grantRole(ROLES.ATTRIBUTOR, a, { from: fx.owner });
  await fx.ledger.logAttributions([{ fee: 0n, items: [1], weights: [1] }], { from: a });
});

test('fund adds to the open epoch pool; zero refused; fees after closeEpoch go to the next epoch', async () => {
  const [a] = fx.users;
  await reverts(fx.ledger.fund({ from: a }), 'ZeroValue');
  const r = await fx.ledger.fund({ from: a, value: 100n });
  assert.equal(fx.ledger.parseLogs(r)[0].args, { epoch: 0n, from: fx.ledger.parseLogs(r)[0].args.from, amount: 100n });
  await fx.ledger.closeEpoch({ from: fx.owner });
  await fx.ledger.logAttributions([{ fee: 9n, items: [1], weights: [1] }], { from: fx.owner, value: 9n });
  assert.is((await fx.ledger.epochOf(0)).pool, 100n);
  assert.is((await fx.ledger.epochOf(1)).pool, 9n);
  assert.is(await fx.ledger.currentEpoch(), 1n);
});

test('batched raw sends with automine off land in one mined round and match the one-by-one state', async () => {
  const txs = Array.from({ length: 40 }, (_, i) => fx.ledger.logAttributionsTx([{ fee: BigInt(i), items: [1 + (i % 3)], weights: [1 + i] }], { from: fx.owner, value: BigInt(i), gas: 300_000n }));
  const { receipts, blocks } = await fx.chain.sendBatch(txs, { receipts: true });
  assert.is(blocks, 1);
  assert.ok(receipts!.every((r) => r.status === 1n));
  const evs = await fx.ledger.events('Attributed');
  assert.is(evs.length, 40);
  assert.equal(evs.map((e) => e.args.eventId), Array.from({ length: 40 }, (_, i) => BigInt(i + 1)));
  assert.is((await fx.ledger.epochOf(0)).pool, 780n); // Σ 0..39
  // users[0] owns items 1,2 (i % 3 ∈ {0,1}); usage = Σ (1+i) over those i
  let ua = 0n;
  for (let i = 0; i < 40; i++) if (i % 3 !== 2) ua += BigInt(1 + i);
  assert.is((await fx.ledger.accountOf(0, fx.users[0])).usage, ua);
});

test('a reverting transaction inside a batch is reported with its decoded reason on replay', async () => {
  const tx = fx.ledger.logAttributionsTx([{ fee: 1n, items: [9], weights: [1] }], { from: fx.owner, value: 1n, gas: 300_000n });
  const { receipts } = await fx.chain.sendBatch([tx], { receipts: true });
  assert.is(receipts![0].status, 0n);
  const e = await fx.ledger.replayFailure('logAttributions', tx);
  assert.is(e.reason, 'UnknownItem');
  assert.equal(e.args, [9n]);
});

test('flagged items are skipped: they neither count in W nor earn; fee stays in the pool', async () => {
  const [a, b] = fx.users;
  await fx.ledger.setParams(paramsTupleFor({ ...DEFAULT_PARAMS, dailyCap: 0, challengeBond: 1n }), { from: fx.owner });
  await fx.ledger.challenge(3, hash('dup'), { from: a, value: 1n });
  await fx.ledger.resolve(1, true, { from: fx.owner });
  const r = await fx.ledger.logAttributions([{ fee: 9n, items: [1, 3], weights: [1, 2] }, { fee: 5n, items: [3], weights: [1] }], { from: fx.owner, value: 14n });
  assert.equal(fx.ledger.parseLogs(r).map((l) => l.args.countedWeight), [1n, 0n]);
  assert.equal(await fx.ledger.accountOf(0, a), { usage: 1n, score: 0n, volume: 9n, claimed: false });
  assert.equal(await fx.ledger.accountOf(0, b), { usage: 0n, score: 0n, volume: 0n, claimed: false });
  assert.is((await fx.ledger.epochOf(0)).pool, 14n);
  assert.is((await fx.ledger.epochOf(0)).payeeCount, 1n);
});

test.run();
