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
import { type DesignConfig, type WorldConfig, ethToWei } from './config.ts';
import { type Agent, type AgentContext, type ItemPlan, GAS, itemCost } from './agents/index.ts';
import { type Identity, type Item, type Query, Topics, consumerQueries, retrieve } from './world.ts';
import { eventWeights, type Weighted } from './oracle.ts';
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

/** What an episode keeps between its steps: built once by episodeState, changed by the steps below. */
interface EpisodeState {
  world: WorldConfig;
  design: DesignConfig;
  agents: readonly Agent[];
  root: Rng;
  topics: Topics;
  fee: bigint;
  gasPrice: bigint;
  ctx: AgentContext;
  defences: Set<string>;
  items: Item[];
  identities: Identity[];
  agentOf: Map<string, string>;
  byName: Map<string, Agent>;
  spend: Map<string, Spend>;
  funded: Set<string>;
  flagged: Map<number, { epoch: number; by: FlagSource }>;
  /** content hash → the item holding it (see holds). */
  hashes: Map<string, number>;
  queues: Map<string, ItemPlan[]>;
  planned: Set<string>;
  oracleRng: Rng;
  challengeRng: Rng;
  allEvents: SimEvent[];
}

export function playEpisode(world: WorldConfig, design: DesignConfig, agents: readonly Agent[], seed: number): Episode {
  const st = episodeState(world, design, agents, seed);
  const epochs: EpochLog[] = [];
  for (let e = 0; e < world.epochs; e++) {
    const log: EpochLog = { epoch: e, funding: ethToWei(world.fundingEthPerEpoch), registrations: [], rejected: [], events: [], flags: [], challenges: [] };
    const flag = (item: number, by: FlagSource) => {
      if (st.flagged.has(item)) return;
      st.flagged.set(item, { epoch: e, by });
      log.flags.push({ item, by });
    };
    // Honest contributors plan and register first, so copiers see their items.
    const phases = e === 0 ? [agents.filter((a) => !a.attacker), agents.filter((a) => a.attacker)] : [agents];
    for (const phase of phases) {
      for (const a of phase) if (!st.planned.has(a.name)) plan(st, a);
      for (const a of phase) for (const id of a.identities) registerQueued(st, a, id, e, log, flag);
    }
    settleQueries(st, e, log, paidQueries(st, e));
    if (st.defences.has('identity-clustering')) clusterFlags(st, flag);
    if (st.defences.has('challenges') && design.challengesPerEpoch > 0) challenge(st, e, log, flag);
    epochs.push(log);
  }
  return { seed, world, design, identities: st.identities, items: st.items, flagged: st.flagged, epochs, spend: st.spend, agentOf: st.agentOf };
}

function episodeState(world: WorldConfig, design: DesignConfig, agents: readonly Agent[], seed: number): EpisodeState {
  const root = new Rng(seed);
  const topics = new Topics(world, root.fork('topics'));
  const fee = ethToWei(world.feeEth);
  const gasPrice = BigInt(Math.round(world.gasPriceGwei * 1e9));
  const items: Item[] = [];
  const ctx: AgentContext = {
    world, topics, items, fee, stake: ethToWei(world.stakeEth), honestItemCost: ethToWei(world.honestItemCostEth), gasPrice,
  };
  const identities = agents.flatMap((a) => a.identities);
  return {
    world, design, agents, root, topics, fee, gasPrice, ctx, defences: new Set(design.defences), items, identities,
    agentOf: new Map(identities.map((i) => [i.id, i.agent] as const)),
    byName: new Map(agents.map((a) => [a.name, a] as const)),
    spend: new Map<string, Spend>([...agents.map((a) => a.name), CHALLENGER].map((n) => [n, { gas: 0n, fees: 0n, content: 0n, stake: 0n }] as const)),
    funded: new Set(), flagged: new Map(), hashes: new Map(), queues: new Map(), planned: new Set(),
    oracleRng: root.fork('oracle'), challengeRng: root.fork('challenges'), allEvents: [],
  };
}

// An item flagged by an upheld challenge frees its hash (as the ledger's registry does); other flags are
// off-chain and leave it taken.
const holds = (st: EpisodeState, h: string) => { const i = st.hashes.get(h); return i !== undefined && st.flagged.get(i)?.by !== 'challenges'; };
const activeIn = (st: EpisodeState) => (i: number) => !st.flagged.has(i);
const total = (st: EpisodeState, s: Spend) => s.gas * st.gasPrice + s.fees + s.content + s.stake;

function canSpend(st: EpisodeState, agent: string, wei: bigint): boolean {
  const b = st.byName.get(agent)?.budget;
  return b === undefined || total(st, st.spend.get(agent)!) + wei <= b;
}

function fund(st: EpisodeState, identity: string): void {
  if (st.funded.has(identity)) return;
  st.funded.add(identity);
  st.spend.get(st.agentOf.get(identity)!)!.gas += BigInt(GAS.fundIdentity);
}

function plan(st: EpisodeState, a: Agent): void {
  st.planned.add(a.name);
  for (const p of a.plan(st.ctx, st.root.fork(`plan:${a.name}`))) {
    if (!st.queues.has(p.identity)) st.queues.set(p.identity, []);
    st.queues.get(p.identity)!.push(p);
  }
}

/** Registers what identity `id` has queued for epoch `e`, within the daily cap and the agent's budget. */
function registerQueued(st: EpisodeState, a: Agent, id: Identity, e: number, log: EpochLog, flag: (item: number, by: FlagSource) => void): void {
  const { world, design, defences, items, ctx } = st;
  const q = st.queues.get(id.id);
  if (!q) return;
  let n = 0;
  while (q.length > 0 && n < world.dailyCap) {
    const p = q[0];
    if ((p.notBefore ?? 0) > e) break;
    if (!canSpend(st, a.name, itemCost(ctx, p.contentCost) + (st.funded.has(id.id) ? 0n : BigInt(GAS.fundIdentity) * st.gasPrice))) { q.length = 0; break; }
    q.shift();
    fund(st, id.id);
    const s = st.spend.get(a.name)!;
    s.gas += BigInt(GAS.register);
    const exists = holds(st, p.contentHash);
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
      datanet: p.topic >= 0 ? st.topics.datanetOf[p.topic] : 0, contentHash: p.contentHash, stake: p.stake, epoch: e, copyOf: p.copyOf,
    };
    const dup = defences.has('duplicates') ? nearDuplicate(items, it.embedding, design.dupThreshold, activeIn(st)) : -1;
    items.push(it);
    if (!exists) st.hashes.set(p.contentHash, it.index);
    log.registrations.push({ item: it.index, identity: id.id, contentHash: p.contentHash, stake: p.stake, isDuplicate: exists });
    if (dup >= 0) flag(it.index, 'duplicates');
  }
}

/** The epoch's queries: the consumers' workload, then what agents pay for, each within its budget. */
function paidQueries(st: EpisodeState, e: number): Query[] {
  const { world, items, agentOf } = st;
  const active = activeIn(st);
  const queries: Query[] = consumerQueries(world, st.topics, e, st.fee, st.root.fork('consumers'));
  for (const a of st.agents) {
    const own = items.filter((it) => agentOf.get(it.identity) === a.name && active(it.index));
    for (const q of a.queries(st.ctx, e, own, st.root.fork(`queries:${a.name}:${e}`))) {
      const cost = q.fee + BigInt(GAS.eventBase + GAS.eventPerItem * world.k) * st.gasPrice;
      if (!canSpend(st, a.name, cost)) break;
      fund(st, q.payer);
      queries.push(q);
    }
  }
  return queries;
}

/** Each query's retrieval becomes an attribution event; its payer pays the fee and the gas. */
function settleQueries(st: EpisodeState, e: number, log: EpochLog, queries: readonly Query[]): void {
  const { world, design, items } = st;
  const oracle = { method: design.attribution, k: world.k, permutations: design.permutations, samples: design.samples, dupThreshold: design.dupThreshold };
  queries.forEach((q, j) => {
    const r = retrieve(items, activeIn(st), q, Math.max(world.candidates, world.k));
    // Only sampling methods draw randomness; a fork per query keeps them stable when other queries change.
    const rng = design.attribution === 'mc-shapley' || design.attribution === 'banzhaf' ? st.oracleRng.fork(`${e}:${j}`) : st.oracleRng;
    const weights = eventWeights(r, items, oracle, rng);
    const ev: SimEvent = { payer: q.payer, fee: q.fee, items: weights };
    log.events.push(ev);
    st.allEvents.push(ev);
    const payerAgent = st.agentOf.get(q.payer);
    if (payerAgent) {
      const s = st.spend.get(payerAgent)!;
      s.fees += q.fee;
      s.gas += BigInt(GAS.eventBase + GAS.eventPerItem * weights.length);
    }
  });
}

function clusterFlags(st: EpisodeState, flag: (item: number, by: FlagSource) => void): void {
  const { items, agentOf } = st;
  const payers = [...new Set(st.allEvents.map((ev) => ev.payer))].filter((p) => !agentOf.has(p))
    .map((p): Identity => ({ id: p, agent: p, attacker: false, funder: `wallet-${p}` }));
  const bad = clusterIdentities([...st.identities, ...payers], st.allEvents, (i) => items[i].identity, st.design.linkShare);
  for (const it of items) if (bad.has(it.identity)) flag(it.index, 'identity-clustering');
}

function challenge(st: EpisodeState, e: number, log: EpochLog, flag: (item: number, by: FlagSource) => void): void {
  const { design } = st;
  const usage = new Map<number, number>();
  for (const ev of log.events) for (const w of ev.items) usage.set(w.item, (usage.get(w.item) ?? 0) + w.weight);
  const outcomes = runChallenges(st.items, usage, activeIn(st), {
    n: design.challengesPerEpoch, qualityFloor: design.qualityFloor, noise: design.challengeNoise, dupThreshold: design.dupThreshold,
  }, st.challengeRng.fork(`${e}`));
  for (const c of outcomes) {
    log.challenges.push(c);
    st.spend.get(CHALLENGER)!.gas += BigInt(GAS.challenge + GAS.resolve);
    if (c.upheld) flag(c.item, 'challenges');
  }
}
