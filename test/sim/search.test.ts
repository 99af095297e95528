// Best-responding attackers (issue 23 §1): the cross-entropy search, strategy decoding, closed-form optima,
// and the worstCase rows of `ledgerlab simulate --json`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulateCommand } from '../../lib/cli/commands/index.ts';
import { parseCommandArgs } from '../../lib/cli/args.ts';
import {
  world, design, attack, crossEntropyMaximize, bestResponse, searchConfig, scoreStrategy, knobsFor, decode, encode, affordability,
  parseSimConfig, type Attack,
} from '../../lib/sim/index.ts';
import { LedgerLabError } from '../../lib/errors.ts';
import { simulateKind } from '../../lib/index.ts';

test('CEM finds the maximum of a smooth function and of a corner optimum, and repeats exactly per seed', () => {
  const f = (x: number[]) => -((x[0] - 0.3) ** 2) - (x[1] - 0.7) ** 2;
  const o = { iterations: 30, population: 20, elite: 5, smoothing: 0.7, initialSigma: 0.3, minSigma: 0, seed: 1 };
  const r = crossEntropyMaximize(f, 2, o);
  assert.ok(Math.abs(r.best[0] - 0.3) < 0.01 && Math.abs(r.best[1] - 0.7) < 0.01, String(r.best));
  assert.equal(crossEntropyMaximize(f, 2, o), r);
  assert.not.equal(crossEntropyMaximize(f, 2, { ...o, seed: 2 }).best, r.best);
  // Monotone objective: the optimum is the corner (1, 0); the polish reaches it exactly.
  const g = (x: number[]) => x[0] - x[1];
  const c = crossEntropyMaximize(g, 2, { ...o, iterations: 3, steps: [0.1, 0.1] });
  assert.equal(c.best, [1, 0]);
  assert.is(c.value, 1);
  for (let i = 1; i < c.trace.length; i++) assert.ok(c.trace[i] >= c.trace[i - 1], 'best value never decreases');
});

test('strategies: knobs sized from the budget, encode/decode round trip of the fixed attack', () => {
  const w = world({ epochs: 3 });
  const a = attack({ type: 'wash', budgetEth: 0.2 }) as Attack;
  const cap = affordability(w, 0.2);
  // stake 0.01 + 150,000 gas at 1 gwei + content: honest 0.002, synthetic 5% of it.
  assert.is(cap.honestItems, Math.floor(0.2 / 0.01215));
  assert.is(cap.syntheticItems, Math.floor(0.2 / 0.01025));
  assert.is(cap.queriesPerEpoch, Math.floor(0.2 / ((0.001 + 185_000e-9) * 3)));
  const knobs = knobsFor(w, a);
  assert.equal(knobs.map((k) => k.name), ['items', 'queriesPerEpoch', 'launder', 'startEpoch']);
  const s = decode(knobs, a, encode(knobs, a));
  assert.equal(s, { attack: a, skew: 0, startEpoch: 0 });
  assert.equal(knobsFor(w, attack({ type: 'sybil' }) as Attack).map((k) => k.name), ['identities', 'skew', 'startEpoch']);
});

// The closed-form optima. World: the daily cap never binds, so a sybil's budget buys the same N items
// whatever the split; only the split and the per-identity costs (funding, claims) change.
const free = world({ honest: 8, itemsPerHonest: 5, queriesPerEpoch: 80, epochs: 2, dailyCap: 100 });
const sybil = attack({ type: 'sybil', budgetEth: 0.2, identities: 4 }) as Attack;

test('sybil under sqrt damping: the search finds the finest split, one item per identity (n* = N)', () => {
  const N = affordability(free, 0.2).honestItems;
  const d = design({ name: 'sqrt', rule: 'sqrt' });
  const br = bestResponse(free, d, sybil, [0], searchConfig({}));
  assert.equal(br.strategy, { identities: N, skew: 0, startEpoch: 0 });
  // Σ√u_j over identities is largest when every item is its own identity: better than any coarser split.
  const at = (identities: number) => scoreStrategy(free, d, { attack: { ...sybil, identities } as Attack, skew: 0, startEpoch: 0 }, [0]).roi;
  assert.is(br.score.roi, at(N));
  for (const n of [1, 4, N - 1]) assert.ok(at(n) < at(N), `n=${n}`);
  assert.ok(br.score.roi > br.fixed.roi);
});

test('sybil under a per-identity volume cap: splitting gains nothing and costs gas, the search keeps one identity', () => {
  const d = design({ name: 'cap', rule: 'volume-cap' });
  const br = bestResponse(free, d, sybil, [0], searchConfig({}));
  assert.is(br.strategy.identities, 1);
  assert.is(br.strategy.startEpoch, 0);
});

test('wash under a volume cap: ROI is monotone in wash volume; the search goes to the bound theory picks', () => {
  // With the cap binding, ROI(V_w) = (m(V_c + V_w) − C_i − c·V_w)/(C_i + c·V_w): its derivative has the sign of
  // C_i − c·V_c, whatever V_w. So: all the budget into wash volume when the items' own consumer volume V_c is
  // small (ROI rises toward m/c − 1), none when consumers already pay the items more than they cost.
  const d = design({ name: 'cap', rule: 'volume-cap' });
  const a = attack({ type: 'wash', budgetEth: 0.2 }) as Attack;
  const o = searchConfig({ knobs: ['queriesPerEpoch'] });
  const at = (w: ReturnType<typeof world>, q: number) => scoreStrategy(w, d, { attack: { ...a, queriesPerEpoch: q } as Attack, skew: 0, startEpoch: 0 }, [0]).roi;
  const quiet = world({ honest: 6, queriesPerEpoch: 1, epochs: 2, fundingEthPerEpoch: 50 });
  const br = bestResponse(quiet, d, a, [0], o);
  // The budget after the items buys 78 queries per epoch: any larger setting washes the same 78.
  assert.ok((br.strategy.queriesPerEpoch as number) >= 78, String(br.strategy.queriesPerEpoch));
  assert.is(br.score.roi, at(quiet, 10_000));
  assert.ok(at(quiet, 0) < at(quiet, 10) && at(quiet, 10) < at(quiet, 40) && at(quiet, 40) < br.score.roi);
  const m = 2, c = 1.185; // cap multiple; fee + event gas per unit of fee
  assert.ok(br.score.roi < m / c - 1, 'below the pure-wash limit m/c − 1 (the items cost too)');
  const busy = world({ honest: 6, queriesPerEpoch: 60, epochs: 2, fundingEthPerEpoch: 50 });
  const br2 = bestResponse(busy, d, a, [0], o);
  assert.is(br2.strategy.queriesPerEpoch, 0);
  assert.ok(at(busy, 0) > at(busy, 10) && at(busy, 10) > at(busy, 80));
});

test('simulate --json: every attack row has worstCase {capturedShare, roi, strategy, gain}, never below the fixed strategy', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'sim-search-'));
  try {
    const file = join(dir, 's.json');
    writeFileSync(file, JSON.stringify({
      kind: 'simulate', name: 's', seeds: [0],
      config: {
        world: { honest: 5, itemsPerHonest: 4, queriesPerEpoch: 40, epochs: 2 },
        designs: [{ name: 'sqrt', rule: 'sqrt' }],
        attacks: [{ type: 'sybil', identities: 2, budgetEth: 0.1 }, { type: 'spam', budgetEth: 0.05 }, { type: 'none' }],
        search: { iterations: 2, population: 6, elite: 2 },
      },
    }));
    const out: string[] = [];
    const log = console.log;
    console.log = (...x: unknown[]) => out.push(x.join(' '));
    try {
      await simulateCommand.run(parseCommandArgs(simulateCommand, [file, '--json', '--no-record']));
    } finally {
      console.log = log;
    }
    const j = JSON.parse(out.join('\n'));
    const rows = j.rows as { attack: string; metrics: { capturedShare: { mean: number }; roi: { mean: number } }; worstCase?: Record<string, any> }[];
    assert.is(rows.length, 3);
    for (const r of rows.slice(0, 2)) {
      const w = r.worstCase!;
      assert.type(w.capturedShare, 'number');
      assert.type(w.roi, 'number');
      assert.type(w.strategy, 'object');
      assert.is(w.fixed.roi, r.metrics.roi.mean, 'the fixed figure is the sweep row\'s (same seeds)');
      assert.ok(w.roi >= w.fixed.roi && w.gain.roi === w.roi - w.fixed.roi);
    }
    assert.is(rows[2].worstCase, undefined, 'no search for the attack-free row');
    assert.ok('identities' in rows[0].worstCase!.strategy && 'topicsPerItem' in rows[1].worstCase!.strategy);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('search config: unknown keys and bad values are config errors naming the path', () => {
  const base = { designs: [{ name: 'p', rule: 'pro-rata' }], attacks: [{ type: 'spam' }] };
  assert.throws(() => parseSimConfig({ ...base, search: { iterations: 2, populaton: 3 } }, 'x.json'), (e: unknown) => e instanceof LedgerLabError && /search\.populaton/.test(String((e as Error).message)));
  assert.throws(() => parseSimConfig({ ...base, search: { objective: 'fun' } }, 'x.json'), (e: unknown) => e instanceof LedgerLabError && /search\.objective/.test(String((e as Error).message)));
  assert.is(parseSimConfig({ ...base, search: {} }).search!.iterations, 8);
});

test('`ledgerlab run` (one seed per run) refuses the adaptive blocks instead of ignoring them', async () => {
  const config = { designs: [{ name: 'p', rule: 'pro-rata' }], attacks: [{ type: 'spam' }], search: {}, population: {} };
  let err: unknown;
  try {
    await simulateKind.run({ config, seed: 0, resume: false, verbose: false, run: { logMetrics: () => {} } as never } as never);
  } catch (e) {
    err = e;
  }
  assert.ok(err instanceof LedgerLabError);
  assert.match(String((err as Error).message), 'config.search, config.population run over a whole sweep, not per seed');
  assert.match(String((err as LedgerLabError).hint), 'ledgerlab simulate FILE');
});

test.run();
