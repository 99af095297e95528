/**
 * The `speedup` experiment kind: one run per seed of
 *   1. the shared tiny base, pretrained on the task's text (cached by config hash, reused by every seed);
 *   2. the factorial grid: every cell between the fast and slow recipes timed by the timing engine (paired,
 *      seeded-shuffled rounds on the same batches, wall and CPU, quiet-machine guard; ./timed.ts);
 *   3. quality runs: each chosen recipe trained `trainSteps` steps (their whole-run samples/s is untimed
 *      context), then generation on the held-out prompts scored with the Chinese metric (jieba + rouge_chinese,
 *      BLEU-4). ratio.trained, .method and .recipe (the quality recipes against each other) come from the grid's
 *      rounds, whose corners they are; only without a grid (factorial.steps 0) do they get rounds of their own.
 * The summary holds the numbers `compare` and the report aggregate across seeds; cells and per-example
 * predictions are artefacts.
 */
import type { ExperimentKind } from '../kind.ts';
import { taskAndBase } from '../base.ts';
import { SpeedupSchema, type SpeedupConfig, type Recipe } from './config.ts';
import { recipeFactors, matchedRecipe } from './factors.ts';
import { timeFactorial, timeTrained, trainedFromFactorial, onBasis } from './timed.ts';
import { trainAndScore } from '../quality.ts';
import { worstStatus, type Interval, type TimingRecord, type TimingResult } from '../../measure/index.ts';
import type { Weights, GptConfig } from '../../model/index.ts';
import type { Task } from '../task.ts';
import type { Run } from '../../results/index.ts';

export interface QualityResult {
  recipe: Recipe;
  samplesPerS: number;
  tokensPerS: number;
  trainableParams: number;
  stateBytes: number;
  finalLoss: number;
  evalLoss: number;
  perplexity: number;
  scores: Record<string, number>;
  seconds: number;
  /** What generated the eval predictions (ONNX Runtime when the method exports). */
  generation: string;
}

async function qualityRun(name: string, recipe: Recipe, c: SpeedupConfig, model: GptConfig, base: Weights, task: Task, seed: number, run: Run, verbose: boolean): Promise<QualityResult> {
  const q = await trainAndScore({
    label: name, method: recipe.method, quant: recipe.quant, lr: recipe.lr, padding: recipe.padding, checkpoint: recipe.checkpoint,
    trainSteps: c.trainSteps, batchSize: c.batchSize, eval: c.eval, exportedDecoder: true,
  }, model, base, task, seed, run, verbose);
  return { recipe, ...q };
}

/** The logs of a timed section's progress: one metrics line per round, and a stderr line when verbose. */
function roundLogger(run: Run, phase: string, verbose: boolean) {
  return (n: number, r: TimingResult) => {
    const widths = Object.fromEntries(Object.entries(r.ratios).map(([k, v]) => [k, v.halfWidth]));
    run.logMetrics({ phase, round: n, halfWidth: widths, reruns: r.reruns, seconds: r.seconds, foreignCores: r.noise.rounds.at(-1)?.foreignCores ?? null });
    if (verbose) process.stderr.write(`speedup ${phase}: round ${n}, ${Object.entries(widths).map(([k, w]) => `${k} ±${(100 * w).toFixed(1)}%`).join(', ')}, ${r.seconds.toFixed(0)} s\n`);
  };
}

const exps = (o: Record<string, Interval>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.mean]));

export async function runSpeedup(c: SpeedupConfig, seed: number, run: Run, verbose: boolean) {
  const { task, model, pt } = await taskAndBase(c, verbose, (line) => run.logMetrics({ phase: 'pretrain', ...line }));
  const factorial = c.factorial.steps > 0 ? await timeFactorial(c, model, pt.weights, task, seed, roundLogger(run, 'factorial', verbose)) : undefined;
  if (factorial) run.writeArtifact('cells', 'cells.json', JSON.stringify(factorial.cells, null, 2) + '\n');
  const shares = factorial && (c.timing.basis === 'wall' ? factorial.shares.wall : factorial.shares.cpu);

  const quality: Record<string, QualityResult> = {};
  if (c.trainSteps > 0) {
    const recipes: Record<string, Recipe> = { fast: c.fast, slow: c.slow, 'slow-matched': matchedRecipe(c.fast, c.slow) };
    for (const name of c.quality) quality[name] = await qualityRun(name, recipes[name]!, c, model, pt.weights, task, seed, run, verbose);
  }
  const trained = c.trainSteps <= 0 ? undefined
    : factorial ? trainedFromFactorial(c, factorial)
    : await timeTrained(c, model, pt.weights, task, seed, roundLogger(run, 'trained', verbose));
  const pick = (x: { wall: Interval; cpu: Interval } | undefined) => (x ? onBasis(c.timing, x) : undefined);
  const intervals = {
    ratio: { trained: pick(trained?.ratio.trained), method: pick(trained?.ratio.method), recipe: pick(trained?.ratio.recipe), factorial: shares?.ratio, matched: pick(factorial?.matched) },
    shapley: shares?.shapley,
  };
  // The trained recipes' own section exists only without a grid (with one, their figures come from its rounds).
  const trainedSection = factorial ? undefined : trained?.timing;
  const sections = [factorial?.timing, trainedSection].filter((t): t is TimingRecord => !!t);
  return {
    ratio: {
      trained: intervals.ratio.trained?.mean, factorial: shares?.ratio.mean, matched: intervals.ratio.matched?.mean,
      method: intervals.ratio.method?.mean, recipe: intervals.ratio.recipe?.mean,
    },
    factors: factorial?.factors ?? recipeFactors(c.fast, c.slow),
    shapley: shares ? exps(shares.shapley) : undefined,
    main: shares ? exps(shares.main) : undefined,
    interaction: shares?.interaction.mean,
    /** 95% intervals on the basis (paired medians over rounds, bootstrap); `cpu`: the same on CPU time. */
    intervals,
    cpu: {
      ratio: { trained: trained?.ratio.trained?.cpu, method: trained?.ratio.method?.cpu, recipe: trained?.ratio.recipe?.cpu, factorial: factorial?.shares.cpu.ratio, matched: factorial?.matched.cpu },
      shapley: factorial?.shares.cpu.shapley,
    },
    timing: { basis: c.timing.basis, threads: c.timing.threads, quiet: worstStatus(sections.map((t) => t.noise.status)), factorial: factorial?.timing, trained: trainedSection, trainedFrom: factorial ? 'factorial' : 'own rounds', trainedSamplesPerS: trained?.samplesPerS },
    quality,
    base: { key: pt.key, reused: pt.reused, finalLoss: pt.meta.finalLoss, evalLoss: pt.meta.evalLoss, ...(pt.checkpoint ? { checkpoint: pt.checkpoint } : {}) },
    data: task.manifest,
  };
}

export const speedupKind: ExperimentKind<SpeedupConfig> = {
  kind: 'speedup',
  summary: 'LoRA vs P-Tuning v2 throughput and quality, with a factorial decomposition of the speed ratio',
  configSchema: SpeedupSchema,
  run: (ctx) => runSpeedup(ctx.config, ctx.seed, ctx.run, ctx.verbose),
  prepare: async (config, verbose) => void (await taskAndBase(config, verbose)),
};

