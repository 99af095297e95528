/**
 * The speedup kind's timed section, run by the timing engine (lib/measure timeArms) on training-step arms
 * (./timed-cells.ts) that all see the same batch ids: the factorial grid, every distinct cell between the fast and
 * slow recipes, in paired rounds; the ratio and its Shapley split come from the cells' paired medians
 * (./paired-shares.ts). The trained recipes are the grid's corners (fast = no factor switched, slow = all,
 * slow-matched = method and prefix switched), so ratio.trained (fast / slow), ratio.method (fast / slow-matched)
 * and ratio.recipe (slow-matched / slow) are formed in the same rounds (`trainedFromFactorial`).
 *
 * Why not a section of their own (as before, `timeTrained`, now used only when the grid is not timed): three arms
 * of ~0.1 s make a round of ~0.3 s, and on this VM the same step on the same batch ran at 17–21 samples/s in one
 * process's section and 32–34 in another's (both "quiet" to the guard, CPU time = wall time): a state of the
 * machine that lasts longer than such a section. Its intervals (±1.3%) described that state, and ratio.trained moved
 * 7.9% between two runs. The grid's rounds last ~8 s and interleave 32 cells, so the corners share them.
 * Both basis (wall, CPU) figures are kept; the stop rule and the headline use the configured basis.
 */
import { timeArms, ratioOf, timingRecord, type Arm, type Estimand, type Interval, type QuietStatus, type TimingRecord, type TimingResult } from '../../measure/index.ts';
import type { GptConfig, Weights } from '../../model/index.ts';
import { trainArms, type BatchShape } from './timed-cells.ts';
import { engineOptions, type TimingConfig } from '../timing-config.ts';
import type { Task } from '../task.ts';
import type { Recipe, SpeedupConfig } from './config.ts';
import { recipeFactors, gridCells, matchedRecipe, type Factor } from './factors.ts';
import { decompose } from './decompose.ts';
import { pairedShares, switchedKey, cellFor, type PairedShares } from './paired-shares.ts';

export interface TimedCellRecord {
  switched: string[];
  recipe: Recipe;
  batches: BatchShape[];
  /** samplesPerS: the median throughput on the basis (the key older readers use); wall and CPU intervals. */
  throughput: { samplesPerS: number; wall: Interval; cpu: Interval };
  stepMs: { wall: Interval; cpu: Interval };
  /** Per kept round: the cell's wall and CPU ms summed over its batches. */
  wallMs: number[];
  cpuMs: number[];
  /** The quiet-machine guard's verdict on the cell's rounds. */
  status: QuietStatus;
}

export interface FactorialTiming {
  factors: Factor[];
  shares: { wall: PairedShares; cpu: PairedShares };
  matched: { wall: Interval; cpu: Interval };
  /** The corners' paired ratios in the grid's rounds: fast/slow ('factorial'), fast/matched, matched/slow ('recipe'). */
  corners: Record<'factorial' | 'matched' | 'recipe', { wall: Interval; cpu: Interval }>;
  /** The corner cells' throughputs (the trained recipes' names). */
  cornerSamplesPerS: Record<'fast' | 'slow' | 'slow-matched', { wall: Interval; cpu: Interval }>;
  cells: TimedCellRecord[];
  timing: TimingRecord;
}

const armName = (switched: readonly string[]) => switched.join('+') || 'fast';

/** Per cell key, the log throughput of each kept round on one basis. */
function cellLogs(r: TimingResult, keys: readonly string[], basis: 'wallMs' | 'cpuMs'): Map<string, number[]> {
  return new Map(r.arms.map((a, i) => [keys[i]!, a[basis].map((ms, round) => Math.log(a.work[round]! / (ms / 1000)))]));
}

/** The round's Shapley value of one factor, from that round's throughputs (the stop rule's figure). */
function roundShapley(factors: readonly Factor[], names: ReadonlyMap<string, string>, factor: Factor): Estimand {
  return {
    name: `shapley.${factor}`,
    log: (t) => decompose(factors, (s) => t[names.get(cellFor(s, names))!]!).shapley[factor]!,
  };
}

export async function timeFactorial(c: SpeedupConfig, model: GptConfig, base: Weights, task: Task, seed: number, onRound?: (n: number, r: TimingResult) => void): Promise<FactorialTiming> {
  const factors = recipeFactors(c.fast, c.slow);
  const grid = gridCells(c.fast, c.slow, factors);
  const keys = grid.map((g) => switchedKey(g.switched));
  const names = new Map(grid.map((g, i) => [keys[i]!, armName(g.switched)]));
  const { steps, rotate } = c.factorial;
  const set = await trainArms(grid.map((g) => ({ name: armName(g.switched), recipe: g.recipe, config: model, base })), task, c.batchSize, steps * rotate, seed);
  try {
    const slow = names.get(switchedKey(factors))!, matched = names.get(cellFor(new Set(['method', 'prefix']), names))!;
    const ratios = [ratioOf('fast', slow, 'factorial'), ratioOf('fast', matched, 'matched'), ratioOf(matched, slow, 'recipe'), ...(factors.includes('method') ? [roundShapley(factors, names, 'method')] : [])];
    const r = await timeArms(set.arms, { ...engineOptions(c.timing, c.factorial.warmup), seed: `${seed}:factorial`, batches: steps, rotate, ratios, onRound });
    const shares = { wall: pairedShares(factors, cellLogs(r, keys, 'wallMs'), `${seed}:wall`), cpu: pairedShares(factors, cellLogs(r, keys, 'cpuMs'), `${seed}:cpu`) };
    const cells = grid.map((g, i): TimedCellRecord => {
      const a = r.arms[i]!;
      return {
        switched: g.switched, recipe: g.recipe, batches: set.batches[i]!,
        throughput: { samplesPerS: (c.timing.basis === 'wall' ? a.throughput.wall : a.throughput.cpu).mean, ...a.throughput },
        stepMs: a.stepMs, wallMs: a.wallMs, cpuMs: a.cpuMs, status: a.status,
      };
    });
    const both = (x: { wall: Interval; cpu: Interval }) => ({ wall: x.wall, cpu: x.cpu });
    const corners = { factorial: both(r.ratios.factorial!), matched: both(r.ratios.matched!), recipe: both(r.ratios.recipe!) };
    const arm = (name: string) => r.arms.find((a) => a.name === name)!.throughput;
    const cornerSamplesPerS = { fast: arm('fast'), slow: arm(slow), 'slow-matched': arm(matched) };
    return { factors, shares, matched: corners.matched, corners, cornerSamplesPerS, cells, timing: timingRecord(r) };
  } finally {
    set.dispose();
  }
}

export interface TrainedTiming {
  /** fast / slow, fast / slow-matched (method alone), slow-matched / slow (recipe alone), per basis. */
  ratio: Record<'trained' | 'method' | 'recipe', { wall: Interval; cpu: Interval } | undefined>;
  samplesPerS: Record<string, { wall: Interval; cpu: Interval }>;
  timing: TimingRecord;
}

/**
 * The trained recipes' ratios from the grid's rounds (the recipes are its corners; see the module comment): those
 * of `quality` present, as `timeTrained` would give them, with the grid's timing record.
 */
export function trainedFromFactorial(c: SpeedupConfig, f: FactorialTiming): TrainedTiming | undefined {
  const has = (n: string) => c.quality.includes(n as SpeedupConfig['quality'][number]);
  if (!has('fast') || !has('slow')) return undefined;
  const matched = has('slow-matched');
  return {
    ratio: { trained: f.corners.factorial, method: matched ? f.corners.matched : undefined, recipe: matched ? f.corners.recipe : undefined },
    samplesPerS: Object.fromEntries(Object.entries(f.cornerSamplesPerS).filter(([n]) => has(n))),
    timing: f.timing,
  };
}

/** Times the quality recipes (fast, slow, slow-matched: those configured) against each other, when the grid is not timed. */
export async function timeTrained(c: SpeedupConfig, model: GptConfig, base: Weights, task: Task, seed: number, onRound?: (n: number, r: TimingResult) => void): Promise<TrainedTiming | undefined> {
  const recipes: Record<string, Recipe> = { fast: c.fast, slow: c.slow, 'slow-matched': matchedRecipe(c.fast, c.slow) };
  const names: string[] = c.quality.filter((q) => recipes[q]);
  if (!names.includes('fast') || !names.includes('slow')) return undefined;
  const k = c.factorial.steps || 2, { rotate } = c.factorial;
  const set = await trainArms(names.map((n) => ({ name: n, recipe: recipes[n]! })).map((x) => ({ ...x, config: model, base })), task, c.batchSize, k * rotate, seed);
  try {
    const has = (n: string) => names.includes(n);
    const ratios: Estimand[] = [ratioOf('fast', 'slow', 'trained'), ...(has('slow-matched') ? [ratioOf('fast', 'slow-matched', 'method'), ratioOf('slow-matched', 'slow', 'recipe')] : [])];
    const r = await timeArms(set.arms as Arm[], { ...engineOptions(c.timing, c.factorial.warmup || 1), seed: `${seed}:trained`, batches: k, rotate, ratios, onRound });
    const pick = (n: string) => (r.ratios[n] ? { wall: r.ratios[n]!.wall, cpu: r.ratios[n]!.cpu } : undefined);
    return {
      ratio: { trained: pick('trained'), method: pick('method'), recipe: pick('recipe') },
      samplesPerS: Object.fromEntries(r.arms.map((a) => [a.name, a.throughput])),
      timing: timingRecord(r),
    };
  } finally {
    set.dispose();
  }
}

/** The interval on the configured basis. */
export const onBasis = (t: TimingConfig, x: { wall: Interval; cpu: Interval }): Interval => (t.basis === 'wall' ? x.wall : x.cpu);

