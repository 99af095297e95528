/**
 * The `speedup` experiment kind: one run per seed of
 *   1. the shared tiny base, pretrained on the task's text (cached by config hash, reused by every seed);
 *   2. the factorial grid: throughput of every cell between the fast and slow recipes, in a seed-shuffled
 *      order so slow drift of the machine does not line up with one factor;
 *   3. quality runs: each chosen recipe trained `trainSteps` steps, its throughput over the whole run, then
 *      generation on the held-out prompts scored with the Chinese metric (jieba + rouge_chinese, BLEU-4).
 * The summary holds the numbers `compare` and the report aggregate across seeds; cells and per-example
 * predictions are artefacts.
 */
import type { ExperimentKind } from '../kind.ts';
import { taskAndBase } from '../base.ts';
import { SpeedupSchema, type SpeedupConfig, type Recipe } from './config.ts';
import { recipeFactors, gridCells, cellRecipe, matchedRecipe, speedKey } from './factors.ts';
import { measureThroughput, type Throughput } from './measure.ts';
import { decompose } from './decompose.ts';
import { trainAndScore } from '../quality.ts';
import { Rng } from '../../util/index.ts';
import type { Weights } from '../../model/index.ts';
import type { GptConfig } from '../../model/index.ts';
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

export async function runSpeedup(c: SpeedupConfig, seed: number, run: Run, verbose: boolean) {
  const { task, model, pt } = await taskAndBase(c, verbose, (line) => run.logMetrics({ phase: 'pretrain', ...line }));

  const factors = recipeFactors(c.fast, c.slow);
  const cells: { switched: string[]; recipe: Recipe; throughput: Throughput }[] = [];
  if (c.factorial.steps > 0) {
    const grid = gridCells(c.fast, c.slow, factors);
    const order = new Rng(`${seed}:cell-order`).shuffle(grid.map((_, i) => i));
    for (const i of order) {
      const cell = grid[i]!;
      const throughput = await measureThroughput({ config: model, base: pt.weights, task, recipe: cell.recipe, batchSize: c.batchSize, warmup: c.factorial.warmup, steps: c.factorial.steps, seed });
      cells.push({ switched: cell.switched, recipe: cell.recipe, throughput });
      run.logMetrics({ phase: 'factorial', cell: cell.switched.join('+') || 'fast', samplesPerS: throughput.samplesPerS, tokensPerS: throughput.tokensPerS });
    }
    run.writeArtifact('cells', 'cells.json', JSON.stringify(cells, null, 2) + '\n');
  }
  const speed = new Map(cells.map((x) => [speedKey(x.recipe), x.throughput.samplesPerS]));
  const speedOf = (switched: ReadonlySet<string>) => speed.get(speedKey(cellRecipe(c.fast, c.slow, switched)))!;
  const decomposition = cells.length ? decompose(factors, speedOf) : undefined;

  const quality: Record<string, QualityResult> = {};
  if (c.trainSteps > 0) {
    const recipes: Record<string, Recipe> = { fast: c.fast, slow: c.slow, 'slow-matched': matchedRecipe(c.fast, c.slow) };
    for (const name of c.quality) quality[name] = await qualityRun(name, recipes[name]!, c, model, pt.weights, task, seed, run, verbose);
  }
  return {
    ratio: {
      trained: quality.fast && quality.slow ? quality.fast.samplesPerS / quality.slow.samplesPerS : undefined,
      factorial: decomposition ? Math.exp(decomposition.total) : undefined,
      matched: decomposition ? speedOf(new Set()) / speedOf(new Set(factors.filter((f) => f === 'method' || f === 'prefix'))) : undefined,
    },
    factors,
    shapley: decomposition ? Object.fromEntries(Object.entries(decomposition.shapley).map(([k, v]) => [k, Math.exp(v)])) : undefined,
    main: decomposition ? Object.fromEntries(Object.entries(decomposition.main).map(([k, v]) => [k, Math.exp(v)])) : undefined,
    interaction: decomposition ? Math.exp(decomposition.interaction) : undefined,
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

