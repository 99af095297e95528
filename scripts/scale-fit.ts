// Redo the scale kind's cost-model fit from saved cells (one or more runs' cells.json), without re-measuring:
// node_modules/.bin/node scripts/scale-fit.ts results/<run>/cells.json [more cells.json …]
// Prints the fitted constants, the median errors (all cells, held-out rung) and every cell's measured vs
// predicted seconds with its counts, so a change of the counts in lib/experiments/cost-model can be judged in
// seconds. Several files are fitted together only if their rungs agree (the seeds of one experiment).
import { readFileSync } from 'node:fs';
import { fitLadder, meanCounts, type FitCell } from '../lib/index.ts';

const files = process.argv.slice(2);
if (!files.length) {
  process.stderr.write('usage: scripts/scale-fit.ts CELLS.json [CELLS.json …]\n');
  process.exit(2);
}
const loaded = files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as { rungs: string[]; cells: FitCell[] });
const rungs = loaded[0].rungs;
for (const [i, l] of loaded.entries()) {
  if (JSON.stringify(l.rungs) !== JSON.stringify(rungs)) throw new Error(`${files[i]}: rungs ${l.rungs.join(',')} differ from ${rungs.join(',')}`);
}
const cells = loaded.flatMap((l) => l.cells);
const fit = fitLadder(cells, rungs);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
console.log(`constants: ${(fit.constants.flopsPerSecond / 1e9).toFixed(2)} GFLOP/s, ${(fit.constants.bytesPerSecond / 1e9).toFixed(2)} GB/s, ${(fit.constants.secondsPerKernel * 1e6).toFixed(1)} µs/kernel, ${(fit.constants.secondsPerDequantValue * 1e9).toFixed(2)} ns/dequantized value`);
console.log(`fitted on ${fit.fittedOn.join(', ')}; held out ${fit.heldOut}`);
console.log(`relErrorMedian ${pct(fit.relErrorMedian)}   heldOutRelErrorMedian ${pct(fit.heldOutRelErrorMedian)}`);
console.log('rung  cell                                        measured  predicted  err    GFLOP   MB      kernels');
cells.forEach((c, i) => {
  const k = meanCounts(c.shape, c.recipe, c.batches);
  const f = fit.cells[i];
  console.log(`${c.rung.padEnd(5)} ${(c.switched.join('+') || 'fast').padEnd(43)} ${f.measuredSeconds.toFixed(4).padStart(8)}  ${f.predictedSeconds.toFixed(4).padStart(9)}  ${pct(f.relError).padStart(6)} ${(k.flops.total / 1e9).toFixed(2).padStart(6)}  ${(k.bytes.total / 1e6).toFixed(0).padStart(6)}  ${k.kernels.toFixed(0).padStart(6)}`);
});
