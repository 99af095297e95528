/**
 * The factorial grid between two recipes. A factor is any setting on which the fast and slow recipes differ:
 * the method itself, padding, prefix length, gradient checkpointing, quantized base. A cell switches some
 * factors to the slow recipe's level and keeps the rest at the fast one's; decompose() then splits the
 * speed ratio between factors. Pure functions: no tensors here.
 *
 * @example
 * const fs = recipeFactors(DEFAULT_FAST, DEFAULT_SLOW);   // ['method', 'padding', 'prefix', 'checkpoint', 'quant']
 * cellRecipe(DEFAULT_FAST, DEFAULT_SLOW, new Set(['padding'])).padding  // 'max_length'
 */
import type { MethodSpec } from '../../peft/index.ts';
import type { Recipe } from './config.ts';

export const FACTORS = ['method', 'padding', 'prefix', 'checkpoint', 'quant'] as const;
export type Factor = (typeof FACTORS)[number];

/**
 * The prefix length a prefix method runs with when the "prefix" factor is at the fast level. A prefix method
 * cannot have 0 (nothing would train), so the fast level is the smallest prefix, 1 position.
 */
export const MIN_PREFIX = 1;

function prefixOf(m: MethodSpec): number {
  return m.method === 'ptuning-v2' ? m.prefixLength : m.method === 'ptuning-v1' || m.method === 'prompt-tuning' ? m.promptLength : 0;
}

/** The factors on which the two recipes differ, in FACTORS order. */
export function recipeFactors(fast: Recipe, slow: Recipe): Factor[] {
  const out: Factor[] = [];
  if (fast.method.method !== slow.method.method) out.push('method');
  if (fast.padding !== slow.padding) out.push('padding');
  if (prefixOf(slow.method) > MIN_PREFIX && prefixOf(fast.method) !== prefixOf(slow.method)) out.push('prefix');
  if (fast.checkpoint !== slow.checkpoint) out.push('checkpoint');
  if (fast.quant !== slow.quant) out.push('quant');
  return out;
}

function withPrefix(m: MethodSpec, length: number): MethodSpec {
  if (m.method === 'ptuning-v2') return { ...m, prefixLength: length };
  if (m.method === 'ptuning-v1' || m.method === 'prompt-tuning') return { ...m, promptLength: length };
  return m;
}

/** The recipe of one cell: the slow level for each switched factor, the fast level for the rest. */
export function cellRecipe(fast: Recipe, slow: Recipe, switched: ReadonlySet<string>): Recipe {
  const method = switched.has('method') ? withPrefix(slow.method, switched.has('prefix') ? prefixOf(slow.method) : MIN_PREFIX) : fast.method;
  return {
    method,
    padding: switched.has('padding') ? slow.padding : fast.padding,
    checkpoint: switched.has('checkpoint') ? slow.checkpoint : fast.checkpoint,
    quant: switched.has('quant') ? slow.quant : fast.quant,
    lr: switched.has('method') ? slow.lr : fast.lr,
  };
}

/** A stable key of the settings that matter for speed; cells that reduce to the same recipe share a measurement. */
export function speedKey(r: Recipe): string {
  return JSON.stringify([r.method, r.padding, r.checkpoint, r.quant]);
}

/** The slow method under the fast recipe's padding, checkpointing and precision: "method alone". */
export function matchedRecipe(fast: Recipe, slow: Recipe): Recipe {
  return { ...fast, method: slow.method, lr: slow.lr };
}

/** Every distinct cell of the grid over `factors` (2^k subsets, deduplicated by speedKey). */
export function gridCells(fast: Recipe, slow: Recipe, factors: readonly Factor[]): { switched: Factor[]; recipe: Recipe; key: string }[] {
  const seen = new Set<string>();
  const out: { switched: Factor[]; recipe: Recipe; key: string }[] = [];
  for (let mask = 0; mask < 1 << factors.length; mask++) {
    const switched = factors.filter((_, i) => mask & (1 << i));
    const recipe = cellRecipe(fast, slow, new Set(switched));
    const key = speedKey(recipe);
    if (!seen.has(key)) {
      seen.add(key);
      out.push({ switched, recipe, key });
    }
  }
  return out;
}
