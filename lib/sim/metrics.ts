/**
 * Per-run metrics from a settled episode: attacker ROI (income − cost)/cost with real costs (gas, fees,
 * content, stake capital cost, slashed stake), captured share of the pools, honest payouts (for retention
 * against the attack-free run), Gini of identity payouts, defence detection precision/recall on items, gas.
 */
import { GAS } from './agents/index.ts';
import { type Episode, CHALLENGER } from './episode.ts';
import type { Settlement } from './settle.ts';

export const weiToEth = (x: bigint): number => Number(x) / 1e18;

/** Gini coefficient of non-negative values (0 = equal, → 1 = one takes all); 0 for an all-zero list. */
export function gini(values: readonly number[]): number {
  const xs = values.slice().sort((a, b) => a - b);
  const n = xs.length;
  const sum = xs.reduce((a, b) => a + b, 0);
  if (n === 0 || sum === 0) return 0;
  let acc = 0;
  xs.forEach((x, i) => (acc += (i + 1) * x));
  return (2 * acc) / (n * sum) - (n + 1) / n;
}

export interface Account { payout: bigint; income: bigint; cost: bigint; gas: bigint }

/** Income and cost of every agent (wei), claims priced per epoch with a payout. */
export function accounts(ep: Episode, st: Settlement): Map<string, Account> {
  const gasPrice = BigInt(Math.round(ep.world.gasPriceGwei * 1e9));
  const out = new Map<string, Account>();
  for (const [agent, s] of ep.spend) {
    out.set(agent, { payout: 0n, income: 0n, cost: s.fees + s.content + (s.stake * BigInt(ep.world.stakeCostBps)) / 10_000n, gas: s.gas });
  }
  for (const e of st.epochs) {
    for (const p of e.payees) {
      if (p.payout === 0n) continue;
      const a = out.get(ep.agentOf.get(p.id)!)!;
      a.payout += p.payout;
      a.income += p.payout;
      a.gas += BigInt(GAS.claim);
    }
  }
  for (const [id, v] of st.slashed) out.get(ep.agentOf.get(id)!)!.cost += v;
  for (const [id, v] of st.bondsWon) out.get(ep.agentOf.get(id)!)!.income += v;
  const ch = out.get(CHALLENGER)!;
  ch.income += st.bounties;
  ch.cost += st.bondsLost;
  for (const a of out.values()) a.cost += a.gas * gasPrice;
  return out;
}

export interface RunMetrics {
  attackerPayoutEth: number;
  attackerCostEth: number;
  /** (income − cost)/cost of the attacker agent(s); NaN without an attacker. */
  roi: number;
  capturedShare: number;
  honestPayoutEth: number;
  gini: number;
  /** Item-level: flagged or rejected items that are attackers' / all flagged or rejected. NaN if none flagged. */
  precision: number;
  /** Attackers' items flagged or rejected / all attackers' items. NaN without attacker items. */
  recall: number;
  honestFlagged: number;
  gas: number;
  poolEth: number;
}

export function runMetrics(ep: Episode, st: Settlement): RunMetrics {
  const acc = accounts(ep, st);
  const attackerAgents = new Set(ep.identities.filter((i) => i.attacker).map((i) => i.agent));
  let aPay = 0n, aIncome = 0n, aCost = 0n, hPay = 0n;
  for (const [name, a] of acc) {
    if (attackerAgents.has(name)) { aPay += a.payout; aIncome += a.income; aCost += a.cost; } else if (name !== CHALLENGER) hPay += a.payout;
  }
  const owners = new Set(ep.items.map((it) => it.identity));
  const isAttacker = new Map(ep.identities.map((i) => [i.id, i.attacker] as const));
  const g = gini([...owners].map((id) => weiToEth(st.payout.get(id) ?? 0n)));
  let tp = 0, fp = 0, attackerItems = 0;
  for (const it of ep.items) {
    const bad = isAttacker.get(it.identity)!;
    if (bad) attackerItems++;
    if (ep.flagged.has(it.index)) { if (bad) tp++; else fp++; }
  }
  for (const log of ep.epochs) for (const r of log.rejected) { if (r.attacker) { tp++; attackerItems++; } else fp++; }
  // Consumers' attribution events, finalization pages and claims are gas too (paid by consumers/the protocol).
  let gas = 0n;
  for (const a of acc.values()) gas += a.gas;
  for (const log of ep.epochs) for (const ev of log.events) if (!ep.agentOf.has(ev.payer)) gas += BigInt(GAS.eventBase + GAS.eventPerItem * ev.items.length);
  for (const e of st.epochs) gas += BigInt(GAS.finalizePerPayee * e.payees.length);
  return {
    attackerPayoutEth: weiToEth(aPay),
    attackerCostEth: weiToEth(aCost),
    roi: attackerAgents.size === 0 || aCost === 0n ? NaN : Number(aIncome - aCost) / Number(aCost),
    capturedShare: st.pools === 0n ? 0 : Number(aPay) / Number(st.pools),
    honestPayoutEth: weiToEth(hPay),
    gini: g,
    precision: tp + fp === 0 ? NaN : tp / (tp + fp),
    recall: attackerItems === 0 ? NaN : tp / attackerItems,
    honestFlagged: fp,
    gas: Number(gas),
    poolEth: weiToEth(st.pools),
  };
}
