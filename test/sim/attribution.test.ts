import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Rng } from '../../lib/util/index.ts';
import {
  gameOf, bruteForceShapley, bruteForceBanzhaf, leaveOneOut, monteCarloShapley, monteCarloBanzhaf,
  knnShapley, knnGame, quotientShapley, clusterBySimilarity,
} from '../../lib/sim/attribution/index.ts';

const close = (a: ArrayLike<number>, b: ArrayLike<number>, tol: number, msg = '') => {
  assert.is(a.length, b.length);
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) <= tol, `${msg}[${i}] ${a[i]} vs ${b[i]}`);
};

// Glove game: players 0,1 hold left gloves, 2 a right glove; a pair is worth 1. Known Shapley: [1/6, 1/6, 2/3].
const glove = gameOf(3, (s) => Math.min(s.filter((i) => i < 2).length, s.filter((i) => i === 2).length));

test('brute-force Shapley and Banzhaf on the glove game', () => {
  close(bruteForceShapley(glove), [1 / 6, 1 / 6, 2 / 3], 1e-15);
  // Banzhaf: player 0 is pivotal in {2} only → 1/4; player 2 in {0},{1},{0,1} → 3/4.
  close(bruteForceBanzhaf(glove), [0.25, 0.25, 0.75], 1e-15);
  close(leaveOneOut(glove), [0, 0, 1], 0);
});

test('Shapley efficiency: values sum to U(N) − U(∅) on a random 9-player game', () => {
  const rng = new Rng(5);
  const w = Array.from({ length: 9 }, () => rng.next());
  const g = gameOf(9, (s) => Math.sqrt(s.reduce((a, i) => a + w[i], 0)));
  const phi = bruteForceShapley(g);
  assert.ok(Math.abs(phi.reduce((a, b) => a + b, 0) - g.value([0, 1, 2, 3, 4, 5, 6, 7, 8])) < 1e-12);
});

test('exact KNN-Shapley equals brute-force Shapley on ≤ 10 items (many random cases, to 1e-12)', () => {
  const rng = new Rng(11);
  let cases = 0;
  for (let n = 1; n <= 10; n++) {
    for (const k of [1, 2, 3, 5, 12]) {
      for (let rep = 0; rep < 3; rep++) {
        // Integer similarities in a small range force ties, exercising the tie-break.
        const sim = Array.from({ length: n }, () => rng.int(4));
        const gain = Array.from({ length: n }, () => (rng.next() < 0.3 ? 0 : rng.normal()));
        close(knnShapley(sim, gain, k), bruteForceShapley(knnGame(sim, gain, k)), 1e-12, `n=${n} k=${k}`);
        cases++;
      }
    }
  }
  assert.is(cases, 150);
});

test('KNN-Shapley reference values (paper recursion, K=2, labels as gains)', () => {
  // Ranked order 0,1,2 (similarity 3,2,1), gains 1,0,1, K=2, N=3.
  // s_2 = 1/3; s_1 = 1/3 + (0−1)/2·(2/2) = −1/6; s_0 = −1/6 + (1−0)/2·(1/1) = 1/3.
  close(knnShapley([3, 2, 1], [1, 0, 1], 2), [1 / 3, -1 / 6, 1 / 3], 1e-15);
});

test('incremental KNN game matches direct evaluation', () => {
  const sim = [0.3, 0.9, 0.1, 0.9, 0.5], gain = [1, 2, 3, 4, 5];
  const g = knnGame(sim, gain, 2);
  const acc = g.incremental!();
  const order = [2, 0, 3, 4, 1];
  order.forEach((i, t) => assert.is(acc.add(i), g.value(order.slice(0, t + 1))));
  assert.is(g.value([0, 1, 2, 3, 4]), (2 + 4) / 2); // items 1 and 3 tie at 0.9; both are the top 2
});

test('Monte-Carlo Shapley: seeded, repeatable, converges to brute force', () => {
  const rng = new Rng(3);
  const sim = Array.from({ length: 8 }, () => rng.next());
  const gain = Array.from({ length: 8 }, () => rng.next());
  const g = knnGame(sim, gain, 3);
  const exact = bruteForceShapley(g);
  const a = monteCarloShapley(g, { permutations: 3000, rng: new Rng(1), antithetic: true });
  const b = monteCarloShapley(g, { permutations: 3000, rng: new Rng(1), antithetic: true });
  assert.equal(Array.from(a), Array.from(b));
  close(a, exact, 0.01);
  // Efficiency holds exactly for every permutation sample, not only in the limit.
  assert.ok(Math.abs(a.reduce((x, y) => x + y, 0) - g.value([0, 1, 2, 3, 4, 5, 6, 7])) < 1e-12);
  // The non-incremental path gives the same numbers for the same permutations.
  const plain = monteCarloShapley({ n: g.n, value: g.value }, { permutations: 50, rng: new Rng(9) });
  close(plain, monteCarloShapley(g, { permutations: 50, rng: new Rng(9) }), 1e-15);
});

test('Monte-Carlo Banzhaf converges to brute force', () => {
  const rng = new Rng(4);
  const sim = Array.from({ length: 7 }, () => rng.next());
  const gain = Array.from({ length: 7 }, () => rng.next());
  const g = knnGame(sim, gain, 2);
  close(monteCarloBanzhaf(g, { samples: 40000, rng: new Rng(2) }), bruteForceBanzhaf(g), 0.01);
});

test('duplicates: plain Shapley rewards an exact copy, quotient values do not', () => {
  // Item 0 (original, gain 1), item 1 its exact copy (same similarity and gain), items 2,3 other items.
  const sim = [0.9, 0.9, 0.5, 0.4], gain = [1, 1, 0.6, 0.2], k = 2;
  const withCopy = bruteForceShapley(knnGame(sim, gain, k));
  const alone = bruteForceShapley(knnGame([0.9, 0.5, 0.4], [1, 0.6, 0.2], k));
  assert.ok(withCopy[1] > 0.2, `copy earns ${withCopy[1]}`);
  assert.ok(withCopy[0] + withCopy[1] > alone[0] + 1e-9, 'the pair earns more than the original alone');
  const groups = clusterBySimilarity(4, (a, b) => sim[a] === sim[b] && gain[a] === gain[b]);
  assert.equal(groups, [[0, 1], [2], [3]]);
  const q = quotientShapley(knnGame(sim, gain, k), groups);
  assert.is(q[1], 0);
  close([q[0], q[2], q[3]], alone, 1e-12);
  const qe = quotientShapley(knnGame(sim, gain, k), groups, { split: 'equal' });
  close([qe[0] + qe[1], qe[2], qe[3]], alone, 1e-12); // the pair shares the original's value, gains nothing
  // Leave-one-out: removing either copy lets item 2 (gain 0.6) in, so each copy is worth only (1 − 0.6)/2,
  // and item 2, crowded out by the copy, is worth nothing.
  close(leaveOneOut(knnGame(sim, gain, k)), [0.2, 0.2, 0, 0], 1e-15);
});

test('quotient over identities with union representation = Shapley of the merged player', () => {
  const g = gameOf(4, (s) => (s.includes(0) && s.includes(1) ? 1 : 0) + (s.includes(2) ? 0.5 : 0));
  const q = quotientShapley(g, [[0, 1], [2], [3]], { represent: 'union', split: 'equal' });
  close(q, [0.5, 0.5, 0.5, 0], 1e-15);
  assert.throws(() => quotientShapley(g, [[0, 1], [1, 2], [3]]), /player 1 is in groups 0 and 1/);
  assert.throws(() => quotientShapley(g, [[0, 1], [3]]), /player 2 is in no group/);
});

test('quotient over > 12 groups samples permutations of the quotient game (incremental path)', () => {
  const rng = new Rng(21);
  const n = 14;
  const sim = Array.from({ length: n }, () => rng.next());
  const gain = Array.from({ length: n }, () => rng.next());
  const g = knnGame(sim, gain, 3);
  const singletons = Array.from({ length: n }, (_, i) => [i]);
  const exact = knnShapley(sim, gain, 3);
  close(quotientShapley(g, singletons, { rng: new Rng(1), permutations: 4000 }), exact, 0.01);
  assert.throws(() => quotientShapley(g, singletons), /need Monte-Carlo sampling but no rng/);
});

test('brute force refuses big games with a hint', () => {
  assert.throws(() => bruteForceShapley(gameOf(21, () => 0)), /2\^21/);
});

test.run();
