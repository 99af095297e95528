// Issue 20, point 5: seeded random sequences of every ledger operation against an independent model
// (test/ledger/ledger-model.ts), with the invariants checked after every step:
//   - the contract's balance = stakes + open bonds + pools + unclaimed payouts + credits (treasury and
//     others), to the wei;
//   - every call succeeds or reverts exactly as the model says (custom error and arguments);
//   - nobody is paid twice: each (epoch, payee) is paid once, exactly its rules.ts payout, and the
//     recipient's balance grows by exactly that;
//   - on every scored and settled epoch the contract's scores, payouts, totals and dust equal
//     lib/ledger/rules.ts on the model's inputs (stake as at closeEpoch, reputation at the page).
// One in-process chain; one transaction per step with automine, at a timestamp the model chose.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { id as keccakId } from 'ethers';
import { setup, type Fixture } from './fixture.ts';
import { LedgerRevertError, type Receipt, type RuleId, type DecodedLog } from '../../lib/ledger/index.ts';
import { Rng } from '../../lib/util/index.ts';
import { LedgerModel, type Expect, type ModelParams } from './ledger-model.ts';

const STEPS = Number(process.env.LEDGERLAB_INVARIANT_STEPS ?? 2_500);
const SEEDS = ['inv-a', 'inv-b'];
const USERS = 32;
const MAX = 2n ** 256n - 1n;
const P: ModelParams = {
  dailyCap: 3, challengeBond: 1_000_000n, challengeWindow: 3_000, resolveWindow: 2_000, revealWindow: 1_500,
  slashBountyBps: 3_000, slashRepBps: 4_000, decayBps: 700, capMultipleBps: 15_000,
};

let fx: Fixture;
test.before(async () => { fx = await setup({ params: { ...P, allowDuplicates: false, minStake: 0n } }, USERS); });
test.after(async () => { await fx.chain.close(); });

const lc = (a: string) => a.toLowerCase();

async function run(seed: string) {
  const rng = new Rng(seed);
  const { ledger, chain, owner } = fx;
  const users = fx.users.map(lc);
  const treasury = lc(fx.treasury);
  const m = new LedgerModel(P, treasury);
  const block = await chain.request<{ timestamp: string }>('eth_getBlockByNumber', ['latest', false]);
  // Start at a fixed time of day: daily caps count by day, so a start taken from the wall clock made the run depend on it.
  m.now = Math.ceil((Number(BigInt(block.timestamp)) + 10) / 86_400) * 86_400 + 3_600;
  const hashes = Array.from({ length: 400 }, (_, i) => keccakId(`${seed}-content-${i}`));
  const pending: { sender: string; commitment: string; h: string; salt: string }[] = [];
  const stats = new Map<string, number>();
  const count = (k: string) => stats.set(k, (stats.get(k) ?? 0) + 1);
  let epochsChecked = 0, claims = 0;

  /** Sends at the model's time; asserts the outcome the model expects; returns the receipt on success. */
  async function step(name: string, expect: Expect, call: () => Promise<Receipt>): Promise<Receipt | null> {
    await chain.request('evm_setNextBlockTimestamp', [`0x${m.now.toString(16)}`]);
    try {
      const r = await call();
      if (expect) assert.unreachable(`${name} succeeded; the model expected ${expect.reason}(${expect.args?.join(', ')}) at step ${i}`);
      count(name);
      return r;
    } catch (e) {
      if (!(e instanceof LedgerRevertError)) throw e;
      if (!expect) throw new Error(`${name} reverted at step ${i} (${e.message}); the model expected success`);
      assert.is(e.reason, expect.reason, `${name} at step ${i}: ${e.message}`);
      if (expect.args) assert.equal(e.args.map((a) => (typeof a === 'string' ? lc(a) : a)), expect.args, `${name} revert args at step ${i}`);
      count(`${name}!${e.reason}`);
      return null;
    }
  }
  const logsOf = (r: Receipt): DecodedLog[] => ledger.parseLogs(r);

  /** After scoring ends: every payee's score and payout on chain = rules.ts on the model's inputs. */
  async function checkEpoch(e: number) {
    const ep = m.epochs[e];
    const info = await ledger.epochOf(e);
    assert.equal([info.pool, info.totalScore, info.phase, info.rule, info.payeeCount], [ep.pool, ep.result!.totalScore, BigInt(ep.phase), BigInt(ep.rule), BigInt(ep.payees.length)], `epoch ${e}`);
    for (const [k, a] of ep.payees.entries()) {
      const acc = await ledger.accountOf(e, a);
      const want = ep.accounts.get(a)!;
      assert.equal([acc.usage, acc.volume, acc.score], [want.usage, want.volume, ep.result!.scores[k]], `epoch ${e} payee ${k}`);
      assert.is(await ledger.payoutOf(e, a), ep.result!.totalScore === 0n ? 0n : ep.result!.payouts[k], `epoch ${e} payout ${k}`);
    }
    epochsChecked++;
  }

  async function pay(e: number, sender: string, target: string, viaTo: boolean) {
    const to = viaTo ? target : sender;
    const expect = m.checkClaim(e, sender);
    const before = expect ? 0n : await chain.balance(to);
    const r = await step(viaTo ? 'claimTo' : 'claim', expect, () => (viaTo ? ledger.claimTo(e, to, { from: sender }) : ledger.claim(e, { from: sender })));
    if (!r) return;
    const v = m.applyClaim(e, sender);
    const ev = logsOf(r)[0];
    assert.equal([ev.name, ev.args.epoch, lc(ev.args.account as string), lc(ev.args.to as string), ev.args.amount], ['Claimed', BigInt(e), sender, to, v]);
    assert.is(await chain.balance(to), before + v, 'recipient paid exactly once, exactly r_a');
    claims++;
  }

  let i = 0;
  for (; i < STEPS; i++) {
    m.now += 1 + rng.int(rng.int(20) === 0 ? 1_500 : 40);
    if (rng.int(150) === 0) m.now += 86_400; // a new day for the daily cap
    const u = rng.pick(users);
    const roll = rng.int(100);
    const items = m.itemCount;
    const anyItem = () => 1 + rng.int(items);
    const ownItem = () => {
      const mine = m.items.filter((it, k) => k > 0 && it.owner === u);
      return mine.length && rng.int(5) > 0 ? rng.pick(mine).id : anyItem();
    };
    const amount = () => (rng.int(3) === 0 ? BigInt(1 + rng.int(1000)) : BigInt(1 + rng.int(5_000)) * 10n ** 14n + BigInt(rng.int(997)));

    if (roll < 14 || items < 3) {
      // a few prolific registrants meet the daily cap; now and then someone front-runs a pending reveal
      const front = pending.length > 0 && rng.int(4) === 0;
      const h = front ? pending[pending.length - 1].h : rng.int(4) === 0 ? rng.pick(hashes.slice(0, 40)) : rng.pick(hashes);
      const u = front ? rng.pick(users) : rng.int(3) === 0 ? users[rng.int(3)] : rng.pick(users);
      const value = rng.int(3) === 0 ? 0n : amount();
      const r = await step('register', m.checkRegister(u, h), () => ledger.register(h, 1 + rng.int(1000), 1, { from: u, value }));
      if (r) {
        const { id } = m.applyRegister(u, h, value);
        assert.equal(logsOf(r).map((l) => [l.name, l.args.itemId]), [['ItemRegistered', BigInt(id)]]);
      }
    } else if (roll < 18) {
      const free = hashes.filter((x) => !m.holder.has(x));
      const h = free.length && rng.int(4) > 0 ? rng.pick(free) : rng.pick(hashes);
      const salt = keccakId(`${seed}-salt-${i}`);
      const commitment = LedgerModel.commitment(u, h, 7, 1, salt);
      const r = await step('commit', null, () => ledger.commitRegistration(commitment, { from: u }));
      const number = m.applyCommit(u, commitment);
      assert.is(logsOf(r!)[0].args.number, BigInt(number));
      pending.push({ sender: u, commitment, h, salt });
    } else if (roll < 24 && pending.length) {
      const k = rng.int(3) > 0 ? pending.length - 1 : rng.int(pending.length);
      const c = pending[k];
      const value = rng.int(2) ? 0n : amount();
      const expect = m.checkReveal(c.sender, c.commitment, c.h);
      const r = await step('reveal', expect, () => ledger.revealRegistration(c.h, 7, 1, c.salt, { from: c.sender, value }));
      if (r) {
        const { id, reclaimedFrom } = m.applyReveal(c.sender, c.commitment, c.h, value);
        const names = logsOf(r).map((l) => l.name);
        assert.equal(names, reclaimedFrom ? ['HashReclaimed', 'ItemRegistered'] : ['ItemRegistered']);
        if (reclaimedFrom) count('reveal:reclaimed');
        if (reclaimedFrom) assert.equal(logsOf(r)[0].args, { contentHash: c.h, fromItemId: BigInt(reclaimedFrom), toItemId: BigInt(id) });
      }
      if (r || expect?.reason === 'CommitmentExpired' || expect?.reason === 'UnknownCommitment') pending.splice(k, 1);
    } else if (roll < 29) {
      const id = ownItem();
      const value = rng.int(15) === 0 ? 0n : amount();
      const r = await step('addStake', m.checkAddStake(u, id, value), () => ledger.addStake(id, { from: u, value }));
      if (r) m.applyAddStake(id, value);
    } else if (roll < 34) {
      const id = ownItem();
      const expect = m.checkWithdrawStake(u, id);
      const before = expect ? 0n : await chain.balance(u);
      const r = await step('withdrawStake', expect, () => ledger.withdrawStake(id, { from: u }));
      if (r) assert.is(await chain.balance(u), before + m.applyWithdrawStake(id));
    } else if (roll < 41) {
      // mostly items still inside their challenge window
      const young = m.items.filter((it, k) => k > 0 && m.now < it.registeredAt + P.challengeWindow && !it.challenged && !it.flagged);
      const id = young.length && rng.int(5) > 0 ? rng.pick(young).id : anyItem();
      const value = rng.int(30) === 0 ? P.challengeBond - 1n : P.challengeBond;
      const r = await step('challenge', m.checkChallenge(u, id, value), () => ledger.challenge(id, keccakId('why'), { from: u, value }));
      if (r) assert.is(logsOf(r)[0].args.challengeId, BigInt(m.applyChallenge(u, id)));
    } else if (roll < 46 && m.challenges.length > 1) {
      const open = m.challenges.map((c, k) => [c, k] as const).filter(([c, k]) => k > 0 && c.status === 1).map(([, k]) => k);
      const cid = open.length && rng.int(6) > 0 ? rng.pick(open) : 1 + rng.int(m.challenges.length);
      if (rng.int(3) === 0) {
        const r = await step('lapse', m.checkLapse(cid), () => ledger.lapse(cid, { from: u }));
        if (r) m.applyLapse(cid);
      } else {
        const upheld = rng.int(2) === 0;
        const r = await step('resolve', m.checkResolve(cid), () => ledger.resolve(cid, upheld, { from: owner }));
        if (r) {
          count(upheld ? 'resolve:upheld' : 'resolve:rejected');
          const { stake, bounty } = m.applyResolve(cid, upheld);
          if (upheld) {
            const sl = logsOf(r).find((l) => l.name === 'Slashed')!;
            assert.equal([sl.args.amount, sl.args.toChallenger], [stake, bounty]);
          }
        }
      }
    } else if (roll < 60) {
      const evs = Array.from({ length: 1 + rng.int(4) }, () => {
        const picks = [...new Set(Array.from({ length: 1 + rng.int(4) }, anyItem))].sort((a, b) => a - b);
        return { fee: rng.int(5) === 0 ? 0n : BigInt(rng.nextUint32()) * 1_000n + BigInt(rng.int(997)), items: picks, weights: picks.map(() => 1 + rng.int(1000)) };
      });
      const value = evs.reduce((s, e) => s + e.fee, 0n);
      const r = await step('logAttributions', null, () => ledger.logAttributions(evs, { from: owner, value }));
      if (r) m.applyLog(evs);
    } else if (roll < 62) {
      const v = amount();
      await step('fund', null, () => ledger.fund({ from: u, value: v }));
      m.applyFund(v);
    } else if (roll < 63) {
      const rule = rng.int(5) as RuleId;
      await step('setRule', null, () => ledger.setRule(rule, { from: owner }));
      m.applySetRule(rule);
    } else if (roll < 68) {
      const r = await step('closeEpoch', m.checkClose(), () => ledger.closeEpoch({ from: owner }));
      if (r) m.applyClose();
    } else if (roll < 76) {
      // score the epoch being settled (or, now and then, a wrong one)
      const closed = m.epochs.findIndex((e) => e.phase === 1);
      const e = closed >= 0 && rng.int(8) > 0 ? closed : rng.int(m.current + 1);
      const n = rng.int(6) === 0 ? MAX : BigInt(1 + rng.int(6));
      const r = await step('computeScores', m.checkScores(e, n), () => ledger.computeScores(e, n, { from: owner }));
      if (r) {
        const page = m.applyScores(e, n);
        const sc = logsOf(r).find((l) => l.name === 'ScoresComputed')!;
        assert.equal([sc.args.fromIndex, sc.args.toIndex, sc.args.totalScoreSoFar], [BigInt(page.from), BigInt(page.end), page.total]);
        if (page.done) await checkEpoch(e);
      }
    } else if (roll < 82) {
      const scored = m.epochs.map((ep, k) => [ep, k] as const).filter(([ep]) => ep.phase === 2).map(([, k]) => k);
      const e = scored.length && rng.int(8) > 0 ? rng.pick(scored) : rng.int(m.current + 1);
      const n = rng.int(6) === 0 ? MAX : BigInt(1 + rng.int(8));
      const r = await step('sumPayouts', m.checkSums(e, n), () => ledger.sumPayouts(e, n, { from: owner }));
      if (r) {
        const s = m.applySums(e, n);
        if (s.done) {
          const st = logsOf(r).find((l) => l.name === 'EpochSettled')!;
          assert.equal([st.args.pool, st.args.paidTotal, st.args.treasuryShare], [m.epochs[e].pool, s.paid, s.dust]);
          await checkEpoch(e);
        }
      }
    } else if (roll < 94) {
      // a payee of a paid epoch claims (sometimes a second time, or someone with nothing to claim)
      const payable = m.epochs.map((ep, k) => [ep, k] as const).filter(([ep]) => ep.phase >= 2 && ep.payees.length);
      if (payable.length && rng.int(6) > 0) {
        const [ep, e] = rng.pick(payable);
        const who = rng.int(6) > 0 ? rng.pick(ep.payees) : u;
        await pay(e, who, rng.int(4) === 0 ? rng.pick(users) : who, rng.int(3) === 0);
      } else await pay(rng.int(m.current + 2), u, u, false);
    } else {
      const who = rng.int(8) === 0 ? treasury : rng.int(3) === 0 ? u : (users.find((x) => m.creditOf(x) > 0n) ?? u);
      const to = rng.int(4) === 0 ? rng.pick(users) : who;
      const expect = m.checkWithdraw(who);
      const before = expect ? 0n : await chain.balance(to);
      const r = await step(to === who ? 'withdraw' : 'withdrawTo', expect, () => (to === who ? ledger.withdraw({ from: who }) : ledger.withdrawTo(to, { from: who })));
      if (r) assert.is(await chain.balance(to), before + m.applyWithdraw(who));
    }

    // the accounting identity, every step, to the wei
    const h = m.holdings();
    const total = h.stakes + h.bonds + h.pools + h.unclaimed + h.credits + h.treasury;
    const balance = await chain.balance(ledger.address);
    if (balance !== total) assert.unreachable(`step ${i}: balance ${balance} ≠ stakes ${h.stakes} + bonds ${h.bonds} + pools ${h.pools} + unclaimed ${h.unclaimed} + credits ${h.credits} + treasury ${h.treasury} = ${total}`);
    if (i % 250 === 249) await compareState();
  }

  /** Model = chain for every identity (stake, reputation, credits) and item. */
  async function compareState() {
    for (const a of [...users, treasury]) {
      assert.equal([await ledger.stakeOf(a), await ledger.reputationOf(a), await ledger.credits(a)], [m.stakeOf(a), m.repOf(a), m.creditOf(a)], `identity ${a} at step ${i}`);
    }
    for (const it of m.items.slice(1)) {
      const c = await ledger.itemOf(it.id);
      assert.equal([lc(c.owner), c.flagged, c.isDuplicate, c.challenged, c.stake], [it.owner, it.flagged, it.isDuplicate, it.challenged, it.stake], `item ${it.id} at step ${i}`);
    }
    for (const h of hashes) {
      const holder = m.holder.get(h);
      const want = holder === undefined || m.items[holder].flagged ? 0n : BigInt(holder);
      assert.is(await ledger.hashHolder(h), want, `holder of ${h}`);
    }
  }
  await compareState();

  // nobody was paid twice: one Claimed event per (epoch, account), each equal to the model's payout
  const claimed = await ledger.events('Claimed');
  const seen = new Set<string>();
  for (const c of claimed) {
    const key = `${c.args.epoch}:${lc(c.args.account as string)}`;
    assert.not.ok(seen.has(key), `paid twice: ${key}`);
    seen.add(key);
    assert.is(c.args.amount, m.paid.get(key), key);
  }
  assert.is(seen.size, m.paid.size);
  for (const [e, ep] of m.epochs.entries()) if (ep.phase === 3) assert.is(ep.claimed + ep.dust + (ep.pool - ep.dust - ep.claimed), ep.pool, `epoch ${e}`);

  // the sequence exercised every operation, their reverts, and settled epochs (not an idle run)
  const need = ['register', 'register!DuplicateContent', 'register!DailyCapExceeded', 'commit', 'reveal', 'reveal:reclaimed', 'reveal!CommitmentExpired',
    'addStake', 'withdrawStake', 'withdrawStake!ChallengeWindowOpen', 'withdrawStake!ChallengeOpen', 'challenge', 'challenge!ChallengeWindowClosed',
    'resolve:upheld', 'resolve:rejected', 'resolve!ResolutionDeadlinePassed', 'lapse', 'lapse!ResolutionPending', 'logAttributions', 'fund', 'closeEpoch', 'closeEpoch!WrongPhase',
    'computeScores', 'sumPayouts', 'claim', 'claimTo', 'claim!AlreadyClaimed', 'claim!NothingToClaim', 'withdraw', 'withdrawTo'];
  for (const k of need) assert.ok((stats.get(k) ?? 0) > 0, `${seed}: no ${k} in ${STEPS} steps: ${JSON.stringify(Object.fromEntries(stats))}`);
  assert.ok(epochsChecked >= 20 && claims >= 100, `${seed}: ${epochsChecked} epochs checked, ${claims} claims`);
  console.log(`  ${seed}: ${STEPS} steps, ${users.length} accounts, ${m.itemCount} items, ${m.current} epochs closed, ${epochsChecked} epoch checks, ${claims} claims, ${m.challenges.length - 1} challenges`);
}

for (const seed of SEEDS) {
  test(`invariants hold after every one of ${STEPS} random steps (seed ${seed}): balance = holdings to the wei, one payment per payee, contract = rules.ts`, async () => {
    const snap = await fx.chain.snapshot();
    try {
      await run(seed);
    } finally {
      await fx.chain.revert(snap);
    }
  });
}

test.run();
