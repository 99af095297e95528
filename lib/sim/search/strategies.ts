/**
 * Strategy spaces of the attacks: which knobs a best-responding attacker may turn (the list — budget
 * split, number of identities, duplicate/near-duplicate rate, spam targeting, wash volume, ring size, swarm
 * size, timing across epochs) and their ranges, sized from the world's prices and the attack's fixed budget
 * so every point is something the budget can buy. A strategy is decoded from a point of [0, 1]^d; the
 * attacker's type (budget, item quality) is not a choice.
 */
import { type AttackConfig, type WorldConfig, ethToWei } from '../config.ts';
import { GAS, SYNTHETIC_COST_FRACTION, attackerAgent, type Agent, type ItemPlan } from '../agents/index.ts';

export type Attack = Exclude<AttackConfig, { type: 'none' }>;
export interface Knob { name: string; kind: 'int' | 'real' | 'bool'; min: number; max: number }

/** A decoded strategy: attack parameters, plus how items are split over identities and when it starts. */
export interface Strategy {
  attack: Attack;
  /** 0 = items dealt evenly over the identities (the fixed attacks' split); 1 = geometric, heavily skewed. */
  skew: number;
  /** First epoch in which the attacker registers or pays for queries. */
  startEpoch: number;
}

/** Upper bounds on what the budget buys, from the world's prices (same formulas as the agents use). */
export function affordability(w: WorldConfig, budgetEth: number) {
  const gp = BigInt(Math.round(w.gasPriceGwei * 1e9));
  const B = ethToWei(budgetEth);
  const honestCost = ethToWei(w.honestItemCostEth);
  const base = ethToWei(w.stakeEth) + BigInt(GAS.register) * gp;
  const synth = base + (honestCost * BigInt(Math.round(SYNTHETIC_COST_FRACTION * 1e6))) / 1_000_000n;
  const query = ethToWei(w.feeEth) + BigInt(GAS.eventBase + GAS.eventPerItem * w.k) * gp;
  const n = (d: bigint) => Math.max(1, Number(B / (d > 0n ? d : 1n)));
  return { honestItems: n(base + honestCost), syntheticItems: n(synth), queriesPerEpoch: n(query * BigInt(w.epochs)) };
}

const int = (name: string, min: number, max: number): Knob => ({ name, kind: 'int', min, max: Math.max(min, max) });
const real = (name: string, min: number, max: number): Knob => ({ name, kind: 'real', min, max });
const bool = (name: string): Knob => ({ name, kind: 'bool', min: 0, max: 1 });

/** The knobs of one attack type in a world. `skew` and `startEpoch` are handled by strategicAgent. */
export function knobsFor(w: WorldConfig, a: Attack): Knob[] {
  const cap = affordability(w, a.budgetEth);
  const timing = w.epochs > 1 ? [int('startEpoch', 0, w.epochs - 1)] : [];
  const split = [real('skew', 0, 1)];
  switch (a.type) {
    case 'sybil': return [int('identities', 1, cap.honestItems), ...split, ...timing];
    case 'flood': return [int('identities', 1, 20), int('bases', 1, 20), int('copies', 1, cap.syntheticItems), real('spread', 0, 0.3), real('jitter', 0, 0.05), ...split, ...timing];
    case 'spam': return [int('identities', 1, 20), int('items', 1, cap.syntheticItems), int('topicsPerItem', 1, w.topics), ...split, ...timing];
    case 'wash': return [int('items', 1, Math.min(cap.syntheticItems, 40)), int('queriesPerEpoch', 0, cap.queriesPerEpoch), bool('launder'), ...timing];
    case 'collusion': return [int('members', 2, 12), int('itemsPerMember', 1, 10), int('queriesPerEpoch', 0, cap.queriesPerEpoch), ...timing];
    case 'swarm': return [int('identities', 1, 200), int('itemsPerIdentity', 1, 5), int('washPerEpoch', 0, 10), bool('launder'), ...timing];
    case 'freerider': return [int('identities', 1, 10), int('copies', 1, Math.min(cap.syntheticItems, 60)), real('jitter', 0, 0.05), ...split, ...timing];
  }
}

function decodeKnob(k: Knob, u: number): number | boolean {
  // Skew has a dead zone at 0 (the even split is a point the search should be able to land on).
  if (k.name === 'skew') u = Math.max(0, (u - 0.2) / 0.8);
  const v = k.min + u * (k.max - k.min);
  if (k.kind === 'bool') return u >= 0.5;
  if (k.kind === 'int') return Math.round(v);
  return Math.round(v * 1e4) / 1e4; // 4 decimals: a finer real changes nothing the episode can see
}

/** Point of [0,1]^d → strategy; the attack's other fields (budget, quality, name) are kept. */
export function decode(knobs: readonly Knob[], base: Attack, x: readonly number[]): Strategy {
  const params: Record<string, number | boolean> = {};
  knobs.forEach((k, d) => (params[k.name] = decodeKnob(k, x[d])));
  const { skew = 0, startEpoch = 0, ...rest } = params as Record<string, number>;
  return { attack: { ...base, ...rest } as Attack, skew: Number(skew), startEpoch: Number(startEpoch) };
}

/** The fixed attack as a point (its start for the search); values outside a knob's range are clipped. */
export function encode(knobs: readonly Knob[], a: Attack): number[] {
  return knobs.map((k) => {
    const v = k.name === 'skew' || k.name === 'startEpoch' ? 0 : (a as unknown as Record<string, number | boolean>)[k.name];
    const n = typeof v === 'boolean' ? (v ? 1 : 0) : Number(v);
    return k.max === k.min ? 0 : Math.min(1, Math.max(0, (n - k.min) / (k.max - k.min)));
  });
}

/** The chosen values, flat, for reports and JSON ({identities: 16, skew: 0, startEpoch: 0, …}). */
export function describeStrategy(knobs: readonly Knob[], s: Strategy): Record<string, number | boolean> {
  const out: Record<string, number | boolean> = {};
  for (const k of knobs) {
    out[k.name] = k.name === 'skew' ? s.skew : k.name === 'startEpoch' ? s.startEpoch : (s.attack as unknown as Record<string, number | boolean>)[k.name];
  }
  return out;
}

/**
 * Items dealt to identities by geometric weights r^j, r = 1 − 0.9·skew (largest remainder), interleaved so
 * that equal quotas give the fixed attacks' round-robin order. Only for attacks whose identities are
 * interchangeable owners (sybil, flood, spam, free-rider).
 */
function reassign(plans: ItemPlan[], ids: readonly string[], skew: number): ItemPlan[] {
  const n = ids.length;
  const r = 1 - 0.9 * skew;
  const w = Array.from({ length: n }, (_, j) => r ** j);
  const W = w.reduce((a, b) => a + b, 0);
  const exact = w.map((x) => (x / W) * plans.length);
  const quota = exact.map(Math.floor);
  let left = plans.length - quota.reduce((a, b) => a + b, 0);
  const order = exact.map((x, j) => ({ j, f: x - Math.floor(x) })).sort((a, b) => b.f - a.f || a.j - b.j);
  for (const o of order) if (left-- > 0) quota[o.j]++;
  const given = new Array<number>(n).fill(0);
  return plans.map((p) => {
    let pick = -1, best = -1;
    for (let j = 0; j < n; j++) {
      if (given[j] >= quota[j]) continue;
      const remaining = (quota[j] - given[j]) / quota[j];
      if (remaining > best) { best = remaining; pick = j; }
    }
    given[pick]++;
    return { ...p, identity: ids[pick] };
  });
}

const SPLITTABLE = new Set(['sybil', 'flood', 'spam', 'freerider']);

/** The attacker playing a strategy: the attack's own agent, items re-split and held back until startEpoch. */
export function strategicAgent(s: Strategy): Agent {
  const base = attackerAgent(s.attack);
  return {
    ...base,
    plan(ctx, rng) {
      let plans = base.plan(ctx, rng);
      if (s.skew > 0 && SPLITTABLE.has(s.attack.type)) plans = reassign(plans, base.identities.map((i) => i.id), s.skew);
      if (s.startEpoch > 0) plans = plans.map((p) => ({ ...p, notBefore: s.startEpoch }));
      return plans;
    },
    queries: (ctx, e, own, rng) => (e < s.startEpoch ? [] : base.queries(ctx, e, own, rng)),
  };
}
