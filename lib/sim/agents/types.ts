/**
 * What an agent is to the simulator: identities it controls, the items it wants registered (a queue the
 * world drains under the daily cap and the agent's budget), and the queries it pays for each epoch.
 */
import type { Rng } from '../../util/index.ts';
import type { WorldConfig } from '../config.ts';
import type { Identity, Item, Query, Topics, Vec } from '../world.ts';

/** Gas estimates per operation (units); priced at world.gasPriceGwei. Stated, not measured: evm mode measures. */
export const GAS = {
  fundIdentity: 21_000,
  register: 150_000,
  eventBase: 60_000,
  eventPerItem: 25_000,
  claim: 50_000,
  challenge: 90_000,
  resolve: 70_000,
  finalizePerPayee: 30_000,
} as const;

/** Synthetic or copied content costs this fraction of an honest item to produce. */
export const SYNTHETIC_COST_FRACTION = 0.05;

export interface ItemPlan {
  identity: string;
  embedding: Vec;
  quality: number;
  topic: number;
  contentHash: string;
  stake: bigint;
  contentCost: bigint;
  copyOf?: number;
  /** Not registered before this epoch (an attacker's timing); default 0. */
  notBefore?: number;
}

export interface AgentContext {
  world: WorldConfig;
  topics: Topics;
  /** Items registered so far (copiers look at them). */
  items: readonly Item[];
  fee: bigint;
  stake: bigint;
  honestItemCost: bigint;
  gasPrice: bigint;
}

export interface Agent {
  name: string;
  attacker: boolean;
  /** Spending limit in wei (fees + gas + stake + content); undefined = unlimited (honest contributors). */
  budget?: bigint;
  identities: Identity[];
  /** Called once, at epoch 0 after honest contributors registered. */
  plan(ctx: AgentContext, rng: Rng): ItemPlan[];
  /** Paid queries of this epoch; `own` are the agent's registered, unflagged items. */
  queries(ctx: AgentContext, epoch: number, own: readonly Item[], rng: Rng): Query[];
}

/** Wei cost of registering one item (stake locked + gas + content), used by agents to size plans to budget. */
export function itemCost(ctx: AgentContext, contentCost: bigint): bigint {
  return ctx.stake + BigInt(GAS.register) * ctx.gasPrice + contentCost;
}

export function queryCost(ctx: AgentContext, itemsPerEvent: number): bigint {
  return ctx.fee + BigInt(GAS.eventBase + GAS.eventPerItem * itemsPerEvent) * ctx.gasPrice;
}
