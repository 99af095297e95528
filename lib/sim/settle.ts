/**
 * Fast-mode settlement: the episode's epochs settled with the ledger's exact bigint rules
 * (lib/ledger/rules.ts — the same functions the contract is tested against), so payouts here are the wei
 * the chain would pay for the same script.
 *
 * Per epoch: pool = fees + funding; upheld challenges slash the item's stake (bounty share to the challenger,
 * the rest to the treasury) and the owner's reputation, before finalization; flagged items' weights are
 * skipped; stake S_a is the identity's unslashed item stake registered so far; reputation decays after the
 * epoch's payouts for identities with usage.
 */
import {
  RULE, computePayouts, aggregateEpoch, decayReputation, slashReputation, REPUTATION_START_BPS, BPS, type RuleId,
} from '../ledger/index.ts';
import { type RuleKey, ethToWei } from './config.ts';
import type { Episode } from './episode.ts';

export const RULE_IDS: Record<RuleKey, RuleId> = {
  'pro-rata': RULE.PRO_RATA, stake: RULE.STAKE, 'volume-cap': RULE.VOLUME_CAP, sqrt: RULE.SQRT, reputation: RULE.REPUTATION,
};

export interface Payee { id: string; usage: bigint; volume: bigint; stake: bigint; reputationBps: bigint; score: bigint; payout: bigint }
export interface EpochSettlement { epoch: number; pool: bigint; totalScore: bigint; treasury: bigint; payees: Payee[] }

export interface Settlement {
  epochs: EpochSettlement[];
  /** Total payout per identity over all epochs (identities that never earned are absent). */
  payout: Map<string, bigint>;
  /** Stake slashed per identity (wei). */
  slashed: Map<string, bigint>;
  /** Challenger: bounties earned and bonds lost (rejected challenges pay the bond to the contributor). */
  bounties: bigint;
  bondsLost: bigint;
  /** Bonds won per identity from rejected challenges. */
  bondsWon: Map<string, bigint>;
  reputation: Map<string, bigint>;
  pools: bigint;
  treasury: bigint;
}

const add = (m: Map<string, bigint>, k: string, v: bigint) => m.set(k, (m.get(k) ?? 0n) + v);

export function settleFast(ep: Episode): Settlement {
  const { design } = ep;
  const rule = RULE_IDS[design.rule];
  const bond = ethToWei(design.challengeBondEth);
  const stakeOf = new Map<number, bigint>(); // live item stakes, slashed ones 0
  const flaggedBy = (e: number) => (i: bigint) => {
    const f = ep.flagged.get(Number(i));
    return f !== undefined && f.epoch <= e;
  };
  const reputation = new Map<string, bigint>();
  const rep = (id: string) => reputation.get(id) ?? REPUTATION_START_BPS;
  const out: Settlement = {
    epochs: [], payout: new Map(), slashed: new Map(), bounties: 0n, bondsLost: 0n, bondsWon: new Map(), reputation, pools: 0n, treasury: 0n,
  };
  for (const log of ep.epochs) {
    for (const r of log.registrations) stakeOf.set(r.item, r.stake);
    for (const c of log.challenges) {
      const owner = ep.items[c.item].identity;
      if (c.upheld) {
        const st = stakeOf.get(c.item) ?? 0n;
        stakeOf.set(c.item, 0n);
        add(out.slashed, owner, st);
        const bounty = (st * BigInt(design.slashBountyBps)) / BPS;
        out.bounties += bounty;
        out.treasury += st - bounty;
        reputation.set(owner, slashReputation(rep(owner), BigInt(design.slashRepBps)));
      } else {
        out.bondsLost += bond;
        add(out.bondsWon, owner, bond);
      }
    }
    const pool = log.events.reduce((a, ev) => a + ev.fee, log.funding);
    const totals = aggregateEpoch(log.events, (i) => ep.items[Number(i)].identity, flaggedBy(log.epoch));
    const identityStake = new Map<string, bigint>();
    for (const [i, st] of stakeOf) add(identityStake, ep.items[i].identity, st);
    const rows = totals.map((t) => ({ ...t, stake: identityStake.get(t.id) ?? 0n, reputationBps: rep(t.id) }));
    const res = computePayouts(rows, { rule, pool, capMultipleBps: BigInt(design.capMultipleBps) });
    const payees = rows.map((r, j) => ({ ...r, score: res.scores[j], payout: res.payouts[j] }));
    for (const p of payees) add(out.payout, p.id, p.payout);
    for (const p of payees) if (p.usage > 0n) reputation.set(p.id, decayReputation(rep(p.id), BigInt(design.decayBps)));
    out.epochs.push({ epoch: log.epoch, pool, totalScore: res.totalScore, treasury: res.treasury, payees });
    out.pools += pool;
    out.treasury += res.treasury;
  }
  return out;
}
