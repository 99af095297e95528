/**
 * The `scale` experiment kind (issue 17): one run per seed of
 *   1. the ladder (./ladder.ts): each rung's decoder and the two published recipes scaled to it;
 *   2. the measurement (./measure.ts, the timing engine): every cell of every rung's factorial grid built once,
 *      then paired rounds in a seeded shuffled order on the same batch ids until every rung's fast/slow ratio
 *      interval is within ± measurement.target (or the time cap), noisy rounds re-run by the quiet-machine guard;
 *   3. the cost-model fit (./fit.ts) on every rung but the largest, and every cell predicted;
 *   4. per rung the measured ratio and Shapley shares from the cells' paired medians, bootstrap intervals over rounds;
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
import { buildCells, cellArmName, otherLoad, pinnedLabel, type TimedCell } from './measure.ts';
import { iqrRel, medianSpread } from './rounds.ts';
import { median, timeArms, ratioOf, timingRecord, worstStatus, type Interval, type TimingRecord } from '../../measure/index.ts';
import { fitLadder, type FitCell } from './fit.ts';
import { pairedShares, switchedKey } from '../speedup/index.ts';
import { chatglm2A100 } from './prediction.ts';
import { rungQuality, rungBaseConfig } from './quality.ts';
import type { ScaleSummary, ScaleRung, Est } from './summary.ts';
import { scaleVerdict } from './verdict.ts';

interface Measured { cell: TimedCell; times: number[]; spread: number }

interface Timed { measured: Measured[]; factors: string[]; timing: TimingRecord[]; rungHalfWidth: Map<string, number> }

/** The ratio each rung reports, per round: its fast cell's throughput over its slow cell's (the stop rule's figure). */
function rungRatios(group: readonly Rung[], factors: readonly string[]) {
  return group.map((r) => ratioOf(cellArmName(r.name, []), cellArmName(r.name, factors), r.name));
}

async function measure(c: ScaleConfig, ladder: readonly Rung[], task: Awaited<ReturnType<typeof prepareTask>>, seed: number, run: Run, verbose: boolean): Promise<Timed> {
  const m = c.measurement;
  const groups = m.interleave === 'ladder' ? [ladder] : ladder.map((r) => [r]);
  const out: Timed = { measured: [], factors: [], timing: [], rungHalfWidth: new Map() };
  for (const group of groups) {
    const set = await buildCells(group, task, c.batchSize, m.batches, seed);
    out.factors = set.factors;
    const offset = ladder.indexOf(group[0]);
    const names = group.map((g) => g.name).join(',');
    try {
      const r = await timeArms(set.arms, {
        seed: `${seed}:${names}`, batches: m.batches, warmupRounds: m.warmupRounds, minRounds: m.roundsMin, maxRounds: m.roundsMax, target: m.target, timeCapS: m.timeCapS,
        maxReruns: m.maxReruns, guard: { maxForeignCores: m.maxForeignCores, maxSteal: m.maxSteal }, ratios: rungRatios(group, set.factors),
        onRound: (round, p) => {
          const widths = Object.fromEntries(Object.entries(p.ratios).map(([k, v]) => [k, v.halfWidth]));
          run.logMetrics({ phase: 'rounds', rungs: names, round, halfWidth: widths, reruns: p.reruns, seconds: p.seconds });
          if (verbose) process.stderr.write(`scale: round ${round} (${names}): ratio ±${Object.entries(widths).map(([k, w]) => `${k} ${(100 * w).toFixed(1)}%`).join(', ')} (target ${(100 * m.target).toFixed(1)}%), ${p.seconds.toFixed(0)} s\n`);
        },
      });
      for (const [k, v] of Object.entries(r.ratios)) out.rungHalfWidth.set(k, v.halfWidth);
      out.timing.push(timingRecord(r));
      set.cells.forEach((cell, i) => {
        const times = r.arms[i]!.wallMs.map((ms) => ms / 1000 / m.batches);
        out.measured.push({ cell: { ...cell, rung: cell.rung + offset }, times, spread: medianSpread(times, i) });
      });
    } finally {
      set.dispose();
    }
  }
  return out;
}

/** The rung's ratio and Shapley values from its cells' paired round times (as Est, the summary's shape). */
function rungShares(factors: readonly string[], cells: readonly Measured[], resamples: number, seed: string): { ratio: Est; shapley: Record<string, Est> } {
  const logs = new Map(cells.map((x) => [switchedKey(x.cell.switched), x.times.map((t) => -Math.log(t))]));
  const d = pairedShares(factors, logs, seed, { resamples: Math.max(resamples, 0) });
  const est = (iv: Interval): Est => (resamples > 0 ? { value: iv.mean, lo: iv.lo, hi: iv.hi } : { value: iv.mean });
  return { ratio: est(d.ratio), shapley: Object.fromEntries(factors.map((f) => [f, est(d.shapley[f]!)])) };
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

  const { measured, factors, timing, rungHalfWidth } = await measure(c, ladder, task, seed, run, verbose);
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
    const shares = rungShares(factors, idx.map((i) => measured[i]!), c.measurement.bootstrap, `${seed}:${rung.name}`);
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
      roundsMin: c.measurement.roundsMin, roundsMax: c.measurement.roundsMax, target: c.measurement.target,
      rungsOverTarget: [...rungHalfWidth.values()].filter((w) => !(w <= c.measurement.target)).length,
      quiet: worstStatus(timing.map((t) => t.noise.status)),
      cpuPinned, otherLoad: load.loadAvg1,
    },
    costModel,
    prediction: { chatglm2_a100 },
    // beyond the contract: how the timing went, for the record
    timing: { interleave: c.measurement.interleave, batchesPerCell: c.measurement.batches, warmupRounds: c.measurement.warmupRounds, coreBusy: load.coreBusy, worstIqrRel: Math.max(...allCells.map((x) => x.iqrRel)), rungHalfWidth: Object.fromEntries(rungHalfWidth), sections: timing },
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
