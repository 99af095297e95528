// Crafted scale summaries (the run.json summary shape of lib/experiments/scale/summary.ts) with round numbers,
// so the verdict and report tests can state their expected text by hand. Two rungs by default are enough for
// a trend; four rungs are the ladder.
import type { Est, QualityArm, ScaleCell, ScaleRung, ScaleSummary } from '../../lib/experiments/scale/summary.ts';
import { startRun } from '../../lib/results/index.ts';

export const FACTORS = ['method', 'padding', 'prefix', 'checkpoint', 'quant'];

const est = (value: number, spread: number | undefined): Est => (spread === undefined ? { value } : { value, lo: value - spread, hi: value + spread });

export function arm(o: Partial<QualityArm> = {}): QualityArm {
  return { rougeL: 14.2, rouge1: 20.5, bleu4: 5.1, distinct1: 0.31, distinct2: 0.52, repetition: 0.08, degenerate: false, trainSteps: 400, ...o };
}
export const degenerateArm = (o: Partial<QualityArm> = {}) => arm({ rougeL: 9.9, rouge1: 12, bleu4: 1.5, distinct1: 0.02, distinct2: 0.05, repetition: 0.6, degenerate: true, ...o });

function cell(switched: string[], seconds: number, predicted: number, heldOut: boolean, padded: number): ScaleCell {
  return {
    switched, seconds, iqrRel: 0.03, rounds: 12, predictedSeconds: predicted, relError: Math.abs(predicted - seconds) / seconds, heldOut,
    batch: { batchSize: 4, realTokens: 200, paddedLength: padded },
  };
}

export interface RungInput {
  name: string;
  params: number;
  d: number;
  ratio: number;
  shapley: Record<string, number>;
  /** [seconds, predicted] of the fast corner, one middle cell and the slow corner. */
  cells: [number, number][];
  quality?: ScaleRung['quality'];
}

export function rung(r: RungInput, spread: number | undefined, heldOut: boolean): ScaleRung {
  const switched = [[], ['padding'], FACTORS];
  return {
    name: r.name, params: r.params,
    shape: { layers: 2, d: r.d, heads: 4, kvHeads: 2, ffn: r.d * 3, vocab: 2000 },
    context: 96, prefix: 12, loraR: Math.max(1, Math.round((32 * r.d) / 4096)),
    cells: r.cells.map(([s, p], i) => cell(switched[i]!, s, p, heldOut, i === 0 ? 60 : 96)),
    ratio: est(r.ratio, spread === undefined ? undefined : spread * 2),
    shapley: Object.fromEntries(Object.entries(r.shapley).map(([f, v]) => [f, est(v, spread)])),
    ...(r.quality ? { quality: r.quality } : {}),
  };
}

export const R0: RungInput = {
  name: 'r0', params: 500_000, d: 64, ratio: 3.0,
  shapley: { method: 1.0, padding: 1.25, prefix: 1.0, checkpoint: 1.6, quant: 1.5 },
  cells: [[0.010, 0.011], [0.015, 0.0147], [0.030, 0.0315]],
  quality: { fast: degenerateArm(), slow: degenerateArm({ distinct2: 0.031, repetition: 0.712 }), degenerate: true },
};
export const R1: RungInput = {
  name: 'r1', params: 26_000_000, d: 512, ratio: 2.4,
  shapley: { method: 0.98, padding: 1.1, prefix: 1.02, checkpoint: 1.8, quant: 1.2 },
  cells: [[0.200, 0.180], [0.260, 0.273], [0.480, 0.600]],
  quality: { fast: arm(), slow: arm({ rougeL: 13.1 }), degenerate: false },
};

export interface CraftOptions {
  rungs?: RungInput[];
  /** Half-width of every Shapley interval (the ratio's is twice it); undefined: one seed, no intervals. */
  spread?: number;
  relErrorMedian?: number;
  heldOutRelErrorMedian?: number;
  rungsOverTarget?: number;
  quiet?: 'quiet' | 'noisy' | 'unknown';
  cpuPinned?: string | null;
  prediction?: Partial<ScaleSummary['prediction']['chatglm2_a100']>;
}

export function craftSummary(o: CraftOptions = {}): ScaleSummary {
  const inputs = o.rungs ?? [R0, R1];
  const rungs = inputs.map((r, i) => rung(r, 'spread' in o ? o.spread : 0.1, i === inputs.length - 1));
  const relErrors = rungs.flatMap((r) => r.cells.map((c) => c.relError));
  return {
    rungs,
    factors: FACTORS,
    measurement: { roundsMin: 8, roundsMax: 40, target: 0.025, rungsOverTarget: o.rungsOverTarget ?? 0, quiet: o.quiet ?? 'quiet', cpuPinned: 'cpuPinned' in o ? o.cpuPinned! : 'cpu 1 (taskset)', otherLoad: 0.12 },
    costModel: {
      device: { flopsPerSecond: 2e10, bytesPerSecond: 5e9, secondsPerKernel: 2e-5 },
      fittedOn: inputs.slice(0, -1).map((r) => r.name),
      heldOut: inputs[inputs.length - 1]!.name,
      relErrorMedian: o.relErrorMedian ?? 0.082,
      heldOutRelErrorMedian: o.heldOutRelErrorMedian ?? 0.195,
      relErrors,
    },
    prediction: {
      chatglm2_a100: {
        device: 'a100-80gb',
        samplesPerSecond: { lora: 23.29, ptuning: 12.9, 'lora.lo': 15.84, 'lora.hi': 30.46, 'ptuning.lo': 8.72, 'ptuning.hi': 16.99 },
        ratio: 1.81, 'ratio.lo': 1.72, 'ratio.hi': 1.94,
        memoryGB: { lora: 7.14, ptuning: 4.58 },
        shapley: { method: 0.983, padding: 1.063, prefix: 1.004, checkpoint: 1.438, quant: 1.197 },
        published: { lora: 21.67, ptuning: 5.81, ratio: 21.67 / 5.81, memoryGB: { lora: 5.14, ptuning: 5.78 } },
        ...o.prediction,
      },
    },
    verdict: '',
  };
}

/** A fixed environment so provenance lines are exact. */
export const ENV = {
  cpu: { model: 'Test CPU @ 2.0GHz', cores: 2 }, memory: { totalBytes: 24 * 2 ** 30 }, node: { version: '22.23.3' },
  os: { hostname: 'testhost' }, backend: { name: 'wasm' },
};

/** Writes a finished scale run (run.json only) under root and returns its folder. */
export async function writeScaleRun(root: string, runId: string, summary: ScaleSummary, seeds: number[], config: unknown = { name: 'scale-crafted' }): Promise<string> {
  const run = await startRun({ kind: 'scale', name: (config as { name?: string }).name ?? 'scale-crafted', config, seeds, root, runId, environment: ENV });
  run.finish(summary);
  return run.dir;
}
