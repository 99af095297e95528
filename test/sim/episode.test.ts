import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../lib/util/index.ts';
import {
  world, design, attack, playEpisode, settleFast, agentsFor, simulateFast, accounts, ethToWei, Topics, retrieve,
  jitter, quotientKnn, knnGame, quotientShapley, clusterBySimilarity, dot, gini, GAS, type Item,
} from '../../lib/sim/index.ts';

const W = world({ honest: 8, queriesPerEpoch: 80, epochs: 3 });

test('same seed → identical payouts to the wei; different seed differs', () => {
  const d = design({ name: 'x', rule: 'sqrt', attribution: 'mc-shapley', permutations: 8 });
  const a = simulateFast(W, d, attack({ type: 'flood' }), 1).settlement;
  const b = simulateFast(W, d, attack({ type: 'flood' }), 1).settlement;
  const c = simulateFast(W, d, attack({ type: 'flood' }), 2).settlement;
  assert.equal([...a.payout], [...b.payout]);
  assert.not.equal([...a.payout], [...c.payout]);
});

test('honest items and consumer queries are identical with and without the attacker', () => {
  const d = design({ name: 'x', rule: 'pro-rata' });
  const base = playEpisode(W, d, agentsFor(W, attack({ type: 'none' })), 4);
  const att = playEpisode(W, d, agentsFor(W, attack({ type: 'spam' })), 4);
  const honest = (ep: typeof base) => ep.items.filter((it) => it.identity.startsWith('honest-')).map((it) => [it.identity, it.quality, Array.from(it.embedding)]);
  assert.equal(honest(att), honest(base));
  const consumerFees = (ep: typeof base) => ep.epochs.map((e) => e.events.filter((ev) => ev.payer.startsWith('consumer-')).length);
  assert.equal(consumerFees(att), consumerFees(base));
  assert.ok(att.items.some((it) => it.identity.startsWith('spam-')));
});

test('every epoch conserves the pool to the wei: Σ payouts + treasury = fees + funding', () => {
  const w = world({ ...W, fundingEthPerEpoch: 0.123456789 });
  for (const rule of ['pro-rata', 'stake', 'volume-cap', 'sqrt', 'reputation'] as const) {
    const r = simulateFast(w, design({ name: rule, rule, defences: ['challenges'], capMultipleBps: 7_000 }), attack({ type: 'wash' }), 7);
    for (const e of r.settlement.epochs) {
      const fees = r.episode.epochs[e.epoch].events.reduce((a, ev) => a + ev.fee, 0n);
      assert.is(e.pool, fees + ethToWei(0.123456789));
      assert.is(e.payees.reduce((a, p) => a + p.payout, 0n) + e.treasury, e.pool, `${rule} epoch ${e.epoch}`);
    }
  }
});

test('registrations respect the daily cap and budgets; spending never exceeds the budget', () => {
  const w = world({ ...W, dailyCap: 4 });
  const r = simulateFast(w, design({ name: 'x', rule: 'pro-rata' }), attack({ type: 'flood', identities: 2, budgetEth: 1 }), 3);
  for (const e of r.episode.epochs) {
    const per = new Map<string, number>();
    for (const reg of e.registrations) per.set(reg.identity, (per.get(reg.identity) ?? 0) + 1);
    for (const [id, n] of per) assert.ok(n <= 4, `${id} registered ${n} on day ${e.epoch}`);
  }
  // 25 planned (5 bases × 5 copies), 2 identities × 4 a day × 3 days = 24 registered.
  assert.is(r.episode.items.filter((it) => it.identity.startsWith('flood-')).length, 24);
  // A budget of 0.1 ether buys 9 items at 0.01 stake + 150k gas at 1 gwei + 0.0001 content.
  const poor = simulateFast(w, design({ name: 'x', rule: 'pro-rata' }), attack({ type: 'flood', identities: 2, budgetEth: 0.1 }), 3);
  const n = poor.episode.items.filter((it) => it.identity.startsWith('flood-')).length;
  assert.is(n, 9);
  const s = poor.episode.spend.get('flood')!;
  assert.ok(s.gas * 1_000_000_000n + s.fees + s.content + s.stake <= ethToWei(0.1));
  // Each registration paid register gas, each identity one funding transfer.
  assert.is(s.gas, BigInt(n * GAS.register + 2 * GAS.fundIdentity));
});

test('duplicate detection: exact copies revert, near copies are flagged, originals untouched', () => {
  const exact = simulateFast(W, design({ name: 'x', rule: 'pro-rata', defences: ['duplicates'] }), attack({ type: 'freerider', jitter: 0, copies: 6 }), 2);
  assert.is(exact.episode.epochs[0].rejected.length, 6);
  assert.ok(exact.episode.epochs[0].rejected.every((r) => r.attacker));
  assert.is(exact.metrics.attackerPayoutEth, 0);
  assert.is(exact.metrics.precision, 1);
  assert.is(exact.metrics.recall, 1);
  const undefended = simulateFast(W, design({ name: 'x', rule: 'pro-rata' }), attack({ type: 'freerider', jitter: 0, copies: 6 }), 2);
  assert.is(undefended.episode.epochs[0].registrations.filter((r) => r.isDuplicate).length, 6);
  assert.ok(undefended.metrics.attackerPayoutEth > 0, 'without the defence exact copies earn');
  const near = simulateFast(W, design({ name: 'x', rule: 'pro-rata', defences: ['duplicates'] }), attack({ type: 'freerider', copies: 6 }), 2);
  const flagged = [...near.episode.flagged].filter(([, f]) => f.by === 'duplicates').map(([i]) => near.episode.items[i]);
  assert.is(flagged.length, 6);
  assert.ok(flagged.every((it) => it.identity.startsWith('freerider') && it.copyOf !== undefined));
});

test('identity clustering links a wash payer to its owner; challenges slash spam and pay the bounty', () => {
  const wash = simulateFast(W, design({ name: 'x', rule: 'pro-rata', defences: ['identity-clustering'] }), attack({ type: 'wash', launder: true }), 1);
  assert.ok(wash.episode.items.filter((it) => it.identity.startsWith('wash')).every((it) => wash.episode.flagged.has(it.index)));
  assert.is(wash.metrics.attackerPayoutEth, 0);
  const spam = simulateFast(W, design({ name: 'x', rule: 'reputation', defences: ['challenges'] }), attack({ type: 'spam' }), 1);
  const upheld = spam.episode.epochs.flatMap((e) => e.challenges).filter((c) => c.upheld);
  assert.ok(upheld.length > 0);
  const stake = ethToWei(W.stakeEth);
  assert.is(spam.settlement.bounties, (stake * 5_000n / 10_000n) * BigInt(upheld.length));
  // Reputation: a slash halves it (slashRepBps 5000) before the epoch's payout, decay follows usage.
  const owner = spam.episode.items[upheld[0].item].identity;
  assert.ok(spam.settlement.reputation.get(owner)! < 5_000n);
  const acc = accounts(spam.episode, spam.settlement).get('challenger')!;
  assert.ok(acc.income >= spam.settlement.bounties);
});

test('retriever: top-m by cosine, ties to the lower index, flagged items skipped', () => {
  const topics = new Topics(world({ topics: 3, dim: 4 }), new Rng(1));
  const rng = new Rng(2);
  const emb = [jitter(topics.centroids[0], 0.1, rng), jitter(topics.centroids[1], 0.1, rng)];
  const items: Item[] = [0, 1, 0, 0].map((t, i) => ({
    index: i, identity: `o${i}`, embedding: i === 3 ? emb[0] : emb[t], quality: 0.5 + i / 10, topic: t, datanet: 0, contentHash: `${i}`, stake: 0n, epoch: 0,
  }));
  const q = { payer: 'c', topic: 0, embedding: topics.centroids[0], fee: 1n };
  const r = retrieve(items, () => true, q, 3);
  assert.equal(r.candidates, [0, 2, 3]); // 0, 2, 3 share one embedding: index order
  assert.equal(r.gain, [0.5, 0.7, 0.8]);
  assert.equal(retrieve(items, (i) => i !== 0, q, 2).candidates, [2, 3]);
});

test('quotient oracle fast path equals the generic quotient Shapley (represent first, split first)', () => {
  const rng = new Rng(8);
  const topics = new Topics(world({ topics: 2, dim: 6 }), rng);
  for (let rep = 0; rep < 20; rep++) {
    const base = Array.from({ length: 5 }, () => jitter(topics.centroids[rng.int(2)], 0.3, rng));
    const items: Item[] = Array.from({ length: 9 }, (_, i) => ({
      index: i, identity: `o${i}`, embedding: i < 5 ? base[i] : jitter(base[rng.int(5)], 0.001, rng), quality: rng.next(), topic: rng.int(2),
      datanet: 0, contentHash: `${i}`, stake: 0n, epoch: 0,
    }));
    const q = { payer: 'c', topic: 0, embedding: jitter(topics.centroids[0], 0.2, rng), fee: 1n };
    const r = retrieve(items, () => true, q, 9);
    const fast = quotientKnn(r, items, { k: 3, dupThreshold: 0.99 });
    const groups = clusterBySimilarity(9, (a, b) => dot(items[r.candidates[a]].embedding, items[r.candidates[b]].embedding) >= 0.99)
      .map((g) => g.slice().sort((a, b) => r.candidates[a] - r.candidates[b]));
    const slow = quotientShapley(knnGame(r.similarity, r.gain, 3), groups, { represent: 'first', split: 'first' });
    for (let j = 0; j < 9; j++) assert.ok(Math.abs(fast[j] - slow[j]) < 1e-12, `rep ${rep} [${j}] ${fast[j]} vs ${slow[j]}`);
  }
});

test('gini reference values', () => {
  assert.is(gini([1, 1, 1, 1]), 0);
  assert.is(gini([0, 0, 0, 4]), 0.75);
  assert.ok(Math.abs(gini([1, 2, 3, 4]) - 0.25) < 1e-15);
  assert.is(gini([]), 0);
});

test.run();
