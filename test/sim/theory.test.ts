// Sanity checks from theory (issue 7 §7): wash ROI under a volume cap, sybil splitting per rule.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { computePayouts, RULE, type IdentityTotals } from '../../lib/ledger/rules.ts';
import { world, design, attack, simulateFast, accounts, settleFast, playEpisode, agentsFor } from '../../lib/sim/index.ts';

const ETH = 10n ** 18n;
const idt = (id: string, usage: bigint, volume = 0n, stake = 0n): IdentityTotals => ({ id, usage, volume, stake, reputationBps: 10_000n });

test('wash ROI under a cap of m × paid volume and wash cost c per unit is m/c − 1 (closed form, exact)', () => {
  // The wash identity pays fees f per event for n events and spends c·f per unit (fee + gas); honest usage
  // dominates the pool so raw_a exceeds the cap and the cap binds: r = m·V.
  const f = 10n ** 15n, n = 40n, V = n * f;
  for (const [mBps, cNum, cDen] of [[20_000n, 5n, 4n], [10_000n, 5n, 4n], [12_500n, 5n, 4n], [30_000n, 1n, 1n], [5_000n, 3n, 2n]] as const) {
    const pool = 1000n * ETH + V; // big funding + the wash fees
    const res = computePayouts([idt('honest', 10n ** 9n, 0n), idt('wash', 10n ** 9n, V)], { rule: RULE.VOLUME_CAP, pool, capMultipleBps: mBps });
    assert.is(res.payouts[1], (mBps * V) / 10_000n);
    const cost = (V * cNum) / cDen;
    const roi = Number(res.payouts[1] - cost) / Number(cost);
    const m = Number(mBps) / 10_000, c = Number(cNum) / Number(cDen);
    assert.ok(Math.abs(roi - (m / c - 1)) < 1e-15, `m=${m} c=${c}: ${roi}`);
    assert.is(roi < 0, m < c);
    assert.is(roi === 0, m === c);
  }
});

test('wash ROI in the simulator: cap binds, payout = m·V to the wei, ROI = m/c − 1 with c = cost per unit volume', () => {
  const w = world({ honest: 6, queriesPerEpoch: 60, epochs: 2, fundingEthPerEpoch: 50 });
  for (const capMultipleBps of [5_000, 10_000, 30_000]) {
    const d = design({ name: 'cap', rule: 'volume-cap', capMultipleBps });
    const a = attack({ type: 'wash', budgetEth: 0.2, queriesPerEpoch: 40 });
    const ep = playEpisode(w, d, agentsFor(w, a), 3);
    const st = settleFast(ep);
    let V = 0n, paid = 0n;
    for (const e of st.epochs) {
      for (const p of e.payees) {
        if (!p.id.startsWith('wash')) continue;
        assert.is(p.payout, (BigInt(capMultipleBps) * p.volume) / 10_000n, 'the cap binds every epoch');
        V += p.volume;
        paid += p.payout;
      }
    }
    const acc = accounts(ep, st).get('wash')!;
    assert.ok(V > 0n && acc.cost > 0n);
    const m = capMultipleBps / 10_000, c = Number(acc.cost) / Number(V);
    const roi = Number(acc.income - acc.cost) / Number(acc.cost);
    assert.is(acc.income, paid);
    assert.ok(Math.abs(roi - (m / c - 1)) < 1e-9, `m=${m}: roi ${roi} vs ${m / c - 1}`);
    assert.is(roi < 0, m < c);
  }
});

test('sybil splitting, closed form: pro-rata and volume-cap gain nothing, sqrt gains √n, stake loses', () => {
  const P = 10n ** 18n, U = 6_300_000n, H = 18_900_000n, n = 9n;
  const one = [idt('h', H, 0n, ETH), idt('a', U, 10n ** 18n, ETH)];
  const split = [idt('h', H, 0n, ETH), ...Array.from({ length: Number(n) }, (_, j) => idt(`a${j}`, U / n, 10n ** 18n / n, ETH / n))];
  const gain = (rule: (typeof RULE)[keyof typeof RULE]) => {
    const a = computePayouts(one, { rule, pool: P, capMultipleBps: 1_000_000n }).payouts[1];
    const b = computePayouts(split, { rule, pool: P, capMultipleBps: 1_000_000n }).payouts.slice(1).reduce((x, y) => x + y, 0n);
    return { a, b };
  };
  const pr = gain(RULE.PRO_RATA);
  assert.is(pr.a, P / 4n);
  assert.ok(pr.a - pr.b >= 0n && pr.a - pr.b < n, 'pro-rata: equal up to per-identity floor dust');
  const vc = gain(RULE.VOLUME_CAP);
  assert.ok(vc.a - vc.b >= 0n && vc.a - vc.b < n);
  // sqrt: score of a = √(6.3e12) vs 9·√(6.3e12/9) = 3·√(6.3e12); h = √(18.9e12).
  const sq = gain(RULE.SQRT);
  const sh = Math.sqrt(18.9e12), sa = Math.sqrt(6.3e12);
  assert.ok(Math.abs(Number(sq.a) / 1e18 - sa / (sa + sh)) < 1e-6);
  assert.ok(Math.abs(Number(sq.b) / 1e18 - (3 * sa) / (3 * sa + sh)) < 1e-6);
  assert.ok(sq.b > sq.a);
  const stk = gain(RULE.STAKE);
  assert.ok(stk.b < stk.a, 'stake-weighted: splitting stake and usage divides the score by n');
});

test('sybil splitting in the simulator: same items, 1 vs 10 identities', () => {
  const payout = (rule: 'pro-rata' | 'sqrt', identities: number, dailyCap: number) => {
    const w = world({ honest: 10, queriesPerEpoch: 120, epochs: 2, dailyCap });
    const r = simulateFast(w, design({ name: rule, rule }), attack({ type: 'sybil', identities, budgetEth: 0.2 }), 5);
    return r.settlement.epochs.flatMap((e) => e.payees).filter((p) => p.id.startsWith('sybil')).reduce((a, p) => a + p.payout, 0n);
  };
  // No binding daily cap: the same items register in epoch 0 either way.
  const pr1 = payout('pro-rata', 1, 100), pr10 = payout('pro-rata', 10, 100);
  assert.ok(pr1 > 0n && pr1 - pr10 >= 0n && pr1 - pr10 < 40n, `pro-rata ${pr1} vs ${pr10}`);
  const sq1 = payout('sqrt', 1, 100), sq10 = payout('sqrt', 10, 100);
  assert.ok(Number(sq10) > 1.3 * Number(sq1), `sqrt ${sq1} vs ${sq10}`);
  // A per-identity daily cap of 5: one identity registers 5 items a day, ten register all 16 on day 0.
  const cap1 = payout('pro-rata', 1, 5), cap10 = payout('pro-rata', 10, 5);
  assert.ok(Number(cap10) > 1.2 * Number(cap1), `daily cap ${cap1} vs ${cap10}`);
});

test.run();
