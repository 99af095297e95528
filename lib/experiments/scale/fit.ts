/**
 * The cost model against the measured ladder: every cell's counts (lib/experiments/cost-model countStep, on
 * the cell's own K batches, averaged to one step), the device constants fitted on the cells of every rung but
 * the largest (fitDevice: non-negative least squares on relative error, three constants for the whole
 * machine), and every cell predicted with them. The largest rung is the held-out check.
 * Pure: it works on saved cells (the run's cells.json artefact) as well as on fresh ones.
 */
import { LedgerLabError } from '../../errors.ts';
import { countStep, fitDevice, predictStepTime, type CostBatchStats, type CostRecipe, type ModelShape, type StepCounts, type Device } from '../cost-model/index.ts';
import { median } from '../../measure/index.ts';

/** One measured cell as the cells.json artefact stores it: enough to count, fit and predict again. */
export interface FitCell {
  rung: string;
  switched: string[];
  shape: ModelShape;
  recipe: CostRecipe;
  batches: CostBatchStats[];
  /** seconds per step, one per recorded round. */
  times: number[];
}

/** The mean of the counts of each batch: the step the cell's median time is the time of. */
export function meanCounts(shape: ModelShape, recipe: CostRecipe, batches: readonly CostBatchStats[]): StepCounts {
  const all = batches.map((b) => countStep(shape, recipe, b));
  const mean = (get: (c: StepCounts) => number) => all.reduce((a, c) => a + get(c), 0) / all.length;
  const c0 = all[0];
  return {
    compute: c0.compute,
    flops: { forward: mean((c) => c.flops.forward), backwardInput: mean((c) => c.flops.backwardInput), backwardWeight: mean((c) => c.flops.backwardWeight), recompute: mean((c) => c.flops.recompute), total: mean((c) => c.flops.total) },
    padding: { positions: mean((c) => c.padding.positions), flops: mean((c) => c.padding.flops) },
    bytes: { weights: mean((c) => c.bytes.weights), dequant: mean((c) => c.bytes.dequant), activations: mean((c) => c.bytes.activations), optimizer: mean((c) => c.bytes.optimizer), total: mean((c) => c.bytes.total) },
    kernels: mean((c) => c.kernels),
    dequantValues: mean((c) => c.dequantValues),
    trainableParams: c0.trainableParams,
  };
}

export interface LadderFit {
  device: Device;
  /** the summary's form: 1/(s per FLOP), 1/(s per byte), s per kernel. */
  constants: { flopsPerSecond: number; bytesPerSecond: number; secondsPerKernel: number; secondsPerDequantValue: number };
  fittedOn: string[];
  heldOut: string;
  relErrors: number[];
  relErrorMedian: number;
  heldOutRelErrorMedian: number;
  cells: { measuredSeconds: number; predictedSeconds: number; relError: number; heldOut: boolean }[];
}

/** Fits on every rung but `heldOut` (default: the last, i.e. largest, rung name in `rungOrder`). */
export function fitLadder(cells: readonly FitCell[], rungOrder: readonly string[], heldOut = rungOrder[rungOrder.length - 1]): LadderFit {
  const counts = cells.map((c) => meanCounts(c.shape, c.recipe, c.batches));
  const seconds = cells.map((c) => median(c.times));
  const train = cells.flatMap((c, i) => (c.rung === heldOut ? [] : [{ counts: counts[i], seconds: seconds[i] }]));
  if (train.length < 3) throw new LedgerLabError({ kind: 'config', problem: `only ${train.length} measured cells outside the held-out rung ${heldOut}; the fit needs at least 3`, where: 'rungs', hint: 'give the ladder at least two rungs' });
  const fit = fitDevice(train, 'cpu-fitted');
  const predicted = counts.map((c) => predictStepTime(c, fit.device));
  const out = cells.map((c, i) => ({ measuredSeconds: seconds[i], predictedSeconds: predicted[i], relError: Math.abs(predicted[i] - seconds[i]) / seconds[i], heldOut: c.rung === heldOut }));
  const relErrors = out.map((c) => c.relError);
  const held = out.filter((c) => c.heldOut).map((c) => c.relError);
  return {
    device: fit.device,
    constants: { flopsPerSecond: fit.device.peakFlops.fp32, bytesPerSecond: fit.device.bandwidth, secondsPerKernel: fit.device.kernelOverhead, secondsPerDequantValue: fit.device.secondsPerDequantValue ?? 0 },
    fittedOn: rungOrder.filter((r) => r !== heldOut),
    heldOut,
    relErrors,
    relErrorMedian: median(relErrors),
    heldOutRelErrorMedian: held.length ? median(held) : NaN,
    cells: out,
  };
}
