// Many strategic agents (issue 23 §2): Hedge on honest vs game, seeded trajectories, convergence where theory says.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { world, design, attack, hedgeStep, runPopulation, runPopulations, populationConfig, parseSimConfig } from '../../lib/sim/index.ts';

test('hedgeStep with constant payoffs is the discrete replicator map: p_t = p0·e^{ηtΔ} / (p0·e^{ηtΔ} + 1 − p0)', () => {
  for (const [p0, uh, ug, eta] of [[0.5, 0.3, -1, 1], [0.2, -0.4, 0.1, 0.5], [0.9, 1, 1, 2]]) {
    let p = p0;
    for (let t = 1; t <= 20; t++) {
      p = hedgeStep(p, uh, ug, eta);
      const e = Math.exp(eta * t * (uh - ug));
      assert.ok(Math.abs(p - (p0 * e) / (p0 * e + 1 - p0)) < 1e-12, `t=${t}`);
    }
  }
  assert.is(hedgeStep(0.5, 100, -100, 10), 1, 'log-odds form saturates without NaN');
});

const w = world({ honest: 10, itemsPerHonest: 5, queriesPerEpoch: 100 });

test('a dominated game dies out: copies earn nothing under quotient values + dedup, honest → 1 monotonically', () => {
  const d = design({ name: 'q', rule: 'pro-rata', attribution: 'quotient', defences: ['duplicates'] });
  const r = runPopulation(w, d, attack({ type: 'freerider' }) as never, populationConfig({ epochs: 12 }));
  // The free-riders' ROI is −1 every epoch they play (nothing paid, costs spent): below any honest ROI > −1.
  for (const e of r.trajectory) if (Number.isFinite(e.gameRoi)) assert.is(e.gameRoi, -1);
  for (let t = 1; t < r.trajectory.length; t++) assert.ok(r.trajectory[t].honestProbability >= r.trajectory[t - 1].honestProbability);
  assert.ok(r.finalHonestProbability > 0.99 && r.survives);
});

test('a dominant game takes over: retrieval spam under plain pro-rata drives honest contribution out', () => {
  const r = runPopulation(w, design({ name: 'pr', rule: 'pro-rata' }), attack({ type: 'spam' }) as never, populationConfig({ epochs: 12 }));
  assert.ok(r.trajectory[0].gameRoi > r.trajectory[0].honestRoi);
  assert.ok(r.finalHonestProbability < 0.2 && !r.survives);
});

test('population runs are seeded and reproducible; another seed gives another trajectory', () => {
  const cfg = parseSimConfig({
    world: { honest: 6, itemsPerHonest: 3, queriesPerEpoch: 40 },
    designs: [{ name: 'sqrt', rule: 'sqrt' }], attacks: [{ type: 'sybil' }, { type: 'none' }],
    population: { epochs: 5, seed: 3 },
  });
  const a = runPopulations(cfg), b = runPopulations(cfg);
  assert.is(a.length, 1, 'the attack-free entry has no game option');
  assert.equal(a, b);
  const c = runPopulations({ ...cfg, population: { ...cfg.population!, seed: 4 } });
  assert.not.equal(c[0].trajectory, a[0].trajectory);
  assert.is(a[0].trajectory.length, 5);
});

test.run();
