/**
 * Quality on a rung: the fast and the slow recipe trained `trainSteps` steps on the rung's pretrained base
 * (lib/experiments/base.ts, cached by config hash) and scored (lib/experiments/quality.ts: Chinese ROUGE/BLEU,
 * distinct-n, repetition). Degenerate outputs make ROUGE meaningless, so each arm is judged by a stated rule:
 *
 *   degenerate ⇔ distinct-2 < 0.1  or  repetition (seq-rep-4) > 0.5
 *
 * (distinct-2 under 0.1: nine in ten bigrams of the whole prediction set are repeats, the "裙*裙*裙…" loop;
 * repetition over 0.5: more than half of a typical output's 4-grams repeat within it.)
 */
import { taskAndBase } from '../base.ts';
import { trainAndScore } from '../quality.ts';
import type { Run } from '../../results/index.ts';
import type { ScaleConfig } from './config.ts';
import type { Rung } from './ladder.ts';
import type { QualityArm, ScaleRung } from './summary.ts';
import type { Recipe } from '../speedup/index.ts';

export const DEGENERATE_RULE = { minDistinct2: 0.1, maxRepetition: 0.5 } as const;

export function isDegenerate(s: { distinct2: number; repetition: number }): boolean {
  return s.distinct2 < DEGENERATE_RULE.minDistinct2 || s.repetition > DEGENERATE_RULE.maxRepetition;
}

/** The config taskAndBase needs for this rung's base (its shape, the scale config's data and pretraining). */
export function rungBaseConfig(c: ScaleConfig, rung: Rung) {
  return { data: c.data, pretrain: c.pretrain, model: rung.model };
}

async function arm(label: string, recipe: Recipe, c: ScaleConfig, rung: Rung, seed: number, run: Run, verbose: boolean): Promise<QualityArm> {
  const { task, model, pt } = await taskAndBase(rungBaseConfig(c, rung), verbose, (line) => run.logMetrics({ phase: `pretrain:${rung.name}`, ...line }));
  const q = await trainAndScore({
    label: `${rung.name}-${label}`, method: recipe.method, quant: recipe.quant, lr: recipe.lr, padding: recipe.padding, checkpoint: recipe.checkpoint,
    trainSteps: c.quality.trainSteps, batchSize: c.batchSize, eval: c.quality.eval, exportedDecoder: true,
  }, model, pt.weights, task, seed, run, verbose);
  const s = q.scores;
  const scores = { rougeL: s['rouge-l'], rouge1: s['rouge-1'], bleu4: s['bleu-4'], distinct1: s['distinct-1'], distinct2: s['distinct-2'], repetition: s.repetition };
  return { ...scores, degenerate: isDegenerate(scores), trainSteps: c.quality.trainSteps };
}

export async function rungQuality(c: ScaleConfig, rung: Rung, seed: number, run: Run, verbose: boolean): Promise<NonNullable<ScaleRung['quality']>> {
  const fast = await arm('fast', rung.fast, c, rung, seed, run, verbose);
  const slow = await arm('slow', rung.slow, c, rung, seed, run, verbose);
  return { fast, slow, degenerate: fast.degenerate || slow.degenerate };
}
