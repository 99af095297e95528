import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  computePayouts, isqrt, score, RULE, decayReputation, slashReputation, aggregateEpoch, type IdentityTotals,
} from '../../lib/ledger/rules.ts';
import { Rng } from '../../lib/util/index.ts';

const id = (name: string, usage: bigint, volume = 0n, stake = 0n, reputationBps = 10_000n): IdentityTotals =>
  ({ id: name, usage, volume, stake, reputationBps });

test('isqrt is the exact floor square root', () => {
  assert.equal([0n, 1n, 2n, 3n, 4n, 8n, 9n, 10n, 99n, 100n].map(isqrt), [0n, 1n, 1n, 1n, 2n, 2n, 3n, 3n, 9n, 10n]);
  const big = 2n ** 200n + 12345n;
  const r = isqrt(big);
  assert.ok(r * r <= big && (r + 1n) * (r + 1n) > big);
  const rng = new Rng(5);
  for (let i = 0; i < 500; i++) {
    const n = BigInt(rng.nextUint32()) * BigInt(rng.nextUint32()) + BigInt(rng.int(1000));
    const s = isqrt(n);
    assert.ok(s * s <= n && (s + 1n) * (s + 1n) > n, String(n));
  }
});

test('scores per rule on reference values', () => {
  const t = { usage: 7n, stake: 3n * 10n ** 17n, reputationBps: 8_500n };
  assert.is(score(RULE.PRO_RATA, t), 7n);
  assert.is(score(RULE.VOLUME_CAP, t), 7n);
  assert.is(score(RULE.STAKE, t), 2n); // 7·0.3 = 2.1 → 2
  assert.is(score(RULE.SQRT, t), 2645n); // sqrt(7e6) = 2645.75
  assert.is(score(RULE.REPUTATION, t), 5n); // 7·0.85 = 5.95 → 5
});

test('pro-rata reference case: dust goes to the treasury', () => {
  const r = computePayouts([id('a', 1n), id('b', 2n)], { rule: RULE.PRO_RATA, pool: 10n });
  assert.equal(r, { scores: [1n, 2n], payouts: [3n, 6n], totalScore: 3n, treasury: 1n });
});

test('volume cap clips to capMultipleBps·V/10000, excess to treasury', () => {
  const r = computePayouts([id('a', 1n, 100n), id('b', 1n, 1000n)], { rule: RULE.VOLUME_CAP, pool: 1000n, capMultipleBps: 20_000n });
  assert.equal(r.payouts, [200n, 500n]);
  assert.is(r.treasury, 300n);
});

test('zero total score sends the whole pool to the treasury', () => {
  const r = computePayouts([id('a', 5n, 0n, 0n)], { rule: RULE.STAKE, pool: 123n });
  assert.equal(r, { scores: [0n], payouts: [0n], totalScore: 0n, treasury: 123n });
  assert.equal(computePayouts([], { rule: RULE.PRO_RATA, pool: 9n }).treasury, 9n);
});

test('Σ payouts + treasury = pool exactly, random cases, every rule', () => {
  const rng = new Rng('rules');
  for (let k = 0; k < 300; k++) {
    const n = 1 + rng.int(20);
    const ids = Array.from({ length: n }, (_, i) => id(`x${i}`, BigInt(rng.int(1000)), BigInt(rng.int(10 ** 9)),
      BigInt(rng.int(5)) * 10n ** 17n, BigInt(1000 + rng.int(9001))));
    const rule = rng.int(5) as 0 | 1 | 2 | 3 | 4;
    const pool = BigInt(rng.nextUint32()) * 10n ** 9n + BigInt(rng.int(997));
    const r = computePayouts(ids, { rule, pool, capMultipleBps: BigInt(rng.int(30_000)) });
    assert.is(r.payouts.reduce((a, b) => a + b, 0n) + r.treasury, pool);
    assert.ok(r.treasury >= 0n);
  }
});

test('reputation decay floors at 1000; slash scales', () => {
  assert.is(decayReputation(10_000n, 500n), 9_500n);
  assert.is(decayReputation(1_200n, 500n), 1_000n);
  assert.is(decayReputation(500n, 500n), 500n, 'decay never raises a slashed reputation to the floor');
  assert.is(slashReputation(10_000n, 5_000n), 5_000n);
  assert.is(slashReputation(999n, 3_333n), 666n); // 999·6667/10000 = 666.03
});

test('aggregateEpoch floors v per entry and skips flagged items', () => {
  const owner = (i: bigint) => (i === 1n || i === 2n ? 'A' : 'B');
  const evs = [{ fee: 10n, items: [{ item: 1, weight: 1 }, { item: 2, weight: 1 }, { item: 3, weight: 1 }] }, { fee: 7n, items: [{ item: 3, weight: 2 }, { item: 4, weight: 5 }] }];
  assert.equal(aggregateEpoch(evs, owner), [{ id: 'A', usage: 2n, volume: 6n }, { id: 'B', usage: 8n, volume: 3n + 2n + 5n }]);
  assert.equal(aggregateEpoch(evs, owner, (i) => i === 3n), [{ id: 'A', usage: 2n, volume: 10n }, { id: 'B', usage: 5n, volume: 7n }]);
});

test.run();
