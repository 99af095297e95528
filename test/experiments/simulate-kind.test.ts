// `simulate` is an experiment kind listed in the registry: `ledgerlab run` accepts sim files (issue 20 point 12),
// one run per seed, each with the same rows as the engine's sweep for that seed; the report pools them.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerlab, repoRoot } from '../helpers/cli.ts';
import { experimentKinds, getExperimentKind, reportSections, KINDS, loadSimFile, readSimSweeps, rowSummary, simulateKind } from '../../lib/experiments/index.ts';
import { runSweep } from '../../lib/sim/index.ts';
import { listRuns } from '../../lib/results/index.ts';

const root = mkdtempSync(join(tmpdir(), 'll-simkind-'));
const file = join(repoRoot, 'experiments', 'sim-quick.json');

test('the registry lists every shipped kind once, simulate among them, with its report section', () => {
  assert.equal(experimentKinds().map((k) => k.kind), ['speedup', 'finetune', 'drift', 'qlora', 'simulate', 'scale']);
  assert.is(getExperimentKind('simulate'), simulateKind);
  assert.equal(Object.keys(reportSections()).sort(), ['drift', 'qlora', 'scale', 'simulate', 'speedup']);
  assert.is(KINDS.find((e) => e.kind.kind === 'finetune')!.report, undefined);
});

test('ledgerlab run experiments/sim-quick.json: one finished run per seed, rows equal the engine sweep per seed', () => {
  const r = ledgerlab(['run', file, '--root', root, '--json']);
  assert.is(r.code, 0, r.stderr);
  const outcomes = JSON.parse(r.stdout) as { status: string; seed: number; summary: { rows: unknown[] } }[];
  assert.equal(outcomes.map((o) => [o.status, o.seed]), [['finished', 0], ['finished', 1]]);
  const sim = loadSimFile(file);
  for (const o of outcomes) {
    assert.equal(o.summary.rows, runSweep(sim.config, [o.seed]).rows.map(rowSummary));
  }
  const again = ledgerlab(['run', file, '--root', root, '--json']);
  assert.equal((JSON.parse(again.stdout) as { status: string }[]).map((o) => o.status), ['skipped', 'skipped']);
});

test('the per-seed runs pool into one sweep equal to `ledgerlab simulate` over both seeds', () => {
  const [sweep] = readSimSweeps(listRuns(root));
  assert.is(sweep.source, 'metrics.jsonl');
  assert.equal(sweep.seeds, [0, 1]);
  const sim = loadSimFile(file);
  assert.equal(sweep.rows, runSweep(sim.config, sim.seeds).rows);
});

test.after(() => rmSync(root, { recursive: true, force: true }));
test.run();
