// Fast mode at scale (issue 23 §4): the k-means tree against exact search, the streamed usage and settlement
// against rules.ts, and the `bench simulate --json` shape.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { aggregateEpoch, computePayouts, RULE } from '../../lib/ledger/rules.ts';
import { generateScaleWorld, buildScaleIndex, runScaleQueries, settleScale, KMeansTree } from '../../lib/sim/index.ts';
import { benchSimulateCommand } from '../../lib/cli/commands/index.ts';
import { parseCommandArgs } from '../../lib/cli/args.ts';
import { Rng } from '../../lib/util/random.ts';

function exactTop(emb: Float32Array, dim: number, q: Float32Array, m: number): number[] {
  const n = emb.length / dim;
  const s = Array.from({ length: n }, (_, i) => { let x = 0; for (let d = 0; d < dim; d++) x += emb[i * dim + d] * q[d]; return { i, x }; });
  return s.sort((a, b) => b.x - a.x || a.i - b.i).slice(0, m).map((v) => v.i);
}

test('k-means tree: probing every leaf equals exact top-m; the defaults (3 cells, 16 leaves) keep recall@5 ≥ 0.9, scanning < 10% of items', () => {
  const w = generateScaleWorld({ items: 20_000, identities: 2_000, queries: 0, seed: 1 });
  const tree = buildScaleIndex(w, { items: w.n, identities: w.identities, queries: 0 });
  const rng = new Rng(2);
  const q = new Float32Array(w.dim);
  const ids = new Int32Array(5), sc = new Float64Array(5);
  let hit = 0;
  const Q = 60;
  for (let j = 0; j < Q; j++) {
    const t = rng.int(w.topics);
    for (let d = 0; d < w.dim; d++) q[d] = w.centroids[t * w.dim + d] + 0.15 * rng.normal();
    const want = exactTop(w.emb, w.dim, q, 5);
    const n = tree.search(q, 5, tree.topCount, tree.leafCount, ids, sc);
    assert.is(n, 5);
    // Float32 storage order can differ from the reference's by rounding only: compare as sets of items.
    assert.equal([...ids].sort((a, b) => a - b), [...want].sort((a, b) => a - b), `query ${j} exhaustive`);
    tree.search(q, 5, 3, 16, ids, sc);
    hit += [...ids].filter((i) => want.includes(i)).length;
  }
  assert.ok(hit / (5 * Q) >= 0.9, `recall ${hit / (5 * Q)}`);
  const scanned = 16 * (w.n / tree.leafCount);
  assert.ok(scanned / w.n < 0.1, `scans ${scanned} of ${w.n}`);
  assert.is(tree.order.length, w.n);
  assert.equal([...tree.order].sort((a, b) => a - b), Array.from({ length: w.n }, (_, i) => i), 'every item in exactly one leaf');
});

test('streamed usage and settlement equal rules.ts aggregateEpoch + computePayouts to the wei (both methods, both rules)', () => {
  for (const method of ['retrieval', 'knn-shapley'] as const) {
    for (const rule of ['pro-rata', 'sqrt'] as const) {
      const o = { items: 3_000, identities: 300, queries: 2_000, method, rule, seed: 3, recordEvents: true };
      const w = generateScaleWorld(o);
      const tree = buildScaleIndex(w, o);
      const r = runScaleQueries(w, tree, o);
      const fee = 10n ** 15n;
      const totals = aggregateEpoch(r.events!.map((e) => ({ fee, items: e.items.map((item, j) => ({ item, weight: e.weights[j] })) })), (i) => String(w.owner[Number(i)]));
      for (const t of totals) assert.is(BigInt(r.usage[Number(t.id)]), t.usage, `${method} identity ${t.id}`);
      assert.is(totals.length, [...r.usage].filter((u) => u > 0).length);
      const st = settleScale(w, r.usage, o);
      const rows = totals.map((t) => ({ ...t, volume: 0n, stake: 0n, reputationBps: 10_000n })).sort((a, b) => Number(a.id) - Number(b.id));
      const want = computePayouts(rows, { rule: rule === 'sqrt' ? RULE.SQRT : RULE.PRO_RATA, pool: fee * 2_000n });
      assert.equal(st.payouts, want.payouts);
      assert.ok(st.attackerPayout > 0n && st.capturedShare > 0 && st.capturedShare < 1);
    }
  }
});

test('tree on degenerate input: fewer items than the fanout, identical vectors', () => {
  const dim = 4;
  const data = new Float32Array(3 * dim).fill(0.5);
  const t = new KMeansTree(data, 3, dim, { fanout: 8, iterations: 2, sample: 10, seed: 0 });
  const ids = new Int32Array(3), sc = new Float64Array(3);
  assert.is(t.search(Float32Array.from([0.5, 0.5, 0.5, 0.5]), 3, 8, 64, ids, sc), 3);
  assert.equal([...ids], [0, 1, 2], 'ties: lower index first');
});

test('bench simulate --json: items, identities, queries, seconds, peakRssBytes, phases', async () => {
  const out: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => out.push(a.join(' '));
  try {
    await benchSimulateCommand.run(parseCommandArgs(benchSimulateCommand, ['--items', '2000', '--identities', '200', '--queries', '1000', '--json']));
  } finally {
    console.log = log;
  }
  const j = JSON.parse(out.join('\n'));
  assert.equal([j.items, j.identities, j.queries], [2000, 200, 1000]);
  assert.type(j.seconds, 'number');
  assert.ok(j.peakRssBytes > 0);
  assert.equal(Object.keys(j.phases), ['world', 'index', 'queries', 'settle']);
  for (const p of Object.values(j.phases) as { seconds: number; peakRssBytes: number }[]) assert.ok(p.seconds >= 0 && p.peakRssBytes > 0);
  let err: unknown;
  try {
    await benchSimulateCommand.run(parseCommandArgs(benchSimulateCommand, ['--items', '10', '--identities', '20']));
  } catch (e) {
    err = e;
  }
  assert.match(String((err as Error)?.message), /20 identities cannot all own one of 10 items/);
});

test.run();
