// 06-adaptive-attacks executed headless (real Jupyter, tslab) on a small adaptive simulation file in a temp
// results folder: it runs and records the sweep with search, populations and the span study (a model trained a
// few steps), shows the worst-case table, the population chart and the span table, and prints the run's numbers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNotebook } from '../helpers/notebook.ts';
import { ledgerlab } from '../helpers/cli.ts';
import { listRuns } from '../../lib/results/index.ts';


test('06-adaptive-attacks runs an adaptive file and prints the recorded worstCase, population and span numbers', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'll-nb06-'));
  const results = join(tmp, 'results');
  const file = join(tmp, 'adaptive-tiny.json');
  writeFileSync(file, JSON.stringify({
    kind: 'simulate', name: 'adaptive-tiny', seeds: [0],
    config: {
      world: { honest: 4, itemsPerHonest: 3, queriesPerEpoch: 30, epochs: 2 },
      designs: [{ name: 'sqrt', rule: 'sqrt' }],
      attacks: [{ type: 'sybil', budgetEth: 0.05, identities: 2 }, { type: 'freerider', budgetEth: 0.05 }],
      search: { iterations: 1, population: 4, elite: 2 },
      population: { epochs: 4 },
      spans: { perSource: 8, queriesPerSource: 2, honest: 2, attackItems: 2, model: { vocab: 300, layers: 1, dModel: 16, heads: 2, steps: 3, batchSize: 4, lr: 0.01, maxSource: 24, maxTarget: 24, maxNew: 8 } },
    },
  }));
  const out = join(tmp, 'nb06.ipynb');
  const r = ledgerlab(['notebook', 'run', '06-adaptive-attacks', '-p', `experiment=${file}`, '-p', `resultsDir=${results}`, '--out', out], { timeoutMs: 900_000 });
  assert.is(r.code, 0, r.stderr);
  const { text, html } = readNotebook(out);

  const runs = listRuns(results);
  assert.is(runs.length, 1);
  const dir = runs[0].dir;
  const rows = JSON.parse(readFileSync(join(dir, 'table.json'), 'utf8')) as { design: string; attack: string; worstCase: { capturedShare: number; roi: number; fixed: { capturedShare: number; roi: number } } }[];
  assert.is(rows.length, 2);
  for (const w of rows) {
    assert.match(text, `worstCase[${w.design} × ${w.attack}] = ${w.worstCase.capturedShare} (fixed ${w.worstCase.fixed.capturedShare}), ROI ${w.worstCase.roi} (fixed ${w.worstCase.fixed.roi})`);
  }
  const pop = JSON.parse(readFileSync(join(dir, 'population.json'), 'utf8')) as { design: string; attack: string; trajectory: { honestProbability: number }[]; survives: boolean }[];
  assert.is(pop.length, 2);
  for (const p of pop) assert.match(text, `population[${p.design} × ${p.attack}]: P(honest) ${p.trajectory.map((t) => t.honestProbability.toFixed(2)).join(' ')} → survives: ${p.survives}`);
  const spans = JSON.parse(readFileSync(join(dir, 'spans.json'), 'utf8')) as { outcomes: { method: string; shares: { owner: string; share: number }[] }[] };
  for (const o of spans.outcomes) assert.match(text, `spans[${o.method}]: ${o.shares.map((s) => `${s.owner} ${(s.share * 100).toFixed(1)}%`).join(', ')}`);
  assert.is((html.match(/<svg/g) ?? []).length, 1, 'the population chart inline');
  assert.match(html, 'Adaptive contributors: probability of contributing honestly (adaptive-tiny)');
  assert.match(html, 'worst-case captured %');
  for (const t of ['- Best-responding attackers (adaptive-tiny)', '- Adaptive populations (adaptive-tiny)', '- Attribution on real text (adaptive-tiny)']) assert.match(text, t);
});

test.run();
