/**
 * The `scale` experiment kind (issue 17): one run per seed of
 *   1. the ladder (./ladder.ts): each rung's decoder and the two published recipes scaled to it;
 *   2. the measurement (./measure.ts, ./rounds.ts): every cell of every rung's factorial grid built once, then
 *      interleaved rounds in a seeded shuffled order until each cell's IQR / median is under the target;
 *   3. the cost-model fit (./fit.ts) on every rung but the largest, and every cell predicted;
 *   4. per rung the measured ratio and Shapley shares with bootstrap intervals (./intervals.ts);
 *   5. optional quality runs on chosen rungs (./quality.ts), and the ChatGLM2-6B / A100 prediction.
 * The summary has the shape of ./summary.ts (the contract with the report section); cells.json holds every
 * cell's batches and round times, so the fit can be redone from a finished run (scripts/scale-fit.ts).
 */
import type { ExperimentKind } from '../kind.ts';
import { LedgerLabError } from '../../errors.ts';
import { initBackend } from '../../runtime/index.ts';
import { prepareTask } from '../task.ts';
import { taskAndBase } from '../base.ts';
import type { Run } from '../../results/index.ts';
import { ScaleSchema, checkScaleConfig, type ScaleConfig } from './config.ts';
import { buildLadder, costRecipe, type Rung } from './ladder.ts';
import { buildCells, otherLoad, pinnedLabel, type TimedCell } from './measure.ts';
import { runRounds, iqrRel } from './rounds.ts';
import { median } from '../../measure/index.ts';
import { fitLadder, type FitCell } from './fit.ts';
import { bootstrapShares } from './intervals.ts';
import { chatglm2A100 } from './prediction.ts';
import { rungQuality, rungBaseConfig } from './quality.ts';
import type { ScaleSummary, ScaleRung } from './summary.ts';
import { scaleVerdict } from './verdict.ts';

interface Measured { cell: TimedCell; times: number[]; spread: number }

async function measure(c: ScaleConfig, ladder: readonly Rung[], task: Awaited<ReturnType<typeof prepareTask>>, seed: number, run: Run, verbose: boolean): Promise<{ measured: Measured[]; factors: string[] }> {
  const m = c.measurement;
  const groups = m.interleave === 'ladder' ? [ladder] : ladder.map((r) => [r]);
  const measured: Measured[] = [];
  let factors: string[] = [];
  for (const group of groups) {
    const set = await buildCells(group, task, c.batchSize, m.batches, seed);
    factors = set.factors;
    const offset = ladder.indexOf(group[0]);
    try {
      const t0 = performance.now();
      const r = await runRounds(set.cells.length, { warmupRounds: m.warmupRounds, roundsMin: m.roundsMin, roundsMax: m.roundsMax, iqrTarget: m.iqrTarget, seed: `${seed}:${group.map((g) => g.name).join(',')}` },
        (i) => set.cells[i].time(),
        (round, times, spread) => {
          const over = spread.filter((x) => !(x < m.iqrTarget)).length;
          const worst = Math.max(...spread.map((x, c) => (times[c]!.length > 1 ? x : 0)));
          run.logMetrics({ phase: 'rounds', rungs: group.map((g) => g.name).join(','), round, cellsOverTarget: over, worstIqrRel: worst, seconds: (performance.now() - t0) / 1000 });
          if (verbose) process.stderr.write(`scale: round ${round} (${group.map((g) => g.name).join(',')}): ${over}/${times.length} cells over IQR ${m.iqrTarget}, worst ${worst.toFixed(3)}, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
        });
      set.cells.forEach((cell, i) => measured.push({ cell: { ...cell, rung: cell.rung + offset }, times: r.times[i], spread: r.spread[i] }));
    } finally {
      set.dispose();
    }
  }
  return { measured, factors };
}

export async function runScale(c: ScaleConfig, seed: number, run: Run, verbose: boolean): Promise<ScaleSummary & Record<string, unknown>> {
  await initBackend(); // before the first tensor, or tfjs silently falls back to its slow cpu backend
  const task = await prepareTask(c.data);
  const ladder = buildLadder(c, task.tokenizer.vocabSize);
  checkScaleConfig(c, ladder.map((r) => r.name));

  // Never time on a shared core without saying so: the busy fraction of the timed core while we sleep.
  const load = await otherLoad();
  const cpuPinned = pinnedLabel(load.cpus);
  const busy = load.coreBusy ?? 0;
  if (busy > c.measurement.busyThreshold) {
    const msg = `the timed core${load.cpus ? ` (cpu ${load.cpus.join(',')})` : ''} is ${(100 * busy).toFixed(0)}% busy with other processes (1-min load ${load.loadAvg1.toFixed(2)})`;
    if (c.measurement.busy === 'refuse') throw new LedgerLabError({ kind: 'usage', problem: `${msg}: refusing to time`, where: 'measurement.busy', hint: 'stop the other work, pin this run to a quiet core (run --jobs pins workers), or set measurement.busy to "warn"' });
    process.stderr.write(`\n*** WARNING (scale): ${msg}; step times are disturbed and their IQRs will show it ***\n\n`);
  }
  run.logMetrics({ phase: 'load', loadAvg1: load.loadAvg1, coreBusy: load.coreBusy, cpuPinned });

  const { measured, factors } = await measure(c, ladder, task, seed, run, verbose);
  const fitCells: FitCell[] = measured.map(({ cell, times }) => ({
    rung: ladder[cell.rung].name, switched: cell.switched, shape: ladder[cell.rung].shape, recipe: costRecipe(cell.recipe), batches: cell.batches, times,
  }));
  run.writeArtifact('cells', 'cells.json', JSON.stringify({ rungs: ladder.map((r) => r.name), factors, cells: fitCells }, null, 2) + '\n');
  const fit = fitLadder(fitCells, ladder.map((r) => r.name));

  const rungs: ScaleRung[] = [];
  for (const [ri, rung] of ladder.entries()) {
    const idx = measured.flatMap((m, i) => (m.cell.rung === ri ? [i] : []));
    const cells = idx.map((i) => {
      const { cell, times, spread } = measured[i];
      const n = cell.batches.length;
      return {
        switched: cell.switched, seconds: median(times), iqrRel: spread, sampleIqrRel: iqrRel(times), rounds: times.length,
        predictedSeconds: fit.cells[i].predictedSeconds, relError: fit.cells[i].relError, heldOut: fit.cells[i].heldOut,
        batch: {
          batchSize: cell.batches.reduce((a, b) => a + b.batchSize, 0) / n,
          realTokens: cell.batches.reduce((a, b) => a + b.realTokens, 0) / n,
          paddedLength: cell.batches.reduce((a, b) => a + b.paddedLength, 0) / n,
        },
      };
    });
    const shares = bootstrapShares(factors, idx.map((i) => ({ switched: measured[i].cell.switched, times: measured[i].times })), c.measurement.bootstrap, `${seed}:${rung.name}`);
    const shape = { layers: rung.model.layers, d: rung.model.dModel, heads: rung.model.heads, kvHeads: rung.model.kvHeads ?? rung.model.heads, ffn: rung.model.ffn!, vocab: rung.model.vocab };
    const entry: ScaleRung = { name: rung.name, params: rung.params, shape, context: rung.context, prefix: rung.prefix, loraR: rung.loraR, cells, ratio: shares.ratio, shapley: shares.shapley };
    if (c.quality.rungs.includes(rung.name)) entry.quality = await rungQuality(c, rung, seed, run, verbose);
    rungs.push(entry);
  }

  const chatglm2_a100 = chatglm2A100();
  const costModel = { device: fit.constants, fittedOn: fit.fittedOn, heldOut: fit.heldOut, relErrorMedian: fit.relErrorMedian, heldOutRelErrorMedian: fit.heldOutRelErrorMedian, relErrors: fit.relErrors };
  const allCells = rungs.flatMap((r) => r.cells);
  const numbers = {
    rungs,
    factors,
    measurement: {
      roundsMin: c.measurement.roundsMin, roundsMax: c.measurement.roundsMax, iqrTarget: c.measurement.iqrTarget,
      cellsOverTarget: allCells.filter((x) => !(x.iqrRel < c.measurement.iqrTarget)).length,
      cpuPinned, otherLoad: load.loadAvg1,
    },
    costModel,
    prediction: { chatglm2_a100 },
    // beyond the contract: how the timing went, for the record
    timing: { interleave: c.measurement.interleave, batchesPerCell: c.measurement.batches, warmupRounds: c.measurement.warmupRounds, coreBusy: load.coreBusy, worstIqrRel: Math.max(...allCells.map((x) => x.iqrRel)) },
    data: task.manifest,
  };
  return { ...numbers, verdict: scaleVerdict(numbers) };
}

export const scaleKind: ExperimentKind<ScaleConfig> = {
  kind: 'scale',
  summary: 'the speedup factorial over a ladder of model sizes, a cost model fitted on it (largest rung held out), and its ChatGLM2-6B/A100 prediction',
  configSchema: ScaleSchema,
  run: (ctx) => runScale(ctx.config, ctx.seed, ctx.run, ctx.verbose),
  // Quality rungs' pretrained bases are built once here, before parallel workers start.
  prepare: async (c, verbose) => {
    await initBackend();
    const task = await prepareTask(c.data);
    const ladder = buildLadder(c, task.tokenizer.vocabSize);
    checkScaleConfig(c, ladder.map((r) => r.name));
    for (const r of ladder) if (c.quality.rungs.includes(r.name)) await taskAndBase(rungBaseConfig(c, r), verbose);
  },
};
