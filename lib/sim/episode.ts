/**
 * Plays one episode off-chain: agents register items (daily cap, budget, duplicate checks), consumers and
 * agents pay for queries, the oracle turns each retrieval into an attribution event, and the defences flag
 * items and resolve challenges. The result is a chain-agnostic script of what happened per epoch — the
 * same script fast mode settles in TypeScript and evm mode can replay on the ledger contracts.
 *
 * Order within an epoch: registrations → queries/events → identity clustering → challenges → settlement.
 * Flags raised in an epoch apply at that epoch's settlement (flagged items' weights are skipped, as in
 * lib/ledger/rules.ts aggregateEpoch) and keep the item out of retrieval afterwards. An item flagged by an
 * upheld challenge frees its content hash for later registrations, as on chain.
 */
import { Rng } from '../util/index.ts';
import type { DesignConfig, WorldConfig } from './config.ts';
import { ethToWei } from './config.ts';
import type { Agent, AgentContext, ItemPlan } from './agents/index.ts';
import { GAS, itemCost } from './agents/index.ts';
import type { Identity, Item, Query } from './world.ts';
import { Topics, consumerQueries, retrieve } from './world.ts';
import { eventWeights } from './oracle.ts';
import type { Weighted } from './oracle.ts';
import { clusterIdentities, nearDuplicate, runChallenges } from './defences.ts';

export type FlagSource = 'duplicates' | 'identity-clustering' | 'challenges';

export interface Registration { item: number; identity: string; contentHash: string; stake: bigint; isDuplicate: boolean }
export interface SimEvent { payer: string; fee: bigint; items: Weighted[] }
export interface Flag { item: number; by: FlagSource }
export interface Challenge { item: number; upheld: boolean }

export interface EpochLog {
  epoch: number;
  funding: bigint;
  registrations: Registration[];
  /** Registrations that reverted (DuplicateContent), by identity. */
  rejected: { identity: string; contentHash: string; attacker: boolean }[];
  events: SimEvent[];
  flags: Flag[];
  challenges: Challenge[];
}

/** Spending per agent, wei except gas (units). */
export interface Spend { gas: bigint; fees: bigint; content: bigint; stake: bigint }

export interface Episode {
  seed: number;
  world: WorldConfig;
  design: DesignConfig;
  identities: Identity[];
  items: Item[];
  /** item → epoch it was flagged in, and by which defence. */
  flagged: Map<number, { epoch: number; by: FlagSource }>;
  epochs: EpochLog[];
  spend: Map<string, Spend>;
  agentOf: Map<string, string>;
}

export const CHALLENGER = 'challenger';

export function playEpisode(world: WorldConfig, design: DesignConfig, agents: readonly Agent[], seed: number): Episode {
  const root = new Rng(seed);
  const topics = new Topics(world, root.fork('topics'));
  const fee = ethToWei(world.feeEth);
  const gasPrice = BigInt(Math.round(world.gasPriceGwei * 1e9));
  const ctx: AgentContext = {
    world, topics, items: [], fee, stake: ethToWei(world.stakeEth), honestItemCost: ethToWei(world.honestItemCostEth), gasPrice,
  };
  const defences = new Set(design.defences);
  const items: Item[] = [];
  ctx.items = items;
  const identities = agents.flatMap((a) => a.identities);
  const agentOf = new Map(identities.map((i) => [i.id, i.agent] as const));
  const byName = new Map(agents.map((a) => [a.name, a] as const));
  const spend = new Map<string, Spend>([...agents.map((a) => a.name), CHALLENGER].map((n) => [n, { gas: 0n, fees: 0n, content: 0n, stake: 0n }] as const));
  const funded = new Set<string>();
  const flagged = new Map<number, { epoch: number; by: FlagSource }>();
  // content hash → the item holding it; an item flagged by an upheld challenge frees its hash (as the
  // ledger's registry does), other flags are off-chain and leave it taken
  const hashes = new Map<string, number>();
  const holds = (h: string) => { const i = hashes.get(h); return i !== undefined && flagged.get(i)?.by !== 'challenges'; };
  const active = (i: number) => !flagged.has(i);
  const total = (s: Spend) => s.gas * gasPrice + s.fees + s.content + s.stake;
  const canSpend = (agent: string, wei: bigint) => {
    const b = byName.get(agent)?.budget;
    return b === undefined || total(spend.get(agent)!) + wei <= b;
  };
  const fund = (identity: string) => {
    if (funded.has(identity)) return;
    funded.add(identity);
    spend.get(agentOf.get(identity)!)!.gas += BigInt(GAS.fundIdentity);
  };
  const queues = new Map<string, ItemPlan[]>();
  const planned = new Set<string>();
  const plan = (a: Agent) => {
    planned.add(a.name);
    for (const p of a.plan(ctx, root.fork(`plan:${a.name}`))) {
      if (!queues.has(p.identity)) queues.set(p.identity, []);
      queues.get(p.identity)!.push(p);
    }
  };
  const oracleRng = root.fork('oracle');
  const challengeRng = root.fork('challenges');
  const epochs: EpochLog[] = [];
  const allEvents: SimEvent[] = [];

  for (let e = 0; e < world.epochs; e++) {
    const log: EpochLog = { epoch: e, funding: ethToWei(world.fundingEthPerEpoch), registrations: [], rejected: [], events: [], flags: [], challenges: [] };
    const flag = (item: number, by: FlagSource) => {
      if (flagged.has(item)) return;
      flagged.set(item, { epoch: e, by });
      log.flags.push({ item, by });
    };
    // Honest contributors plan and register first, so copiers see their items.
    const phases = e === 0 ? [agents.filter((a) => !a.attacker), agents.filter((a) => a.attacker)] : [agents];
    for (const phase of phases) {
      for (const a of phase) if (!planned.has(a.name)) plan(a);
      for (const a of phase) {
        for (const id of a.identities) {
          const q = queues.get(id.id);
          if (!q) continue;
          let n = 0;
          while (q.length > 0 && n < world.dailyCap) {
            const p = q[0];
            if ((p.notBefore ?? 0) > e) break;
            if (!canSpend(a.name, itemCost(ctx, p.contentCost) + (funded.has(id.id) ? 0n : BigInt(GAS.fundIdentity) * gasPrice))) { q.length = 0; break; }
            q.shift();
            fund(id.id);
            const s = spend.get(a.name)!;
            s.gas += BigInt(GAS.register);
            const exists = holds(p.contentHash);
            if (exists && defences.has('duplicates')) {
              // The registry reverts (DuplicateContent): gas is spent, the day's cap is not (a revert undoes it).
              log.rejected.push({ identity: id.id, contentHash: p.contentHash, attacker: id.attacker });
              continue;
            }
            n++;
            s.stake += p.stake;
            s.content += p.contentCost;
            const it: Item = {
              index: items.length, identity: id.id, embedding: p.embedding, quality: p.quality, topic: p.topic,
              datanet: p.topic >= 0 ? topics.datanetOf[p.topic] : 0, contentHash: p.contentHash, stake: p.stake, epoch: e, copyOf: p.copyOf,
            };
            const dup = defences.has('duplicates') ? nearDuplicate(items, it.embedding, design.dupThreshold, active) : -1;
            items.push(it);
            if (!exists) hashes.set(p.contentHash, it.index);
            log.registrations.push({ item: it.index, identity: id.id, contentHash: p.contentHash, stake: p.stake, isDuplicate: exists });
            if (dup >= 0) flag(it.index, 'duplicates');
          }
        }
      }
    }

    // Queries: the consumers' workload, then what agents pay for, each within its budget.
    const queries: Query[] = consumerQueries(world, topics, e, fee, root.fork('consumers'));
    for (const a of agents) {
      const own = items.filter((it) => agentOf.get(it.identity) === a.name && active(it.index));
      for (const q of a.queries(ctx, e, own, root.fork(`queries:${a.name}:${e}`))) {
        const cost = q.fee + BigInt(GAS.eventBase + GAS.eventPerItem * world.k) * gasPrice;
        if (!canSpend(a.name, cost)) break;
        fund(q.payer);
        queries.push(q);
      }
    }
    const oracle = { method: design.attribution, k: world.k, permutations: design.permutations, samples: design.samples, dupThreshold: design.dupThreshold };
    queries.forEach((q, j) => {
      const r = retrieve(items, active, q, Math.max(world.candidates, world.k));
      // Only sampling methods draw randomness; a fork per query keeps them stable when other queries change.
      const rng = design.attribution === 'mc-shapley' || design.attribution === 'banzhaf' ? oracleRng.fork(`${e}:${j}`) : oracleRng;
      const weights = eventWeights(r, items, oracle, rng);
      const ev: SimEvent = { payer: q.payer, fee: q.fee, items: weights };
      log.events.push(ev);
      allEvents.push(ev);
      const payerAgent = agentOf.get(q.payer);
      if (payerAgent) {
        const s = spend.get(payerAgent)!;
        s.fees += q.fee;
        s.gas += BigInt(GAS.eventBase + GAS.eventPerItem * weights.length);
      }
    });

    if (defences.has('identity-clustering')) {
      const payers = [...new Set(allEvents.map((ev) => ev.payer))].filter((p) => !agentOf.has(p))
        .map((p): Identity => ({ id: p, agent: p, attacker: false, funder: `wallet-${p}` }));
      const bad = clusterIdentities([...identities, ...payers], allEvents, (i) => items[i].identity, design.linkShare);
      for (const it of items) if (bad.has(it.identity)) flag(it.index, 'identity-clustering');
    }
    if (defences.has('challenges') && design.challengesPerEpoch > 0) {
      const usage = new Map<number, number>();
      for (const ev of log.events) for (const w of ev.items) usage.set(w.item, (usage.get(w.item) ?? 0) + w.weight);
      const outcomes = runChallenges(items, usage, active, {
        n: design.challengesPerEpoch, qualityFloor: design.qualityFloor, noise: design.challengeNoise, dupThreshold: design.dupThreshold,
      }, challengeRng.fork(`${e}`));
      for (const c of outcomes) {
        log.challenges.push(c);
        spend.get(CHALLENGER)!.gas += BigInt(GAS.challenge + GAS.resolve);
        if (c.upheld) flag(c.item, 'challenges');
      }
    }
    epochs.push(log);
  }
  return { seed, world, design, identities, items, flagged, epochs, spend, agentOf };
}
