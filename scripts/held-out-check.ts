// The cost model's held-out rung (lib/experiments/scale/frozen.ts): constants fitted on r0–r2 only, frozen.
//   node_modules/.bin/node scripts/held-out-check.ts --predict
//     counts the never-measured rung's cells on its real batches (experiments/scale-heldout.json's data, batch
//     size and seeds; no model built, nothing timed) and prints the frozen constants' prediction as JSON;
//   node_modules/.bin/node scripts/held-out-check.ts results/<scale-heldout run>/cells.json [more …]
//     compares the measured rung with that prediction (per-cell relative error, median, ratio).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ScaleSchema, buildLadder, prepareTask, gridCells, recipeFactors, fixedBatches, costRecipe, predictCells, heldOutCheck, FROZEN_FIT, HELD_OUT_RUNG, type FitCell } from '../lib/index.ts';

const file = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'experiments', 'scale-heldout.json'), 'utf8')) as { seeds: number[]; config: unknown };
const c = ScaleSchema.parse(file.config);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

async function predict(): Promise<void> {
  const task = await prepareTask(c.data);
  const rung = buildLadder(c, task.tokenizer.vocabSize).find((r) => r.name === HELD_OUT_RUNG.name)!;
  const factors = recipeFactors(rung.fast, rung.slow);
  const out = file.seeds.map((seed) => {
    const cells = gridCells(rung.fast, rung.slow, factors).map((g) => ({
      rung: rung.name, switched: g.switched, shape: rung.shape, recipe: costRecipe(g.recipe),
      batches: fixedBatches(task, g.recipe.padding, c.batchSize, c.measurement.batches, seed).batches,
    }));
    const bySeed = Object.fromEntries(Object.entries(FROZEN_FIT.seeds).map(([k, v]) => [k, predictCells(cells, v, factors)]));
    return { seed, cells: cells.map((x, i) => ({ switched: x.switched, batches: x.batches, predictedSeconds: Object.fromEntries(Object.entries(bySeed).map(([k, p]) => [k, p.seconds[i]])) })), ratio: Object.fromEntries(Object.entries(bySeed).map(([k, p]) => [k, p.ratio])), shapley: Object.fromEntries(Object.entries(bySeed).map(([k, p]) => [k, p.shapley])) };
  });
  console.log(JSON.stringify({ rung: { ...HELD_OUT_RUNG, params: rung.params, shape: rung.shape, loraR: rung.loraR, prefix: rung.prefix }, frozen: FROZEN_FIT, factors, seeds: out }, null, 2));
}

function check(files: string[]): void {
  for (const f of files) {
    const saved = JSON.parse(readFileSync(f, 'utf8')) as { factors: string[]; cells: FitCell[] };
    const cells = saved.cells.filter((x) => x.rung === HELD_OUT_RUNG.name);
    for (const [k, v] of Object.entries(FROZEN_FIT.seeds)) {
      const r = heldOutCheck(cells, v, saved.factors);
      console.log(`${f} — frozen constants ${k}: median relative error ${pct(r.relErrorMedian)} over ${cells.length} cells; ratio predicted ${r.predicted.ratio.toFixed(2)}× vs measured ${r.measuredRatio.toFixed(2)}×`);
      cells.forEach((x, i) => console.log(`  ${(x.switched.join('+') || 'fast').padEnd(40)} measured ${r.measuredSeconds[i]!.toFixed(4)} s  predicted ${r.predicted.seconds[i]!.toFixed(4)} s  ${pct(r.relErrors[i]!)}`));
    }
  }
}

const args = process.argv.slice(2);
if (args[0] === '--predict') await predict();
else if (args.length) check(args);
else {
  process.stderr.write('usage: scripts/held-out-check.ts --predict | CELLS.json [CELLS.json …]\n');
  process.exit(2);
}
