/**
 * An independent model of the attribution ledger for the invariant test: plain maps, the bigint rules of
 * lib/ledger/rules.ts for every number (aggregation, scores, payouts, reputation), and a stake snapshot of
 * every identity taken at each closeEpoch (the contract keeps a lazy checkpoint instead; the two must agree).
 * Each `check*` returns the custom error the contract must revert with (name and args), or null when the
 * call must succeed; each `apply*` then performs the successful call on the model.
 */
import { AbiCoder, keccak256 } from 'ethers';
import {
  aggregateEpoch, computePayouts, decayReputation, score, slashReputation, BPS, REPUTATION_START_BPS,
  type PayoutResult, type RuleId,
} from '../../lib/ledger/index.ts';

export interface ModelParams {
  dailyCap: number; challengeBond: bigint; challengeWindow: number; resolveWindow: number; revealWindow: number;
  slashBountyBps: number; slashRepBps: number; decayBps: number; capMultipleBps: number;
}
export type Expect = { reason: string; args?: unknown[] } | null;

interface MItem { id: number; owner: string; registeredAt: number; flagged: boolean; isDuplicate: boolean; challenged: boolean; stake: bigint }
interface MChallenge { itemId: number; status: number; challenger: string; bond: bigint; deadline: number }
interface MAccount { usage: bigint; volume: bigint; claimed: boolean }
export interface MEpoch {
  pool: bigint; rule: RuleId; phase: number; capBps: bigint; cursor: number; payees: string[]; accounts: Map<string, MAccount>;
  stakeAtClose: Map<string, bigint>; repUsed: Map<string, bigint>; runningScore: bigint; result?: PayoutResult; claimed: bigint; dust: bigint;
}
interface MCommit { count: number; number: number; time: number }

const PHASE = { Open: 0, Closed: 1, Scored: 2, Settled: 3 } as const;
const lc = (a: string) => a.toLowerCase();
const err = (reason: string, args?: unknown[]): Expect => ({ reason, args });

export class LedgerModel {
  readonly p: ModelParams;
  readonly treasury: string;
  now = 0;
  items: MItem[] = [null as unknown as MItem];
  holder = new Map<string, number>();
  rank = new Map<string, number>();
  commits = new Map<string, MCommit>(); // key sender:commitment
  commitCount = 0;
  stake = new Map<string, bigint>();
  rep = new Map<string, bigint>();
  day = new Map<string, { day: number; count: number }>();
  challenges: MChallenge[] = [null as unknown as MChallenge];
  credits = new Map<string, bigint>();
  epochs: MEpoch[] = [];
  nextRule: RuleId = 0;
  /** Every payout made: `${epoch}:${account}` → amount. */
  paid = new Map<string, bigint>();

  constructor(p: ModelParams, treasury: string) {
    this.p = p;
    this.treasury = lc(treasury);
    this.epochs.push(this.newEpoch(0));
  }

  private newEpoch(rule: RuleId): MEpoch {
    return { pool: 0n, rule, phase: PHASE.Open, capBps: 0n, cursor: 0, payees: [], accounts: new Map(), stakeAtClose: new Map(), repUsed: new Map(), runningScore: 0n, claimed: 0n, dust: 0n };
  }

  get current(): number { return this.epochs.length - 1; }
  get itemCount(): number { return this.items.length - 1; }
  repOf(a: string): bigint { return this.rep.get(lc(a)) ?? REPUTATION_START_BPS; }
  stakeOf(a: string): bigint { return this.stake.get(lc(a)) ?? 0n; }
  creditOf(a: string): bigint { return this.credits.get(lc(a)) ?? 0n; }
  private credit(a: string, v: bigint) { if (v > 0n) this.credits.set(lc(a), this.creditOf(a) + v); }
  private addStake(a: string, v: bigint) { this.stake.set(lc(a), this.stakeOf(a) + v); }

  /** The accounting identity: where every wei the contract holds belongs. */
  holdings(): { stakes: bigint; bonds: bigint; pools: bigint; unclaimed: bigint; credits: bigint; treasury: bigint } {
    let stakes = 0n, bonds = 0n, pools = 0n, unclaimed = 0n, credits = 0n;
    for (const it of this.items.slice(1)) stakes += it.stake;
    for (const c of this.challenges.slice(1)) if (c.status === 1) bonds += c.bond;
    for (const e of this.epochs) {
      if (e.phase === PHASE.Settled) unclaimed += e.pool - e.dust - e.claimed;
      else pools += e.pool - e.claimed;
    }
    for (const [a, v] of this.credits) if (a !== this.treasury) credits += v;
    return { stakes, bonds, pools, unclaimed, credits, treasury: this.creditOf(this.treasury) };
  }

  // ---------------------------------------------------------------- registration
  static commitment(sender: string, h: string, size: number, datanet: number, salt: string): string {
    return keccak256(AbiCoder.defaultAbiCoder().encode(['address', 'bytes32', 'uint64', 'uint64', 'bytes32'], [sender, h, size, datanet, salt]));
  }

  private precedes(c: MCommit, h: string, holder: number): boolean {
    const r = this.rank.get(h) ?? 0;
    return r === 0 ? c.count < holder : c.number < r;
  }

  /** The outcome of a registration (plain when `c` is undefined). */
  checkRegister(sender: string, h: string, c?: MCommit): Expect {
    const d = Math.floor(this.now / 86400);
    const dc = this.day.get(lc(sender));
    const count = dc && dc.day === d ? dc.count : 0;
    if (this.p.dailyCap !== 0 && count >= this.p.dailyCap) return err('DailyCapExceeded', [lc(sender), BigInt(d), BigInt(this.p.dailyCap)]);
    const hold = this.holder.get(h);
    if (hold !== undefined && !this.items[hold].flagged && !(c && this.precedes(c, h, hold))) return err('DuplicateContent', [h, BigInt(hold)]);
    return null;
  }

  /** Applies a successful registration; returns the new id and the item whose hash it took back, if any. */
  applyRegister(sender: string, h: string, value: bigint, c?: MCommit): { id: number; reclaimedFrom?: number } {
    const d = Math.floor(this.now / 86400);
    const dc = this.day.get(lc(sender));
    this.day.set(lc(sender), { day: d, count: dc && dc.day === d ? dc.count + 1 : 1 });
    const id = this.items.length;
    const hold = this.holder.get(h);
    let reclaimedFrom: number | undefined;
    if (hold !== undefined && !this.items[hold].flagged) {
      reclaimedFrom = hold; // checkRegister allowed it, so c precedes the holder
      this.items[hold].isDuplicate = true;
    }
    this.items.push({ id, owner: lc(sender), registeredAt: this.now, flagged: false, isDuplicate: false, challenged: false, stake: value });
    this.holder.set(h, id);
    this.rank.set(h, c ? c.number : 0);
    this.addStake(sender, value);
    return { id, reclaimedFrom };
  }

  applyCommit(sender: string, commitment: string): number {
    const number = ++this.commitCount;
    this.commits.set(`${lc(sender)}:${commitment}`, { count: this.itemCount, number, time: this.now });
    return number;
  }

  checkReveal(sender: string, commitment: string, h: string): Expect {
    const c = this.commits.get(`${lc(sender)}:${commitment}`);
    if (!c) return err('UnknownCommitment', [commitment]);
    if (this.now > c.time + this.p.revealWindow) return err('CommitmentExpired', [commitment, BigInt(c.time + this.p.revealWindow)]);
    return this.checkRegister(sender, h, c);
  }

  applyReveal(sender: string, commitment: string, h: string, value: bigint) {
    const key = `${lc(sender)}:${commitment}`;
    const c = this.commits.get(key)!;
    this.commits.delete(key);
    return this.applyRegister(sender, h, value, c);
  }

  // ---------------------------------------------------------------- staking
  checkAddStake(sender: string, id: number, value: bigint): Expect {
    const it = this.items[id];
    if (it.owner !== lc(sender)) return err('NotItemOwner', [BigInt(id), lc(sender)]);
    if (it.flagged) return err('ItemIsFlagged', [BigInt(id)]);
    if (value === 0n) return err('ZeroValue', []);
    return null;
  }
  applyAddStake(id: number, value: bigint) { this.items[id].stake += value; this.addStake(this.items[id].owner, value); }

  checkWithdrawStake(sender: string, id: number): Expect {
    const it = this.items[id];
    if (it.owner !== lc(sender)) return err('NotItemOwner', [BigInt(id), lc(sender)]);
    if (it.flagged) return err('ItemIsFlagged', [BigInt(id)]);
    if (it.challenged) return err('ChallengeOpen', [BigInt(id)]);
    if (this.now < it.registeredAt + this.p.challengeWindow) return err('ChallengeWindowOpen', [BigInt(id), BigInt(it.registeredAt + this.p.challengeWindow)]);
    if (it.stake === 0n) return err('NothingToWithdraw', []);
    return null;
  }
  applyWithdrawStake(id: number): bigint {
    const it = this.items[id];
    const v = it.stake;
    it.stake = 0n;
    this.addStake(it.owner, -v);
    return v;
  }

  checkChallenge(sender: string, id: number, value: bigint): Expect {
    const it = this.items[id];
    if (it.owner === lc(sender)) return err('SelfChallenge', [BigInt(id)]);
    if (it.flagged) return err('ItemIsFlagged', [BigInt(id)]);
    if (it.challenged) return err('ChallengeOpen', [BigInt(id)]);
    if (this.now >= it.registeredAt + this.p.challengeWindow) return err('ChallengeWindowClosed', [BigInt(id), BigInt(it.registeredAt + this.p.challengeWindow)]);
    if (value !== this.p.challengeBond) return err('WrongBond', [value, this.p.challengeBond]);
    return null;
  }
  applyChallenge(sender: string, id: number): number {
    this.items[id].challenged = true;
    this.challenges.push({ itemId: id, status: 1, challenger: lc(sender), bond: this.p.challengeBond, deadline: this.now + this.p.resolveWindow });
    return this.challenges.length - 1;
  }

  private checkOpen(cid: number): Expect {
    const c = this.challenges[cid];
    if (!c) return err('UnknownChallenge', [BigInt(cid)]);
    if (c.status !== 1) return err('ChallengeNotOpen', [BigInt(cid)]);
    return null;
  }
  checkResolve(cid: number): Expect {
    const e = this.checkOpen(cid);
    if (e) return e;
    const c = this.challenges[cid];
    if (this.now >= c.deadline) return err('ResolutionDeadlinePassed', [BigInt(cid), BigInt(c.deadline)]);
    return null;
  }
  /** Returns the slashed stake and the bounty. */
  applyResolve(cid: number, upheld: boolean): { stake: bigint; bounty: bigint } {
    const c = this.challenges[cid];
    const it = this.items[c.itemId];
    it.challenged = false;
    if (!upheld) {
      c.status = 3;
      this.credit(it.owner, c.bond);
      return { stake: 0n, bounty: 0n };
    }
    c.status = 2;
    it.flagged = true;
    const st = it.stake;
    it.stake = 0n;
    this.addStake(it.owner, -st);
    const bounty = (st * BigInt(this.p.slashBountyBps)) / BPS;
    this.credit(c.challenger, bounty + c.bond);
    this.credit(this.treasury, st - bounty);
    this.rep.set(it.owner, slashReputation(this.repOf(it.owner), BigInt(this.p.slashRepBps)));
    return { stake: st, bounty };
  }
  checkLapse(cid: number): Expect {
    const e = this.checkOpen(cid);
    if (e) return e;
    const c = this.challenges[cid];
    if (this.now < c.deadline) return err('ResolutionPending', [BigInt(cid), BigInt(c.deadline)]);
    return null;
  }
  applyLapse(cid: number) {
    const c = this.challenges[cid];
    c.status = 4;
    const it = this.items[c.itemId];
    it.challenged = false;
    this.credit(it.owner, c.bond);
  }

  // ---------------------------------------------------------------- attribution
  /** Events as logged; flags are read now (an item flagged later in the epoch still counted here). */
  applyLog(events: { fee: bigint; items: number[]; weights: number[] }[]) {
    const ep = this.epochs[this.current];
    for (const ev of events) {
      const rows = aggregateEpoch([{ fee: ev.fee, items: ev.items.map((item, k) => ({ item, weight: ev.weights[k] })) }], (i) => this.items[Number(i)].owner, (i) => this.items[Number(i)].flagged);
      for (const r of rows) {
        let a = ep.accounts.get(r.id);
        if (!a) {
          ep.accounts.set(r.id, (a = { usage: 0n, volume: 0n, claimed: false }));
          ep.payees.push(r.id);
        }
        a.usage += r.usage;
        a.volume += r.volume;
      }
      ep.pool += ev.fee;
    }
  }
  applyFund(v: bigint) { this.epochs[this.current].pool += v; }
  applySetRule(rule: RuleId) { this.epochs[this.current].rule = rule; this.nextRule = rule; }

  // ---------------------------------------------------------------- settlement
  checkClose(): Expect {
    const e = this.current;
    if (e > 0 && this.epochs[e - 1].phase === PHASE.Closed) return err('WrongPhase', [BigInt(e - 1), 2n, 1n]);
    return null;
  }
  applyClose() {
    const ep = this.epochs[this.current];
    ep.phase = PHASE.Closed;
    ep.capBps = BigInt(this.p.capMultipleBps);
    ep.stakeAtClose = new Map(this.stake); // every identity, independently of the contract's checkpoint
    this.epochs.push(this.newEpoch(this.nextRule));
  }

  private checkPage(e: number, want: number, n: bigint): Expect {
    if (e >= this.current) return err('UnknownEpoch', [BigInt(e)]);
    const ep = this.epochs[e];
    if (ep.phase !== want) return err('WrongPhase', [BigInt(e), BigInt(want), BigInt(ep.phase)]);
    if (n === 0n) return err('ZeroCount', []);
    return null;
  }
  private pageEnd(ep: MEpoch, n: bigint): number {
    const left = BigInt(ep.payees.length - ep.cursor);
    return n >= left ? ep.payees.length : ep.cursor + Number(n);
  }
  private row(ep: MEpoch, a: string) {
    const acc = ep.accounts.get(a)!;
    return { id: a, usage: acc.usage, volume: acc.volume, stake: ep.stakeAtClose.get(a) ?? 0n, reputationBps: ep.repUsed.get(a)! };
  }
  checkScores(e: number, n: bigint): Expect { return this.checkPage(e, PHASE.Closed, n); }
  /** One score page; returns [from, end, running total] and, on the last page, the epoch's result. */
  applyScores(e: number, n: bigint): { from: number; end: number; total: bigint; done: boolean } {
    const ep = this.epochs[e];
    const from = ep.cursor;
    const end = this.pageEnd(ep, n);
    for (let i = from; i < end; i++) {
      const a = ep.payees[i];
      ep.repUsed.set(a, this.repOf(a));
      ep.runningScore += score(ep.rule, this.row(ep, a));
      this.rep.set(a, decayReputation(this.repOf(a), BigInt(this.p.decayBps)));
    }
    ep.cursor = end;
    const done = end === ep.payees.length;
    if (done) {
      ep.cursor = 0;
      ep.result = computePayouts(ep.payees.map((a) => this.row(ep, a)), { rule: ep.rule, pool: ep.pool, capMultipleBps: ep.capBps });
      if (ep.result.totalScore === 0n) {
        ep.phase = PHASE.Settled;
        ep.dust = ep.pool;
        this.credit(this.treasury, ep.pool);
      } else ep.phase = PHASE.Scored;
    }
    return { from, end, total: ep.runningScore, done };
  }
  checkSums(e: number, n: bigint): Expect { return this.checkPage(e, PHASE.Scored, n); }
  applySums(e: number, n: bigint): { done: boolean; paid: bigint; dust: bigint } {
    const ep = this.epochs[e];
    const end = this.pageEnd(ep, n);
    ep.cursor = end;
    const done = end === ep.payees.length;
    const paid = ep.result!.payouts.reduce((s, x) => s + x, 0n);
    if (done) {
      ep.cursor = 0;
      ep.phase = PHASE.Settled;
      ep.dust = ep.result!.treasury;
      this.credit(this.treasury, ep.dust);
    }
    return { done, paid, dust: ep.result!.treasury };
  }

  payoutOf(e: number, a: string): bigint {
    const ep = this.epochs[e];
    if (!ep?.result || ep.result.totalScore === 0n) return 0n;
    const i = ep.payees.indexOf(lc(a));
    return i < 0 ? 0n : ep.result.payouts[i];
  }
  checkClaim(e: number, sender: string): Expect {
    if (e >= this.current) return err('UnknownEpoch', [BigInt(e)]);
    const ep = this.epochs[e];
    if (ep.phase !== PHASE.Scored && ep.phase !== PHASE.Settled) return err('WrongPhase', [BigInt(e), 2n, BigInt(ep.phase)]);
    if (ep.accounts.get(lc(sender))?.claimed) return err('AlreadyClaimed', [BigInt(e), lc(sender)]);
    if (this.payoutOf(e, sender) === 0n) return err('NothingToClaim', [BigInt(e), lc(sender)]);
    return null;
  }
  applyClaim(e: number, sender: string): bigint {
    const key = `${e}:${lc(sender)}`;
    if (this.paid.has(key)) throw new Error(`model: ${key} paid twice`);
    const v = this.payoutOf(e, sender);
    this.epochs[e].accounts.get(lc(sender))!.claimed = true;
    this.epochs[e].claimed += v;
    this.paid.set(key, v);
    return v;
  }

  checkWithdraw(sender: string): Expect { return this.creditOf(sender) === 0n ? err('NothingToWithdraw', []) : null; }
  applyWithdraw(sender: string): bigint { const v = this.creditOf(sender); this.credits.set(lc(sender), 0n); return v; }
}
