// Issue 7: EVM-in-the-loop and fast mode agree to the wei on the same seed.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { world, design, attack, playEpisode, settleFast, agentsFor, honestAgents, jitter, type Agent } from '../../lib/sim/index.ts';
import { settleEvm } from '../../lib/sim/evm.ts';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulateCommand } from '../../lib/cli/commands/index.ts';
import { parseCommandArgs } from '../../lib/cli/args.ts';

const W = world({ honest: 4, itemsPerHonest: 3, queriesPerEpoch: 25, epochs: 2, fundingEthPerEpoch: 0.05, dailyCap: 6 });

async function agree(d: ReturnType<typeof design>, a: ReturnType<typeof attack>, seed: number) {
  const ep = playEpisode(W, d, agentsFor(W, a), seed);
  const fast = settleFast(ep);
  const evm = await settleEvm(ep);
  for (const e of fast.epochs) {
    const chain = evm.epochs[e.epoch];
    assert.is(chain.pool, e.pool, `${d.name}/${a.type} epoch ${e.epoch} pool`);
    const want = new Map(e.payees.map((p) => [p.id, p.payout] as const));
    assert.equal([...chain.payouts].sort(), [...want].sort(), `${d.name}/${a.type} epoch ${e.epoch} payouts`);
  }
  return { ep, fast, evm };
}

test('all five rules: payouts on chain equal fast mode to the wei (wash attacker, funded pool)', async () => {
  for (const rule of ['pro-rata', 'stake', 'volume-cap', 'sqrt', 'reputation'] as const) {
    const { fast, evm } = await agree(design({ name: rule, rule, capMultipleBps: 6_000 }), attack({ type: 'wash', budgetEth: 0.05, queriesPerEpoch: 8 }), 1);
    assert.ok([...fast.payout.values()].some((v) => v > 0n));
    assert.ok(evm.gas > 0n && evm.txs > 20);
  }
});

test('defences on chain: duplicate reverts, challenges slash and skip, off-chain flags, valuation weights', async () => {
  await agree(design({ name: 'dup', rule: 'pro-rata', defences: ['duplicates'] }), attack({ type: 'freerider', jitter: 0, copies: 3, budgetEth: 0.05 }), 2);
  const ch = await agree(design({ name: 'rep+ch', rule: 'reputation', defences: ['challenges'], challengesPerEpoch: 6 }), attack({ type: 'spam', items: 4, budgetEth: 0.05 }), 3);
  assert.ok(ch.ep.epochs.flatMap((e) => e.challenges).some((c) => c.upheld), 'a challenge was upheld');
  await agree(design({ name: 'cl', rule: 'volume-cap', defences: ['identity-clustering'] }), attack({ type: 'collusion', members: 2, itemsPerMember: 2, queriesPerEpoch: 4, budgetEth: 0.05 }), 4);
  await agree(design({ name: 'knn', rule: 'sqrt', attribution: 'knn-shapley' }), attack({ type: 'sybil', identities: 3, budgetEth: 0.05 }), 5);
});

test('a hash freed by an upheld challenge is registered again, the same in both modes (the registry frees it on chain)', async () => {
  const W2 = world({ honest: 2, itemsPerHonest: 2, queriesPerEpoch: 8, epochs: 2, fundingEthPerEpoch: 0.01, dailyCap: 1 });
  const ids = [0, 1].map((j) => ({ id: `squat-${j}`, agent: 'squat', attacker: true, funder: 'wallet-squat' }));
  // squat-0 registers H (worthless, so its challenge is upheld) and queries it; squat-1 registers X on day 0
  // and H on day 1, after the ruling freed H
  const squat: Agent = {
    name: 'squat', attacker: true, budget: 10n ** 18n, identities: ids,
    plan: (ctx, rng) => [['squat-0', 'H', 0], ['squat-1', 'X', 0.9], ['squat-1', 'H', 0.9]].map(([identity, h, quality]) => ({
      identity: identity as string, embedding: jitter(ctx.topics.centroids[0], 0.5, rng), quality: quality as number, topic: 0,
      contentHash: `squat-${h}`, stake: ctx.stake, contentCost: 0n,
    })),
    queries: (ctx, epoch, own) => (epoch === 0 ? own.map((it) => ({ payer: 'squat-0', topic: it.topic, embedding: it.embedding, fee: ctx.fee })) : []),
  };
  const d = design({ name: 'dup+ch', rule: 'pro-rata', defences: ['duplicates', 'challenges'], challengesPerEpoch: 50, challengeNoise: 0, qualityFloor: 0.5 });
  const ep = playEpisode(W2, d, [...honestAgents(W2), squat], 1);
  const regs = ep.epochs.map((e) => e.registrations.filter((r) => r.contentHash === 'squat-H').map((r) => [r.identity, r.isDuplicate]));
  assert.equal(regs, [[['squat-0', false]], [['squat-1', false]]]);
  assert.equal(ep.epochs.map((e) => e.rejected.length), [0, 0]);
  const first = ep.items.find((it) => it.contentHash === 'squat-H')!;
  assert.equal(ep.flagged.get(first.index), { epoch: 0, by: 'challenges' });
  const fast = settleFast(ep);
  const evm = await settleEvm(ep);
  for (const e of fast.epochs) assert.equal([...evm.epochs[e.epoch].payouts].sort(), e.payees.map((p) => [p.id, p.payout] as const).sort(), `epoch ${e.epoch}`);
});

test('CLI --mode evm: replays every attack episode, reports measured gas, records evm.json', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'sim-evm-'));
  try {
    const f = join(tmp, 'evm.json');
    writeFileSync(f, JSON.stringify({
      kind: 'simulate', name: 'evm', seeds: [0],
      config: { world: { honest: 3, itemsPerHonest: 3, queriesPerEpoch: 15, epochs: 2 }, designs: [{ name: 'sqrt', rule: 'sqrt' }], attacks: [{ type: 'sybil', identities: 3, budgetEth: 0.05 }, { type: 'wash', budgetEth: 0.05 }] },
    }));
    const log = console.log;
    const out: string[] = [];
    console.log = (...a: unknown[]) => out.push(a.join(' '));
    try {
      await simulateCommand.run(parseCommandArgs(simulateCommand, [f, '--mode', 'evm', '--root', tmp]));
    } finally {
      console.log = log;
    }
    const text = out.join('\n');
    assert.match(text, /evm: 2 attack episodes replayed on an in-process chain; every payout equals fast mode to the wei; \d+ txs, \d+ gas measured/);
    const dir = /recorded: (.*)/.exec(text)![1];
    const checks = JSON.parse(readFileSync(join(dir, 'evm.json'), 'utf8'));
    assert.equal(checks.map((c: { attack: string }) => c.attack), ['sybil', 'wash']);
    assert.ok(checks.every((c: { gas: string }) => BigInt(c.gas) > 0n));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test.run();
