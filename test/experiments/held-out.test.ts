// The cost model's frozen held-out prediction (lib/experiments/scale/frozen.ts): the committed prediction for the
// never-measured rung (docs/measurements/2026-12-07-held-out-rung.json, from scripts/held-out-check.ts --predict)
// is exactly what the frozen constants and today's counts give on the committed batches; and the check against a
// measurement is the plain relative error.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FROZEN_FIT, HELD_OUT_RUNG, predictCells, heldOutCheck, type FitCell, type CostRecipe } from '../../lib/experiments/index.ts';

interface Committed {
  rung: { name: string; layers: number; d: number; shape: FitCell['shape'] };
  factors: string[];
  seeds: { seed: number; cells: { switched: string[]; batches: FitCell['batches']; predictedSeconds: Record<string, number> }[]; ratio: Record<string, number> }[];
}
const committed = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'measurements', '2026-12-07-held-out-rung.json'), 'utf8')) as Committed;

// The recipes of the rung's grid cells, as the scale ladder builds them for d 768 (LoRA r 6 on q,k,v; prefix 12).
function recipeOf(switched: readonly string[]): CostRecipe {
  const s = new Set(switched);
  const method: CostRecipe['method'] = s.has('method') ? { method: 'ptuning-v2', prefix: s.has('prefix') ? 12 : 1 } : { method: 'lora', r: 6, targets: ['q', 'k', 'v'] };
  return { method, checkpoint: s.has('checkpoint'), storage: s.has('quant') ? 'nf4' : 'fp32', compute: 'fp32' };
}

test('the committed prediction is the frozen constants\' prediction for a rung larger than r3, never measured', () => {
  assert.equal([committed.rung.name, committed.rung.layers, committed.rung.d], [HELD_OUT_RUNG.name, HELD_OUT_RUNG.layers, HELD_OUT_RUNG.d]);
  assert.ok(HELD_OUT_RUNG.layers * HELD_OUT_RUNG.d ** 2 > 8 * 512 ** 2, 'larger than r3 (8 × 512)');
  assert.equal(FROZEN_FIT.fittedOn, ['r0', 'r1', 'r2']);
  for (const s of committed.seeds) {
    const cells = s.cells.map((c) => ({ rung: 'r4', switched: c.switched, shape: committed.rung.shape, recipe: recipeOf(c.switched), batches: c.batches }));
    for (const [k, constants] of Object.entries(FROZEN_FIT.seeds)) {
      const p = predictCells(cells, constants, committed.factors);
      p.seconds.forEach((sec, i) => assert.ok(Math.abs(sec / s.cells[i]!.predictedSeconds[k]! - 1) < 1e-12, `${k} ${s.cells[i]!.switched.join('+')}`));
      assert.ok(Math.abs(p.ratio / s.ratio[k]! - 1) < 1e-12);
    }
  }
});

test('heldOutCheck: per-cell |predicted − measured| / measured and their median', () => {
  const s = committed.seeds[0]!;
  const cells: FitCell[] = s.cells.map((c, i) => ({ rung: 'r4', switched: c.switched, shape: committed.rung.shape, recipe: recipeOf(c.switched), batches: c.batches, times: [c.predictedSeconds.s0! * (i % 2 ? 1.1 : 0.9)] }));
  const r = heldOutCheck(cells, FROZEN_FIT.seeds.s0, committed.factors);
  r.relErrors.forEach((e, i) => assert.ok(Math.abs(e - (i % 2 ? 0.1 / 1.1 : 0.1 / 0.9)) < 1e-9, String(e)));
  assert.ok(r.relErrorMedian > 0.09 && r.relErrorMedian < 0.112);
});

test.run();
