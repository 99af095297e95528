/**
 * Honest contributors: each specialises in a favourite topic, produces items of its own typical quality,
 * stakes the world's stake per item, and never pays for queries. `honestEquivalent` is the counterfactual
 * for the attack gain ratio: one identity spending an attacker's whole budget on honest items.
 */
import type { Rng } from '../../util/index.ts';
import { clampQuality, jitter } from '../world.ts';
import { type Agent, type AgentContext, type ItemPlan, itemCost } from './types.ts';

function honestItems(ctx: AgentContext, identity: string, n: number, rng: Rng, meanQuality: number): ItemPlan[] {
  const fav = ctx.topics.draw(rng);
  return Array.from({ length: n }, (_, j) => {
    const topic = rng.next() < 0.7 ? fav : ctx.topics.draw(rng);
    return {
      identity,
      embedding: jitter(ctx.topics.centroids[topic], ctx.world.itemNoise, rng),
      quality: clampQuality(meanQuality + 0.1 * rng.normal()),
      topic,
      contentHash: `${identity}/${j}`,
      stake: ctx.stake,
      contentCost: ctx.honestItemCost,
    };
  });
}

export function honestAgent(index: number): Agent {
  const id = `honest-${index}`;
  return {
    name: id,
    attacker: false,
    identities: [{ id, agent: id, attacker: false, funder: `wallet-${id}` }],
    plan(ctx, rng) {
      const q = clampQuality(ctx.world.qualityMean + ctx.world.qualitySd * rng.normal());
      return honestItems(ctx, id, ctx.world.itemsPerHonest, rng, q);
    },
    queries: () => [],
  };
}

/** An honest contributor with `budget`: as many honest-quality items as the budget buys (one identity). */
export function honestEquivalent(name: string, budget: bigint): Agent {
  const id = `${name}-0`;
  return {
    name,
    attacker: true, // it stands in for the attacker: its payout is the attacker's counterfactual
    budget,
    identities: [{ id, agent: name, attacker: true, funder: `wallet-${name}` }],
    plan(ctx, rng) {
      const n = Number(budget / itemCost(ctx, ctx.honestItemCost));
      const cap = ctx.world.dailyCap * ctx.world.epochs;
      return honestItems(ctx, id, Math.min(n, cap), rng, ctx.world.qualityMean);
    },
    queries: () => [],
  };
}
