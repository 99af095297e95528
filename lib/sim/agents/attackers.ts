/**
 * Adversarial agents. Each spends one budget (stake, gas, content, fees) and plans within it, so its ROI is
 * real: sybil (one budget over many identities), flood (near-duplicate synthetic items), spam (items
 * stuffed to sit at topic centroids, relevant to nothing), wash (paying fees to query its own items),
 * collusion (a ring cross-querying each other's items), swarm (many cheap automated identities, each
 * washing a little) and free-rider (near-copies of the most retrievable honest items).
 */
import type { Rng } from '../../util/index.ts';
import { type AttackConfig, attackName, ethToWei } from '../config.ts';
import { type Identity, type Item, type Query, type Vec, clampQuality, dot, jitter, normalize } from '../world.ts';
import { type Agent, type AgentContext, type ItemPlan, itemCost, queryCost, SYNTHETIC_COST_FRACTION } from './types.ts';

function identities(agent: string, n: number, launder: boolean): Identity[] {
  return Array.from({ length: n }, (_, j) => {
    const id = `${agent}-${j}`;
    return { id, agent, attacker: true, funder: launder ? `fresh-${id}` : `wallet-${agent}` };
  });
}

function syntheticCost(ctx: AgentContext): bigint {
  return (ctx.honestItemCost * BigInt(Math.round(SYNTHETIC_COST_FRACTION * 1e6))) / 1_000_000n;
}

/** How many items of `contentCost` fit in `budget` after `reserve`, capped by what the daily caps allow. */
function affordable(ctx: AgentContext, budget: bigint, reserve: bigint, contentCost: bigint, nIdentities: number): number {
  const left = budget > reserve ? budget - reserve : 0n;
  return Math.min(Number(left / itemCost(ctx, contentCost)), nIdentities * ctx.world.dailyCap * ctx.world.epochs);
}

function item(identity: string, embedding: Vec, quality: number, topic: number, hash: string, ctx: AgentContext, cost: bigint): ItemPlan {
  return { identity, embedding, quality: clampQuality(quality), topic, contentHash: hash, stake: ctx.stake, contentCost: cost };
}

/** Queries aimed straight at target items (embedding = the item's), paid by `payer`. */
function aimedQueries(targets: readonly Item[], payer: string, n: number, fee: bigint, rng: Rng): Query[] {
  if (targets.length === 0) return [];
  return Array.from({ length: n }, () => {
    const t = targets[rng.int(targets.length)];
    return { payer, topic: t.topic, embedding: t.embedding, fee };
  });
}

/** Wash-style queries to spread evenly over epochs, within what is left of the budget after the items. */
function washPerEpoch(ctx: AgentContext, budget: bigint, itemsSpend: bigint, wanted: number, payers: number): number {
  const per = queryCost(ctx, ctx.world.k);
  const left = budget > itemsSpend ? budget - itemsSpend : 0n;
  const n = Number(left / (per * BigInt(ctx.world.epochs * payers)));
  return Math.min(wanted, n);
}

/** The config of one attack type. */
type Attack<T extends AttackConfig['type']> = Extract<AttackConfig, { type: T }>;

/** The agent of an attack: one builder per type below, each planning its items and queries within the budget. */
export function attackerAgent(a: Exclude<AttackConfig, { type: 'none' }>): Agent {
  const name = attackName(a);
  const budget = ethToWei(a.budgetEth);
  switch (a.type) {
    case 'sybil': return sybilAgent(a, name, budget);
    case 'flood': return floodAgent(a, name, budget);
    case 'spam': return spamAgent(a, name, budget);
    case 'wash': return washAgent(a, name, budget);
    case 'collusion': return collusionAgent(a, name, budget);
    case 'swarm': return swarmAgent(a, name, budget);
    case 'freerider': return freeRiderAgent(a, name, budget);
  }
}

function sybilAgent(a: Attack<'sybil'>, name: string, budget: bigint): Agent {
  const ids = identities(name, a.identities, false);
  return {
    name, attacker: true, budget, identities: ids,
    plan(ctx, rng) {
      const n = affordable(ctx, budget, 0n, ctx.honestItemCost, ids.length);
      return Array.from({ length: n }, (_, j) => {
        const topic = ctx.topics.draw(rng);
        return item(ids[j % ids.length].id, jitter(ctx.topics.centroids[topic], ctx.world.itemNoise, rng), a.quality + 0.1 * rng.normal(), topic, `${name}/${j}`, ctx, ctx.honestItemCost);
      });
    },
    queries: () => [],
  };
}

function floodAgent(a: Attack<'flood'>, name: string, budget: bigint): Agent {
  const ids = identities(name, a.identities, false);
  return {
    name, attacker: true, budget, identities: ids,
    plan(ctx, rng) {
      const cost = syntheticCost(ctx);
      const n = Math.min(a.bases * a.copies, affordable(ctx, budget, 0n, cost, ids.length));
      const popular = ctx.topics.top(a.bases);
      const bases = Array.from({ length: a.bases }, (_, b) => {
        const topic = popular[b % popular.length];
        return { topic, emb: jitter(ctx.topics.centroids[topic], a.spread, rng) };
      });
      return Array.from({ length: n }, (_, j) => {
        const b = bases[j % a.bases];
        return item(ids[j % ids.length].id, jitter(b.emb, a.jitter, rng), a.quality + 0.05 * rng.normal(), b.topic, `${name}/${j}`, ctx, cost);
      });
    },
    queries: () => [],
  };
}

function spamAgent(a: Attack<'spam'>, name: string, budget: bigint): Agent {
  const ids = identities(name, a.identities, false);
  return {
    name, attacker: true, budget, identities: ids,
    plan(ctx) {
      const cost = syntheticCost(ctx);
      const n = Math.min(a.items, affordable(ctx, budget, 0n, cost, ids.length));
      const T = ctx.world.topics;
      return Array.from({ length: n }, (_, j) => {
        // Stuffed: the normalized sum of the centroids of `topicsPerItem` popular topics, so one item sits
        // closer to those topics' queries than any honest item does.
        const v = new Float64Array(ctx.world.dim);
        for (let t = 0; t < a.topicsPerItem; t++) {
          const c = ctx.topics.centroids[(j + t) % T];
          for (let d = 0; d < v.length; d++) v[d] += c[d];
        }
        return item(ids[j % ids.length].id, normalize(v), a.quality, -1, `${name}/${j}`, ctx, cost);
      });
    },
    queries: () => [],
  };
}

function washAgent(a: Attack<'wash'>, name: string, budget: bigint): Agent {
  const owner = identities(name, 1, false)[0];
  const payer: Identity = { id: `${name}-payer`, agent: name, attacker: true, funder: a.launder ? `fresh-${name}-payer` : `wallet-${name}` };
  let perEpoch = 0;
  return {
    name, attacker: true, budget, identities: [owner, payer],
    plan(ctx, rng) {
      const cost = syntheticCost(ctx);
      const n = Math.min(a.items, affordable(ctx, budget, 0n, cost, 1));
      perEpoch = washPerEpoch(ctx, budget, BigInt(n) * itemCost(ctx, cost), a.queriesPerEpoch, 1);
      const topic = ctx.topics.draw(rng);
      const base = jitter(ctx.topics.centroids[topic], 0.08, rng);
      return Array.from({ length: n }, (_, j) => item(owner.id, jitter(base, 0.01, rng), a.quality, topic, `${name}/${j}`, ctx, cost));
    },
    queries: (ctx, _e, own, rng) => aimedQueries(own, payer.id, perEpoch, ctx.fee, rng),
  };
}

function collusionAgent(a: Attack<'collusion'>, name: string, budget: bigint): Agent {
  const ids = identities(name, a.members, false);
  let perEpoch = 0;
  return {
    name, attacker: true, budget, identities: ids,
    plan(ctx, rng) {
      const cost = syntheticCost(ctx);
      const n = Math.min(a.members * a.itemsPerMember, affordable(ctx, budget, 0n, cost, ids.length));
      perEpoch = washPerEpoch(ctx, budget, BigInt(n) * itemCost(ctx, cost), a.queriesPerEpoch, a.members);
      const spots = ids.map(() => {
        const topic = ctx.topics.draw(rng);
        return { topic, base: jitter(ctx.topics.centroids[topic], 0.08, rng) };
      });
      return Array.from({ length: n }, (_, j) => {
        const m = j % a.members;
        return item(ids[m].id, jitter(spots[m].base, 0.01, rng), a.quality, spots[m].topic, `${name}/${j}`, ctx, cost);
      });
    },
    // Member m pays for queries aimed at member m+1's items: nobody queries their own.
    queries(ctx, _e, own, rng) {
      return ids.flatMap((payer, m) => {
        const next = ids[(m + 1) % ids.length].id;
        return aimedQueries(own.filter((it) => it.identity === next), payer.id, perEpoch, ctx.fee, rng);
      });
    },
  };
}

function swarmAgent(a: Attack<'swarm'>, name: string, budget: bigint): Agent {
  const ids = identities(name, a.identities, a.launder);
  let wash = 0;
  let active = 0;
  return {
    name, attacker: true, budget, identities: ids,
    plan(ctx, rng) {
      const cost = syntheticCost(ctx);
      const perIdentity = BigInt(a.itemsPerIdentity) * itemCost(ctx, cost) + BigInt(a.washPerEpoch * ctx.world.epochs) * queryCost(ctx, ctx.world.k);
      active = Math.min(ids.length, Number(budget / (perIdentity > 0n ? perIdentity : 1n)));
      wash = a.washPerEpoch;
      const popular = ctx.topics.top(3);
      return Array.from({ length: active * a.itemsPerIdentity }, (_, j) => {
        const topic = popular[j % popular.length];
        return item(ids[j % active].id, jitter(ctx.topics.centroids[topic], 0.08, rng), a.quality, topic, `${name}/${j}`, ctx, cost);
      });
    },
    queries(ctx, _e, own, rng) {
      return ids.slice(0, active).flatMap((id) => aimedQueries(own.filter((it) => it.identity === id.id), id.id, wash, ctx.fee, rng));
    },
  };
}

function freeRiderAgent(a: Attack<'freerider'>, name: string, budget: bigint): Agent {
  const ids = identities(name, a.identities, false);
  return {
    name, attacker: true, budget, identities: ids,
    plan(ctx, rng) {
      const cost = syntheticCost(ctx);
      const n = Math.min(a.copies, affordable(ctx, budget, 0n, cost, ids.length));
      // Copy the honest items most likely to be retrieved: on popular topics, nearest their centroid.
      const popular = new Set(ctx.topics.top(3));
      const targets = ctx.items
        .filter((it) => it.identity.startsWith('honest-') && popular.has(it.topic))
        .map((it) => ({ it, s: dot(it.embedding, ctx.topics.centroids[it.topic]) }))
        .sort((x, y) => y.s - x.s || x.it.index - y.it.index)
        .slice(0, n);
      return targets.map(({ it }, j) => ({
        ...item(ids[j % ids.length].id, a.jitter > 0 ? jitter(it.embedding, a.jitter, rng) : Float64Array.from(it.embedding), it.quality, it.topic,
          a.jitter > 0 ? `${name}/${j}` : it.contentHash, ctx, cost),
        copyOf: it.index,
      }));
    },
    queries: () => [],
  };
}
