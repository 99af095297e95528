import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DEFAULT_FAST, DEFAULT_SLOW, SpeedupSchema, RecipeSchema } from '../../lib/experiments/speedup/config.ts';
import { recipeFactors, cellRecipe, gridCells, matchedRecipe, MIN_PREFIX } from '../../lib/experiments/speedup/factors.ts';
import { verdictOf, ratioCI, type SpeedupAggregate } from '../../lib/experiments/speedup/aggregate.ts';

test('the published recipes differ in all five factors; the grid has 8 LoRA + 16 P-Tuning cells', () => {
  assert.equal(recipeFactors(DEFAULT_FAST, DEFAULT_SLOW), ['method', 'padding', 'prefix', 'checkpoint', 'quant']);
  const cells = gridCells(DEFAULT_FAST, DEFAULT_SLOW, recipeFactors(DEFAULT_FAST, DEFAULT_SLOW));
  assert.is(cells.length, 24);
  assert.is(cells.filter((c) => c.recipe.method.method === 'lora').length, 8);
  assert.is(cells[0]!.switched.length, 0);
});

test('cellRecipe takes the slow level only for switched factors; prefix needs the method switched', () => {
  const pad = cellRecipe(DEFAULT_FAST, DEFAULT_SLOW, new Set(['padding']));
  assert.equal([pad.method, pad.padding, pad.checkpoint, pad.quant, pad.lr], [DEFAULT_FAST.method, 'max_length', false, 'fp32', DEFAULT_FAST.lr]);
  const m = cellRecipe(DEFAULT_FAST, DEFAULT_SLOW, new Set(['method']));
  assert.equal(m.method, { ...DEFAULT_SLOW.method, prefixLength: MIN_PREFIX });
  assert.is(m.lr, DEFAULT_SLOW.lr);
  const all = cellRecipe(DEFAULT_FAST, DEFAULT_SLOW, new Set(['method', 'padding', 'prefix', 'checkpoint', 'quant']));
  assert.equal(all, DEFAULT_SLOW);
  assert.equal(cellRecipe(DEFAULT_FAST, DEFAULT_SLOW, new Set(['prefix'])), DEFAULT_FAST);
  assert.equal(matchedRecipe(DEFAULT_FAST, DEFAULT_SLOW), { ...DEFAULT_FAST, method: DEFAULT_SLOW.method, lr: DEFAULT_SLOW.lr });
});

test('identical recipes have no factors; a matched pair differs only by method and prefix', () => {
  assert.equal(recipeFactors(DEFAULT_FAST, DEFAULT_FAST), []);
  assert.equal(recipeFactors(DEFAULT_FAST, matchedRecipe(DEFAULT_FAST, DEFAULT_SLOW)), ['method', 'prefix']);
});

test('config: defaults fill in; an unknown or mistyped key fails with its path', () => {
  const c = SpeedupSchema.parse({});
  assert.is(c.batchSize, 4);
  assert.is(c.slow.method.method, 'ptuning-v2');
  assert.throws(() => SpeedupSchema.parse({ fast: { ...DEFAULT_FAST, padding: 'longst' } }), /fast\.padding/);
  assert.throws(() => SpeedupSchema.parse({ trainStep: 5 }), /trainStep.*did you mean "trainSteps"/s);
  assert.throws(() => RecipeSchema.parse({ method: { method: 'lora', rank: 8 }, padding: 'longest', lr: 1 }), /method\.rank/);
});

test('ratioCI is a geometric mean with a log-scale interval', () => {
  const c = ratioCI([2, 8]);
  assert.ok(Math.abs(c.mean - 4) < 1e-12);
  assert.ok(c.lo < 4 && c.hi > 4 && Math.abs(c.lo * c.hi - 16) < 1e-9);
});

const agg = (over: Partial<SpeedupAggregate>): SpeedupAggregate => ({
  runs: [], factors: ['method', 'padding'], cells: [], quality: {}, paired: {}, verdict: '',
  ratio: { trained: { mean: 3, lo: 2.5, hi: 3.5, sd: 0.2, n: 3 }, factorial: { mean: 3, lo: 2.5, hi: 3.5, sd: 0.2, n: 3 } },
  shapley: { method: { mean: 1.2, lo: 1, hi: 1.4, sd: 0.1, n: 3 }, padding: { mean: 2.5, lo: 2, hi: 3, sd: 0.1, n: 3 } },
  ...over,
});

test('verdict: names the ratio with its interval and who explains it', () => {
  const v = verdictOf(agg({}));
  assert.match(v, 'ran at 3.00× [2.50, 3.50] (3 seeds, 95% interval) the samples/s of the slow one');
  assert.match(v, 'padding 2.50×');
  const share = Math.log(2.5) / (Math.log(1.2) + Math.log(2.5));
  assert.match(v, `By point estimates, ${(100 * share).toFixed(0)}% of the log-ratio comes from the recipe`);
  assert.match(v, 'only padding (2.00–3.00×) has an interval excluding 1.0×');
  assert.match(v, 'the recipe (padding, checkpointing, quantization), not the method, explains most of the gap');
});

test('verdict: says so when the grid and the training runs disagree in direction', () => {
  const v = verdictOf(agg({ shapley: { method: { mean: 0.8, lo: 0.7, hi: 0.9, sd: 0.1, n: 3 }, padding: { mean: 0.9, lo: 0.8, hi: 1, sd: 0.1, n: 3 } } }));
  assert.match(v, 'disagree on the direction');
});

test.run();
