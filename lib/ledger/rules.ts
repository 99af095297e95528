/**
 * The reward rules of /work/helpers/rules.md as exact bigint integer math — the off-chain twin of
 * contracts/Settlement.sol. Every division is a floor, in the same order as the contract, so a payout
 * computed here equals the contract's to the wei (test/ledger/settlement.test.ts checks it on random cases).
 * The simulator (lib/sim) reuses this module; keep it free of chain imports.
 */
import { LedgerLabError } from '../errors.ts';

/** Rule ids as stored on chain (`uint8 rule`). */
export const RULE = { PRO_RATA: 0, STAKE: 1, VOLUME_CAP: 2, SQRT: 3, REPUTATION: 4 } as const;
export type RuleId = (typeof RULE)[keyof typeof RULE];
export const RULE_NAMES: Record<RuleId, string> = { 0: 'pro-rata', 1: 'stake', 2: 'volume-cap', 3: 'sqrt', 4: 'reputation' };

export const BPS = 10_000n;
export const ETHER = 10n ** 18n;
/** Reputation never decays below this (a slash can still take it lower). */
export const REPUTATION_FLOOR_BPS = 1_000n;
export const REPUTATION_START_BPS = 10_000n;

/** One identity's epoch totals: U (raw weight units), V (paid volume, wei), S (stake, wei), R (reputation, bps). */
export interface IdentityTotals {
  /** Contributor address or any label; carried through to the result. */
  id: string;
  usage: bigint;
  volume: bigint;
  stake: bigint;
  reputationBps: bigint;
}

export interface PayoutOptions {
  rule: RuleId;
  /** P_e: fees paid in the epoch plus any funding, wei. */
  pool: bigint;
  /** Only for VOLUME_CAP: r_a ≤ capMultipleBps · V_a / 10000. */
  capMultipleBps?: bigint;
}

export interface PayoutResult {
  /** s_a per identity, same order as the input. */
  scores: bigint[];
  /** r_a per identity, same order as the input. */
  payouts: bigint[];
  totalScore: bigint;
  /** P − Σ r_a: rounding dust, cap excess, or the whole pool when S = 0. */
  treasury: bigint;
}

/** floor(sqrt(n)) for n ≥ 0, exact for any size (Newton from above, same iteration as the contract). */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new LedgerLabError({ kind: 'ledger', code: 'ledger.negative_sqrt', problem: `isqrt of negative ${n}`, issues: [{ path: ['n'], message: 'is negative' }] });
  if (n === 0n) return 0n;
  let y = n;
  let z = (n + 1n) / 2n;
  while (z < y) {
    y = z;
    z = (n / z + z) / 2n;
  }
  return y;
}

/** s_a for one identity under a rule (rules.md "Score s_a by rule"). */
export function score(rule: RuleId, t: Pick<IdentityTotals, 'usage' | 'stake' | 'reputationBps'>): bigint {
  switch (rule) {
    case RULE.PRO_RATA:
    case RULE.VOLUME_CAP:
      return t.usage;
    case RULE.STAKE:
      return (t.usage * t.stake) / ETHER;
    case RULE.SQRT:
      return isqrt(t.usage * 1_000_000n);
    case RULE.REPUTATION:
      return (t.usage * t.reputationBps) / BPS;
    default:
      throw new LedgerLabError({ kind: 'ledger', code: 'ledger.unknown_rule', problem: `unknown reward rule ${String(rule)}`, issues: [{ path: ['rule'], message: `unknown reward rule ${String(rule)}` }] });
  }
}

/**
 * Exact epoch payouts: raw_a = floor(P·s_a/S), capped for VOLUME_CAP, treasury gets P − Σ r_a.
 *
 * @example
 * computePayouts([{ id: 'a', usage: 1n, volume: 0n, stake: 0n, reputationBps: 10000n },
 *                 { id: 'b', usage: 2n, volume: 0n, stake: 0n, reputationBps: 10000n }], { rule: 0, pool: 10n })
 * // → { scores: [1n, 2n], payouts: [3n, 6n], totalScore: 3n, treasury: 1n }
 */
export function computePayouts(identities: readonly IdentityTotals[], opts: PayoutOptions): PayoutResult {
  const { rule, pool } = opts;
  const capBps = opts.capMultipleBps ?? 0n;
  const scores = identities.map((t) => score(rule, t));
  const totalScore = scores.reduce((a, b) => a + b, 0n);
  if (totalScore === 0n) return { scores, payouts: identities.map(() => 0n), totalScore, treasury: pool };
  let paid = 0n;
  const payouts = scores.map((s, i) => {
    let r = (pool * s) / totalScore;
    if (rule === RULE.VOLUME_CAP) {
      const cap = (capBps * identities[i].volume) / BPS;
      if (r > cap) r = cap;
    }
    paid += r;
    return r;
  });
  return { scores, payouts, totalScore, treasury: pool - paid };
}

/**
 * Reputation after an epoch in which the identity had usage: max(1000, R − decayBps), except that decay
 * never raises it: R at or below the floor (a slash can put it there) stays R.
 */
export function decayReputation(reputationBps: bigint, decayBps: bigint): bigint {
  if (reputationBps <= REPUTATION_FLOOR_BPS) return reputationBps;
  const r = reputationBps - decayBps;
  return r < REPUTATION_FLOOR_BPS ? REPUTATION_FLOOR_BPS : r;
}

/** Reputation after a lost challenge: R · (10000 − slashRepBps) / 10000. */
export function slashReputation(reputationBps: bigint, slashRepBps: bigint): bigint {
  return (reputationBps * (BPS - slashRepBps)) / BPS;
}

/** One attribution event as logged on chain: fee in wei, item ids with uint32 weights. */
export interface AttributionEvent {
  fee: bigint;
  items: readonly { item: number | bigint; weight: number | bigint }[];
}

/**
 * Per-identity U and V from an epoch's events, the way the contract accumulates them: flagged items are
 * skipped (they neither count in W_j nor earn; their fee share stays in the pool), v is floored per
 * (event, item) entry. `ownerOf` maps an item id to its identity. Identities appear in first-use order,
 * which is also the on-chain payee order.
 */
export function aggregateEpoch(
  events: readonly AttributionEvent[],
  ownerOf: (item: bigint) => string,
  isFlagged: (item: bigint) => boolean = () => false,
): { id: string; usage: bigint; volume: bigint }[] {
  const totals = new Map<string, { id: string; usage: bigint; volume: bigint }>();
  for (const ev of events) {
    let W = 0n;
    for (const it of ev.items) if (!isFlagged(BigInt(it.item))) W += BigInt(it.weight);
    if (W === 0n) continue;
    for (const it of ev.items) {
      const item = BigInt(it.item);
      if (isFlagged(item)) continue;
      const w = BigInt(it.weight);
      const id = ownerOf(item);
      let t = totals.get(id);
      if (!t) totals.set(id, (t = { id, usage: 0n, volume: 0n }));
      t.usage += w;
      t.volume += (ev.fee * w) / W;
    }
  }
  return [...totals.values()];
}
