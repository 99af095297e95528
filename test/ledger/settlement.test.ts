import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { setup, reverts, isolate, hash, ROLES, DEFAULT_PARAMS, paramsTupleFor, type Fixture } from './fixture.ts';
import {
  computePayouts, aggregateEpoch, decayReputation, slashReputation, closeAndSettle, deployContract, ReentrantClaimer,
  RULE, type AttributionEvent, type RuleId,
} from '../../lib/ledger/index.ts';
import { Rng } from '../../lib/util/index.ts';

const PARAMS = { dailyCap: 0, challengeBond: 1n, challengeWindow: 10 ** 6, slashBountyBps: 5_000, slashRepBps: 3_000, decayBps: 1_700, capMultipleBps: 15_000 };
let fx: Fixture;
const iso = isolate(() => fx);
test.before(async () => { fx = await setup({ params: PARAMS }, 12); });
test.after(async () => { await fx.chain.close(); });
test.before.each(iso.before);
test.after.each(iso.after);

const lc = (s: string) => s.toLowerCase();

test('settlement phases, roles and claim reverts', async () => {
  const [a, b] = fx.users;
  await fx.ledger.register(hash(1), 1, 1, { from: a });
  await fx.ledger.logAttributions([{ fee: 1000n, items: [1], weights: [3] }], { from: fx.owner, value: 1000n });
  await reverts(fx.ledger.closeEpoch({ from: a }), 'Unauthorized', [ROLES.SETTLER, a], 'closeEpoch');
  await reverts(fx.ledger.computeScores(0, 10, { from: fx.owner }), 'UnknownEpoch', [0n]);
  await reverts(fx.ledger.claim(0, { from: a }), 'UnknownEpoch', [0n]);
  const c = await fx.ledger.closeEpoch({ from: fx.owner });
  assert.equal(fx.ledger.parseLogs(c)[0].args, { epoch: 0n, pool: 1000n, payees: 1n, rule: 0n, capMultipleBps: 15_000n });
  await reverts(fx.ledger.computeScores(0, 10, { from: a }), 'Unauthorized', [ROLES.SETTLER, a]);
  await reverts(fx.ledger.computeScores(0, 0, { from: fx.owner }), 'ZeroCount');
  await reverts(fx.ledger.sumPayouts(0, 10, { from: fx.owner }), 'WrongPhase', [0n, 2n, 1n]);
  await reverts(fx.ledger.claim(0, { from: a }), 'WrongPhase', [0n, 2n, 1n]);
  const s = await fx.ledger.computeScores(0, 10, { from: fx.owner });
  assert.equal(fx.ledger.parseLogs(s).map((l) => l.name), ['ScoresComputed', 'ReputationDecayed', 'EpochScored']);
  await reverts(fx.ledger.computeScores(0, 10, { from: fx.owner }), 'WrongPhase', [0n, 1n, 2n]);
  await reverts(fx.ledger.sumPayouts(0, 10, { from: a }), 'Unauthorized', [ROLES.SETTLER, a]);
  await reverts(fx.ledger.sumPayouts(0, 0, { from: fx.owner }), 'ZeroCount');
  // claims open after scoring, before the dust pass
  await reverts(fx.ledger.claim(0, { from: b }), 'NothingToClaim', [0n, b]);
  const before = await fx.chain.balance(a);
  const cl = await fx.ledger.claim(0, { from: a });
  assert.equal(fx.ledger.parseLogs(cl)[0].args, { epoch: 0n, account: fx.ledger.parseLogs(cl)[0].args.account, to: fx.ledger.parseLogs(cl)[0].args.account, amount: 1000n });
  assert.is(await fx.chain.balance(a), before + 1000n);
  await reverts(fx.ledger.claim(0, { from: a }), 'AlreadyClaimed', [0n, a]);
  const p = await fx.ledger.sumPayouts(0, 10, { from: fx.owner });
  assert.equal(fx.ledger.parseLogs(p).map((l) => l.name), ['PayoutsSummed', 'EpochSettled']);
  assert.equal((await fx.ledger.accountOf(0, a)).claimed, true);
  await reverts(fx.ledger.sumPayouts(0, 1, { from: fx.owner }), 'WrongPhase', [0n, 2n, 3n]);
  assert.is(await fx.ledger.credits(fx.treasury), 0n);
  assert.is(await fx.ledger.payoutOf(1, a), 0n, 'open epoch has no payout');
});

test('zero total score (STAKE rule, nobody staked): the whole pool goes to the treasury', async () => {
  const [a] = fx.users;
  await fx.ledger.setRule(RULE.STAKE, { from: fx.owner });
  await fx.ledger.register(hash(1), 1, 1, { from: a });
  await fx.ledger.logAttributions([{ fee: 777n, items: [1], weights: [3] }], { from: fx.owner, value: 777n });
  await fx.ledger.fund({ from: a, value: 23n });
  const run = await closeAndSettle(fx.ledger, { from: fx.owner });
  assert.equal([run.scorePages.length, run.sumPages.length], [1, 0]);
  assert.is((await fx.ledger.epochOf(0)).phase, 3n);
  assert.is(await fx.ledger.credits(fx.treasury), 800n);
  await reverts(fx.ledger.claim(0, { from: a }), 'NothingToClaim');
});

test('an epoch with funding but no attribution settles entirely to the treasury in one page', async () => {
  await fx.ledger.fund({ from: fx.users[0], value: 5n });
  const run = await closeAndSettle(fx.ledger, { from: fx.owner });
  assert.equal([run.payees, run.scorePages.length, run.sumPages.length], [0, 1, 0]);
  assert.is(await fx.ledger.credits(fx.treasury), 5n);
  assert.is((await fx.ledger.epochOf(0)).phase, 3n);
});

test('claim is reentrancy-safe: a payee contract re-entering claim() from receive() reverts the claim', async () => {
  const { address } = await deployContract(fx.chain, 'ReentrantClaimer', [fx.ledger.address], fx.owner);
  const att = new ReentrantClaimer(fx.chain, address);
  const u = fx.users[0];
  await att.register(hash('att'), 1, 1, { from: u });
  await fx.ledger.logAttributions([{ fee: 500n, items: [1], weights: [1] }], { from: fx.owner, value: 500n });
  await closeAndSettle(fx.ledger, { from: fx.owner });
  await att.setMode(1, 0, { from: u });
  let cause: unknown;
  try { await att.claim(0, { from: u }); } catch (e) { cause = (e as Error).cause; }
  assert.is(fx.ledger.decodeError(cause, 'claim').reason, 'TransferFailed');
  assert.is((await fx.ledger.accountOf(0, address)).claimed, false);
  await att.setMode(0, 0, { from: u });
  await att.claim(0, { from: u });
  assert.is(await fx.chain.balance(address), 500n);
});

/**
 * Random world, 2 epochs under one rule: registrations with random stakes, upheld challenges (slashes,
 * flags), attribution events, funding; settlement in random small pages. Every payee's score and payout
 * must equal lib/ledger/rules.ts on an independently tracked model, and Σ claims + treasury = pool.
 */
async function randomCase(rule: RuleId, seed: string) {
  const rng = new Rng(seed);
  const users = fx.users;
  await fx.ledger.setRule(rule, { from: fx.owner });
  const owners: string[] = [null as unknown as string];
  const flagged = new Set<bigint>();
  const stake = new Map<string, bigint>(users.map((u) => [u, 0n]));
  const rep = new Map<string, bigint>(users.map((u) => [u, 10_000n]));
  const itemStake: bigint[] = [0n];
  let treasuryExpected = await fx.ledger.credits(fx.treasury); // slash remainders + epoch treasury shares
  const nItems = 10 + rng.int(15);
  const regs = [];
  for (let i = 1; i <= nItems; i++) {
    const u = users[rng.int(users.length)];
    const s = rng.int(3) === 0 ? 0n : BigInt(rng.int(5_000)) * 10n ** 15n + BigInt(rng.int(1000));
    owners.push(u);
    itemStake.push(s);
    stake.set(u, stake.get(u)! + s);
    regs.push(fx.ledger.registerTx(hash(`${seed}-${i}`), 1 + rng.int(10_000), 1, { from: u, value: s, gas: 400_000n }));
  }
  const { receipts } = await fx.chain.sendBatch(regs, { receipts: true });
  assert.ok(receipts!.every((r) => r.status === 1n));
  const firstItem = BigInt(await fx.ledger.itemCount()) - BigInt(nItems);
  const itemId = (k: number) => firstItem + BigInt(k);
  for (let epoch = 0; epoch < 2; epoch++) {
    // slash a couple of items (a challenger different from the owner)
    for (let k = 0; k < 2; k++) {
      const i = 1 + rng.int(nItems);
      if (flagged.has(itemId(i))) continue;
      const o = owners[i];
      const ch = users.find((u) => u !== o)!;
      await fx.ledger.challenge(itemId(i), hash('c'), { from: ch, value: 1n });
      await fx.ledger.resolve(await fx.ledger.challengeCount(), true, { from: fx.owner });
      flagged.add(itemId(i));
      const st = itemStake[i];
      treasuryExpected += st - (st * 5_000n) / 10_000n;
      stake.set(o, stake.get(o)! - st);
      itemStake[i] = 0n;
      rep.set(o, slashReputation(rep.get(o)!, 3_000n));
    }
    const events: AttributionEvent[] = [];
    const batches = [];
    for (let b = 0; b < 4; b++) {
      const evs = [];
      for (let j = 0; j < 5; j++) {
        const picks = [...new Set(Array.from({ length: 1 + rng.int(4) }, () => 1 + rng.int(nItems)))].sort((x, y) => x - y);
        const items = picks.map(itemId);
        const weights = items.map(() => 1 + rng.int(1000));
        const fee = rng.int(4) === 0 ? 0n : BigInt(rng.nextUint32()) * 1_000n + BigInt(rng.int(997));
        evs.push({ fee, items, weights });
        events.push({ fee, items: items.map((item, k) => ({ item, weight: weights[k] })) });
      }
      batches.push(fx.ledger.logAttributionsTx(evs, { from: fx.owner, value: evs.reduce((s, e) => s + e.fee, 0n), gas: 3_000_000n }));
    }
    const r2 = await fx.chain.sendBatch(batches, { receipts: true });
    assert.ok(r2.receipts!.every((r) => r.status === 1n));
    const funding = BigInt(rng.int(10)) * 10n ** 15n + BigInt(rng.int(99));
    if (funding > 0n) await fx.ledger.fund({ from: users[0], value: funding });
    const pool = events.reduce((s, e) => s + e.fee, 0n) + funding;

    const agg = aggregateEpoch(events, (it) => owners[Number(it - firstItem)], (it) => flagged.has(it));
    const ids = agg.map((t) => ({ ...t, stake: stake.get(t.id)!, reputationBps: rep.get(t.id)! }));
    const want = computePayouts(ids, { rule, pool, capMultipleBps: 15_000n });

    const e = BigInt(await fx.ledger.currentEpoch());
    const treasuryBefore = await fx.ledger.credits(fx.treasury);
    const run = await closeAndSettle(fx.ledger, { from: fx.owner, pageSize: 1 + rng.int(4) });
    assert.is(run.payees, ids.length);
    const info = await fx.ledger.epochOf(e);
    assert.equal([info.pool, info.totalScore, info.phase, info.rule], [pool, want.totalScore, 3n, BigInt(rule)]);
    if (want.totalScore > 0n) assert.is(info.paidTotal, want.payouts.reduce((s, x) => s + x, 0n));
    assert.is(await fx.ledger.credits(fx.treasury) - treasuryBefore, want.treasury, `treasury ${rule} ${seed} e${epoch}`);
    const onchainPayees = (await fx.ledger.payees(e, 0, 100)).map(lc);
    assert.equal(onchainPayees, ids.map((t) => lc(t.id)), 'payee order = first-use order');
    for (let k = 0; k < ids.length; k++) {
      const acc = await fx.ledger.accountOf(e, ids[k].id);
      assert.equal([acc.usage, acc.volume, acc.score], [ids[k].usage, ids[k].volume, want.scores[k]], `account ${k}`);
      assert.is(await fx.ledger.payoutOf(e, ids[k].id), want.payouts[k]);
    }
    // everyone with a payout claims in one batch; Σ claimed + treasury share = pool, to the wei
    const claimers = ids.filter((_, k) => want.payouts[k] > 0n);
    const cr = await fx.chain.sendBatch(claimers.map((t) => fx.ledger.claimTx(e, { from: t.id, gas: 200_000n })), { receipts: true });
    assert.ok(cr.receipts!.every((r) => r.status === 1n));
    const claimed = cr.receipts!.flatMap((r) => fx.ledger.parseLogs(r)).reduce((s, l) => s + (l.args.amount as bigint), 0n);
    assert.is(claimed + want.treasury, pool);
    treasuryExpected += want.treasury;
    for (const t of ids) rep.set(t.id, decayReputation(rep.get(t.id)!, 1_700n));
    for (const u of users) assert.is(await fx.ledger.reputationOf(u), rep.get(u)!, `reputation ${u}`);
  }
  assert.is(await fx.ledger.credits(fx.treasury), treasuryExpected);
}

for (const rule of [RULE.PRO_RATA, RULE.STAKE, RULE.VOLUME_CAP, RULE.SQRT, RULE.REPUTATION] as RuleId[]) {
  for (const seed of ['a', 'b']) {
    test(`rule ${rule}, random case ${seed}: contract = rules.ts to the wei over 2 epochs`, async () => {
      await randomCase(rule, `${rule}-${seed}`);
    });
  }
}

test('changing params mid-epoch: capMultipleBps is snapshotted at close', async () => {
  const [a] = fx.users;
  await fx.ledger.setRule(RULE.VOLUME_CAP, { from: fx.owner });
  await fx.ledger.register(hash(1), 1, 1, { from: a });
  await fx.ledger.logAttributions([{ fee: 100n, items: [1], weights: [1] }], { from: fx.owner, value: 100n });
  await fx.ledger.fund({ from: a, value: 900n });
  await fx.ledger.closeEpoch({ from: fx.owner });
  await fx.ledger.setParams(paramsTupleFor({ ...DEFAULT_PARAMS, ...PARAMS, capMultipleBps: 90_000 }), { from: fx.owner });
  await fx.ledger.computeScores(0, 5, { from: fx.owner });
  await fx.ledger.sumPayouts(0, 5, { from: fx.owner });
  assert.is(await fx.ledger.payoutOf(0, a), 150n); // 1.5 × paid volume 100, not 9 ×
  assert.is(await fx.ledger.credits(fx.treasury), 850n);
});

test.run();
