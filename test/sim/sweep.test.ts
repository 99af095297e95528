import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { meanCI } from '../../lib/measure/index.ts';
import { simulateCommand } from '../../lib/cli/commands/index.ts';
import { parseCommandArgs } from '../../lib/cli/args.ts';
import { parseSimConfig, SimConfigSchema, runSweep, designGrid, standardDesigns, world, design, attack, runCell } from '../../lib/sim/index.ts';
import { loadSimFile, formatSweepTable, simulateKind } from '../../lib/experiments/index.ts';

const tmp = mkdtempSync(join(tmpdir(), 'sim-'));
const small = {
  world: { honest: 5, itemsPerHonest: 4, queriesPerEpoch: 40, epochs: 2 },
  designs: [{ name: 'pro-rata', rule: 'pro-rata' }, { name: 'sqrt', rule: 'sqrt' }],
  attacks: [{ type: 'sybil', identities: 4, budgetEth: 0.05 }, { type: 'none' }],
};

async function cli(argv: string[]): Promise<string> {
  const out: string[] = [];
  const log = console.log;
  console.log = (...a: unknown[]) => out.push(a.join(' '));
  try {
    await simulateCommand.run(parseCommandArgs(simulateCommand, argv));
  } finally {
    console.log = log;
  }
  return out.join('\n');
}

test('config: unknown keys and bad values are errors with their path', () => {
  assert.throws(() => parseSimConfig({ ...small, designs: [{ name: 'x', rule: 'pro-rata', defenses: [] }] }), /designs\[0\]\.defenses: unknown key \(did you mean "defences"\?\)/);
  assert.throws(() => parseSimConfig({ ...small, attacks: [{ type: 'sybl' }] }), /attacks\[0\]\.type: .*did you mean "sybil"/);
  assert.throws(() => parseSimConfig({ ...small, attacks: [{ type: 'wash', queriesPerEpoch: -1 }] }), /attacks\[0\]\.queriesPerEpoch: expected integer ≥ 0/);
  assert.throws(() => parseSimConfig({ ...small, world: { honest: 3, k: 0 } }), /world\.k/);
  const c = parseSimConfig({ designs: small.designs, attacks: small.attacks });
  assert.is(c.world.queriesPerEpoch, 300);
  assert.is(c.designs[0].attribution, 'retrieval');
  assert.equal(c.attacks[0], { type: 'sybil', identities: 4, budgetEth: 0.05, quality: 0.5 });
});

test('designs: grid names and the standard catalogue', () => {
  const g = designGrid(['pro-rata', 'sqrt'], ['retrieval', 'knn-shapley'], [[], ['duplicates']]);
  assert.is(g.length, 8);
  assert.equal(g.map((d) => d.name).slice(0, 3), ['pro-rata/retrieval', 'pro-rata/retrieval+duplicates', 'pro-rata/knn-shapley']);
  assert.equal(standardDesigns().map((d) => d.rule), ['pro-rata', 'stake', 'volume-cap', 'sqrt', 'reputation', 'pro-rata', 'pro-rata', 'volume-cap']);
});

test('sweep: one row per design × attack; rows are meanCI of the per-seed cells', () => {
  const cfg = parseSimConfig(small);
  const r = runSweep(cfg, [0, 1, 2]);
  assert.is(r.cells.length, 12);
  assert.equal(r.rows.map((x) => `${x.design}:${x.attack}`), ['pro-rata:sybil', 'pro-rata:none', 'sqrt:sybil', 'sqrt:none']);
  const cells = r.cells.filter((c) => c.design === 'sqrt' && c.attack === 'sybil');
  assert.equal(r.rows[2].metrics.capturedShare, meanCI(cells.map((c) => c.metrics.capturedShare)));
  // The cell equals a standalone runCell on the same seed (the shared baseline changes nothing).
  const one = runCell(cfg.world, cfg.designs[1], cfg.attacks[0], 1);
  assert.equal(cells[1].metrics, one);
  const none = r.rows[1].metrics;
  assert.is(none.capturedShare.mean, 0);
  assert.is(none.honestRetention.mean, 1);
  assert.is(none.roi.n, 0); // no attacker: ROI is undefined and left out
  assert.ok(r.rows[2].metrics.capturedShare.mean > r.rows[0].metrics.capturedShare.mean, 'sybils capture more under sqrt');
  const table = formatSweepTable(r.rows);
  assert.match(table.split('\n')[0], /^design\s+attack\s+captured %\s+ROI\s+honest retention %$/);
  assert.is(table.split('\n').length, 6);
});

test('sim files: envelope, seeds override, wrong kind', () => {
  const f = join(tmp, 'x.json');
  writeFileSync(f, JSON.stringify({ kind: 'simulate', name: 'x', seeds: [4, 5], config: small }));
  assert.equal(loadSimFile(f).seeds, [4, 5]);
  assert.equal(loadSimFile(f, { seeds: 3 }).seeds, [0, 1, 2]);
  writeFileSync(f, JSON.stringify({ kind: 'speedup', name: 'x', config: small }));
  assert.throws(() => loadSimFile(f), /expected kind "simulate"/);
  writeFileSync(f, JSON.stringify({ kind: 'simulate', name: 'x', config: { ...small, extra: 1 } }));
  assert.throws(() => loadSimFile(f), /extra: unknown key/);
});

test('experiments/sim-*.json are valid and big enough', () => {
  const d = loadSimFile('experiments/sim-default.json');
  assert.ok(d.config.designs.length >= 5 && d.config.attacks.length >= 6 && d.seeds.length >= 5);
  assert.is(new Set(d.config.attacks.map((a) => a.type)).size, 7);
  const q = loadSimFile('experiments/sim-quick.json');
  assert.ok(q.config.designs.length * q.config.attacks.length * q.seeds.length <= 20);
});

test('CLI: table, --json rows, recorded run folder, unknown mode', async () => {
  const f = join(tmp, 'cli.json');
  writeFileSync(f, JSON.stringify({ kind: 'simulate', name: 'cli', seeds: [0], config: small }));
  const text = await cli([f, '--seeds', '2', '--root', tmp]);
  assert.match(text, /cli: 2 designs × 2 attacks × 2 seeds, fast mode/);
  assert.match(text, /sqrt\s+sybil\s+\d+\.\d \[/);
  const dir = /recorded: (.*)/.exec(text)![1];
  const record = JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'));
  assert.is(record.status, 'finished');
  assert.equal(record.seeds, [0, 1]);
  assert.is(readFileSync(join(dir, 'metrics.jsonl'), 'utf8').trim().split('\n').length, 8);
  const json = JSON.parse(await cli([f, '--json', '--no-record']));
  assert.is(json.rows.length, 4);
  assert.is(json.runDir, undefined);
  await cli([f, '--mode', 'chain']).then(() => assert.unreachable(), (e) => assert.match(String(e.message), /unknown mode "chain"/));
});

test('simulateKind runs one seed of a sweep for `ledgerlab run`', async () => {
  const lines: unknown[] = [];
  // The runner hands a kind the config its configSchema parsed (once).
  const summary = await simulateKind.run({ config: SimConfigSchema.parse(small), seed: 0, resume: false, verbose: false, run: { logMetrics: (l: unknown) => lines.push(l) } as never });
  assert.is(lines.length, 4);
  assert.is((summary as { rows: unknown[] }).rows.length, 4);
});

test('attack catalogue: each attack type runs and has a budgeted, costed attacker', () => {
  const w = world({ honest: 5, itemsPerHonest: 4, queriesPerEpoch: 40, epochs: 2 });
  for (const type of ['sybil', 'flood', 'spam', 'wash', 'collusion', 'swarm', 'freerider'] as const) {
    const m = runCell(w, design({ name: 'p', rule: 'pro-rata' }), attack({ type, budgetEth: 0.1 }), 0);
    assert.ok(m.attackerCostEth > 0 && m.attackerCostEth <= 0.1 * 1.05 + 1e-9, `${type} cost ${m.attackerCostEth}`);
    assert.ok(Number.isFinite(m.roi) && m.capturedShare >= 0 && m.capturedShare < 1, type);
  }
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
