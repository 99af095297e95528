// The scale verdict is generated from the numbers: exact sentences for crafted summaries (several seeds,
// one seed, a cost model that misses its targets, degenerate outputs, an advantage that does not survive),
// and the pooling of several runs' summaries. Shares and trends were worked by hand:
//   r1 shares: ln 1.8 / (ln .98 + ln 1.1 + ln 1.02 + ln 1.8 + ln 1.2) = 0.5878 / 0.8650 = 68.0%;
//   trend: exp(ln(2.4 / 3.0) / log10(26e6 / 5e5)) = exp(−0.2231 / 1.716) = 0.88 per 10×.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { scaleVerdict, factorShares, ratioTrend, formatParams, formatRatio } from '../../lib/experiments/scale/verdict.ts';
import { combineScaleSummaries, geoEst } from '../../lib/experiments/scale/combine.ts';
import { median } from '../../lib/measure/index.ts';
import { LedgerLabError } from '../../lib/errors.ts';
import { craftSummary, R0, R1, arm, degenerateArm, FACTORS } from '../helpers/scale-summary.ts';

const sentences = (s: string) => s.split(/(?<=\.) (?=[A-Z0-9])/);

const RATIO = 'Measured fast/slow ratio (samples/s) on 2 rungs from 500k to 26M parameters: r0 (500k) 3.00× [2.80, 3.20], r1 (26M) 2.40× [2.20, 2.60].';
const SHARES = 'Shares of the log-ratio along the ladder (r0 → r1): gradient checkpointing 42.8% → 68.0%; the 4-bit base 36.9% → 21.1%; padding 20.3% → 11.0%; prefix length 0.0% → 2.3%; the method (LoRA vs P-Tuning v2) 0.0% → -2.3%.';
const COST = 'The cost model, its device constants fitted on r0, has a median relative step-time error of 8.2% over all 6 measured cells (target ≤ 15%: met) and 19.5% on the held-out r1 (target ≤ 25%: met); cell errors range 2.0%–25.0%.';
const PRED = 'For ChatGLM2-6B on a100-80gb the cost model predicts LoRA at 23.29 (15.84–30.46) vs P-Tuning v2 at 12.90 (8.72–16.99) samples/s, a ratio of 1.81× [1.72, 1.94], against the published 21.67 vs 5.81 (3.73×): the published ratio lies above the predicted interval.';
const PRED_FACTOR = 'Of the predicted ratio, gradient checkpointing carries the most (1.44×), the same factor as on the largest measured rung.';
const MEMORY = 'Predicted peak memory: LoRA 7.14 GiB vs P-Tuning v2 4.58 GiB (published 5.14 vs 5.78 GB).';

test('several seeds: the whole verdict, sentence by sentence', () => {
  assert.equal(sentences(scaleVerdict(craftSummary())), [
    RATIO,
    'The advantage survives scale: on every rung the interval lies above 1.00×.',
    'With size the ratio falls: ×0.88 per 10× parameters (least-squares fit of log ratio on log parameters), from 3.00× on r0 to 2.40× on r1; their intervals do not overlap.',
    'On the largest rung (r1) the factor that carries the ratio is gradient checkpointing: Shapley 1.80× [1.70, 1.90], 68.0% of the log-ratio.',
    SHARES,
    COST,
    PRED,
    PRED_FACTOR,
    MEMORY,
    'Quality: the outputs are degenerate on r0 (on r0 fast distinct-2 0.050 and repetition 0.600, slow distinct-2 0.031 and repetition 0.712), so their ROUGE is not compared; ROUGE-L fast vs slow is 14.20 vs 13.10 on r1.',
  ]);
});

test('one seed: no intervals anywhere, and the verdict says so instead of inventing one', () => {
  const s = craftSummary({
    spread: undefined,
    rungs: [{ ...R0, quality: undefined }, { ...R1, quality: undefined }],
    prediction: { ratio: 1.81, 'ratio.lo': 1.81, 'ratio.hi': 1.81, samplesPerSecond: { lora: 23.29, ptuning: 12.9 } },
  });
  assert.equal(sentences(scaleVerdict(s)), [
    'Measured fast/slow ratio (samples/s) on 2 rungs from 500k to 26M parameters: r0 (500k) 3.00× (no interval), r1 (26M) 2.40× (no interval).',
    'The fast recipe is faster on every rung; with one seed there is no interval to say how sure that is.',
    'With size the ratio falls: ×0.88 per 10× parameters (least-squares fit of log ratio on log parameters), from 3.00× on r0 to 2.40× on r1.',
    'On the largest rung (r1) the factor that carries the ratio is gradient checkpointing: Shapley 1.80× (no interval), 68.0% of the log-ratio.',
    SHARES,
    COST,
    'For ChatGLM2-6B on a100-80gb the cost model predicts LoRA at 23.29 vs P-Tuning v2 at 12.90 samples/s, a ratio of 1.81× (no interval), against the published 21.67 vs 5.81 (3.73×): the published ratio is higher than predicted.',
    PRED_FACTOR,
    MEMORY,
    'No quality runs in this summary: nothing is said about quality.',
  ]);
});

test('noisy timing: the verdict says no conclusion should be drawn from the measured ratios', () => {
  const v = scaleVerdict(craftSummary({ quiet: 'noisy' }));
  assert.match(v, 'The timing stayed noisy after re-runs (other processes or steal above the guard\'s limits): the measured ratios and the fit describe a shared machine, and no conclusion above should be drawn from them.');
  assert.not.match(scaleVerdict(craftSummary({})), 'stayed noisy');
});

test('cost model misses its targets: says missed and that the A100 prediction is not backed by the fit; unpinned, cells over target', () => {
  const v = sentences(scaleVerdict(craftSummary({ relErrorMedian: 0.214, heldOutRelErrorMedian: 0.402, cpuPinned: null, rungsOverTarget: 1 })));
  assert.equal(v.slice(5, 8), [
    'The cost model, its device constants fitted on r0, has a median relative step-time error of 21.4% over all 6 measured cells (target ≤ 15%: missed) and 40.2% on the held-out r1 (target ≤ 25%: missed); cell errors range 2.0%–25.0%.',
    'So the A100 prediction that follows is not backed by a fit to this machine\'s measured steps: read it as an estimate, not as a check of the published figure.',
    PRED,
  ]);
  assert.equal(v.slice(10, 12), [
    '1 of 2 rungs kept a ratio interval wider than ±2.5% when the rounds stopped (6 cells timed): their ratios are less certain than the target.',
    'The timing was not pinned to a core (1-min load 0.12 at its start).',
  ]);
  // Only the held-out target missed: still "missed", still the caveat.
  const held = scaleVerdict(craftSummary({ heldOutRelErrorMedian: 0.26 }));
  assert.match(held, '26.0% on the held-out r1 (target ≤ 25%: missed)');
  assert.match(held, '(target ≤ 15%: met)');
  assert.match(held, 'So the A100 prediction that follows is not backed');
  // Exactly at the targets: met.
  assert.not.match(scaleVerdict(craftSummary({ relErrorMedian: 0.15, heldOutRelErrorMedian: 0.25 })), 'missed');
});

test('degenerate outputs on every rung: no ROUGE comparison at all', () => {
  const s = craftSummary({ rungs: [R0, { ...R1, quality: { fast: degenerateArm(), slow: arm({ rougeL: 30 }), degenerate: true } }] });
  const v = scaleVerdict(s);
  assert.is(sentences(v).at(-1), 'Quality: the outputs are degenerate on every rung with quality runs (on r0 fast distinct-2 0.050 and repetition 0.600, slow distinct-2 0.031 and repetition 0.712; on r1 fast distinct-2 0.050 and repetition 0.600), so their ROUGE is not compared: the quality runs must train longer before this ladder says anything about quality.');
  assert.not.match(v, 'ROUGE-L fast vs slow');
  assert.not.match(v, '30.00');
  // The rung flag alone (no arm flagged) also withholds the comparison, and names both arms' numbers.
  const flagOnly = craftSummary({ rungs: [{ ...R0, quality: undefined }, { ...R1, quality: { fast: arm(), slow: arm(), degenerate: true } }] });
  assert.is(sentences(scaleVerdict(flagOnly)).at(-1), 'Quality: the outputs are degenerate on every rung with quality runs (on r1 fast distinct-2 0.520 and repetition 0.080, slow distinct-2 0.520 and repetition 0.080), so their ROUGE is not compared: the quality runs must train longer before this ladder says anything about quality.');
  // None degenerate: ROUGE compared on every rung.
  const good = craftSummary({ rungs: [{ ...R0, quality: { fast: arm({ rougeL: 11 }), slow: arm({ rougeL: 12.5 }), degenerate: false } }, R1] });
  assert.is(sentences(scaleVerdict(good)).at(-1), 'Quality (no degenerate outputs): ROUGE-L fast vs slow is 11.00 vs 12.50 on r0, 14.20 vs 13.10 on r1.');
});

test('an advantage that does not survive, one whose interval includes 1, and a rising trend', () => {
  const gone = craftSummary({ rungs: [R0, { ...R1, ratio: 0.7 }] }); // [0.5, 0.9]
  assert.is(sentences(scaleVerdict(gone))[1], 'The advantage does not survive scale: on r1 the fast recipe is no faster than the slow one.');
  // 1.05 [0.85, 1.25], and 0.95 [0.75, 1.15]: below 1 by its point value but not resolved either way.
  assert.is(sentences(scaleVerdict(craftSummary({ rungs: [R0, { ...R1, ratio: 0.95 }] })))[1], 'The advantage is not resolved on every rung: on r1 the interval includes 1.00×.');
  const unsure = craftSummary({ rungs: [R0, { ...R1, ratio: 1.05 }] });
  assert.equal(sentences(scaleVerdict(unsure)).slice(1, 3), [
    'The advantage is not resolved on every rung: on r1 the interval includes 1.00×.',
    'With size the ratio falls: ×0.54 per 10× parameters (least-squares fit of log ratio on log parameters), from 3.00× on r0 to 1.05× on r1; their intervals do not overlap.',
  ]);
  // Slower on r1 ([0.5, 0.9]); r0's interval [0.9, 1.3] includes 1 and is named too.
  const below = craftSummary({ rungs: [{ ...R0, ratio: 1.1 }, { ...R1, ratio: 0.7 }], spread: 0.1 });
  assert.is(sentences(scaleVerdict(below))[1], 'The advantage does not survive scale: on r1 the fast recipe is no faster than the slow one.');
  assert.is(sentences(scaleVerdict(below))[2], 'On r0 the interval includes 1.00×.');
  // One rung without an interval among rungs with one.
  const mixed = craftSummary({ rungs: [R0, R1] });
  mixed.rungs[1]!.ratio = { value: 2.4 };
  assert.is(sentences(scaleVerdict(mixed))[1], 'The fast recipe is faster on every rung, but r1 has no interval.');
  // ln(3.3/3.0) / 1.716 = 0.0555 → ×1.06 per 10×: rises, and the intervals [2.8, 3.2] and [3.1, 3.5] overlap.
  const rising = craftSummary({ rungs: [R0, { ...R1, ratio: 3.3 }] });
  assert.is(sentences(scaleVerdict(rising))[2], 'With size the ratio rises: ×1.06 per 10× parameters (least-squares fit of log ratio on log parameters), from 3.00× on r0 to 3.30× on r1; their intervals overlap.');
  const flat = craftSummary({ rungs: [R0, { ...R1, ratio: 3.05 }] });
  assert.match(sentences(scaleVerdict(flat))[2], 'With size the ratio stays about flat: ×1.01 per 10× parameters');
});

test('a four-rung ladder: the least-squares trend over every rung and the shares path through all of them', () => {
  // log10 params 5, 6, 7, 8; ln ratios .6931 .7885 .8755 .9555: slope Σ(x−6.5)(y−ȳ) / Σ(x−6.5)² = .4371 / 5 → e^.0874 = 1.09.
  const ladder = [2, 2.2, 2.4, 2.6].map((ratio, i) => ({ ...R1, name: `r${i}`, params: 10 ** (5 + i), ratio, quality: undefined }));
  const v = sentences(scaleVerdict(craftSummary({ rungs: ladder })));
  assert.is(v[0], 'Measured fast/slow ratio (samples/s) on 4 rungs from 100k to 100M parameters: r0 (100k) 2.00× [1.80, 2.20], r1 (1M) 2.20× [2.00, 2.40], r2 (10M) 2.40× [2.20, 2.60], r3 (100M) 2.60× [2.40, 2.80].');
  assert.is(v[2], 'With size the ratio rises: ×1.09 per 10× parameters (least-squares fit of log ratio on log parameters), from 2.00× on r0 to 2.60× on r3; their intervals do not overlap.');
  assert.match(v[4]!, 'Shares of the log-ratio along the ladder (r0 → r1 → r2 → r3): gradient checkpointing 68.0% → 68.0% → 68.0% → 68.0%;');
  assert.match(v[5]!, 'fitted on r0, r1 and r2, has a median');
  assert.match(v[5]!, 'on the held-out r3');
  // Rungs given out of order are read smallest first.
  assert.is(scaleVerdict(craftSummary({ rungs: [ladder[2]!, ladder[0]!, ladder[3]!, ladder[1]!] })).split(' parameters: ')[1]!.slice(0, 14), 'r0 (100k) 2.00');
});

test('a different carrier on the smallest rung is named; the predicted carrier may disagree with the measured one', () => {
  const s = craftSummary({
    rungs: [{ ...R0, shapley: { method: 1, padding: 2.0, prefix: 1, checkpoint: 1.2, quant: 1.25 } }, R1],
    prediction: { shapley: { method: 1, padding: 1.05, prefix: 1, checkpoint: 1.1, quant: 1.6 } },
  });
  const v = sentences(scaleVerdict(s));
  assert.is(v[4], 'On the smallest rung (r0) it was padding (63.1%).'); // ln 2 / (ln 2 + ln 1.2 + ln 1.25) = .6931 / 1.0986
  assert.match(v.join(' '), 'Of the predicted ratio, the 4-bit base carries the most (1.60×), not gradient checkpointing as on the largest measured rung.');
});

test('shares are not quoted for a rung whose ratio interval includes 1; an unresolved largest rung has no carrier', () => {
  const s = craftSummary({ rungs: [{ ...R0, ratio: 1.05 }, R1] });
  assert.is(sentences(scaleVerdict(s))[4], 'Shares of the log-ratio along the ladder (r0 → r1): gradient checkpointing n/a → 68.0%; the 4-bit base n/a → 21.1%; padding n/a → 11.0%; prefix length n/a → 2.3%; the method (LoRA vs P-Tuning v2) n/a → -2.3% (n/a: the ratio\'s interval on r0 includes 1.00×).');
  const top = craftSummary({ rungs: [R0, { ...R1, ratio: 1.05 }] });
  const v = sentences(scaleVerdict(top));
  assert.is(v[3], 'On the largest rung (r1) the ratio\'s interval includes 1.00×, so no factor can be said to carry it (its largest Shapley value: gradient checkpointing 1.80× [1.70, 1.90]).');
  assert.is(v[4], 'Shares of the log-ratio along the ladder (r0 → r1): the method (LoRA vs P-Tuning v2) 0.0% → n/a; padding 20.3% → n/a; prefix length 0.0% → n/a; gradient checkpointing 42.8% → n/a; the 4-bit base 36.9% → n/a (n/a: the ratio\'s interval on r1 includes 1.00×).');
  assert.not.match(v.join(' '), 'the same factor as on the largest measured rung');
});

test('pooling one-seed runs: geometric mean with a t-interval, pooled cost-model errors, envelope of the prediction, any-degenerate', () => {
  const a = craftSummary({ spread: undefined });
  const b = craftSummary({ spread: undefined, rungs: [{ ...R0, ratio: 2.7, quality: { fast: arm(), slow: arm(), degenerate: false } }, { ...R1, cells: [[0.2, 0.21], [0.26, 0.26], [0.48, 0.5]], quality: { fast: arm({ rougeL: 15.2 }), slow: degenerateArm(), degenerate: true } }], prediction: { ratio: 2.0, 'ratio.lo': 1.9, 'ratio.hi': 2.2 } });
  const c = combineScaleSummaries([a, b]);
  // logs 1.09861, 0.99325: mean 1.04593, sd 0.07450, half-width t(1)=12.706 × sd/√2 = 0.66936.
  const r0 = c.rungs[0]!.ratio;
  assert.is(r0.value.toFixed(4), Math.sqrt(8.1).toFixed(4));
  assert.is(r0.lo!.toFixed(3), '1.457');
  assert.is(r0.hi!.toFixed(3), '5.558');
  assert.is(c.rungs[1]!.ratio.value.toFixed(6), '2.400000');
  assert.is(c.rungs[0]!.cells.length, 6, 'every run\'s cells are kept');
  // held-out r1 errors: a .1 .05 .25, b .05 0 .0416…: median of six = (.05 + .05) / 2.
  assert.is(c.costModel.heldOutRelErrorMedian.toFixed(6), '0.050000');
  assert.is(c.costModel.relErrors.length, 12);
  assert.is(c.costModel.relErrorMedian, median(c.costModel.relErrors));
  const p = c.prediction.chatglm2_a100;
  assert.is(p.ratio.toFixed(4), Math.sqrt(1.81 * 2).toFixed(4));
  assert.equal([p['ratio.lo'], p['ratio.hi']], [1.72, 2.2]);
  assert.is(c.rungs[1]!.quality!.degenerate, true);
  assert.is(c.rungs[1]!.quality!.slow.degenerate, true);
  assert.is(c.rungs[1]!.quality!.fast.rougeL.toFixed(2), '14.70');
  assert.is(c.rungs[0]!.quality!.fast.degenerate, true, 'degenerate in one run is degenerate');
  assert.is(scaleVerdict([a, b]), scaleVerdict(c));
  assert.match(scaleVerdict([a, b]), 'r0 (500k) 2.85× [1.46, 5.56]');
  // One summary comes back as it is.
  assert.is(combineScaleSummaries([a]), a);
});

test('bad input: no rungs, different ladders, nothing to combine — located errors', () => {
  const none = { ...craftSummary(), rungs: [] };
  assert.throws(() => scaleVerdict(none), (e: unknown) => e instanceof LedgerLabError && e.where === 'summary.rungs');
  const other = craftSummary({ rungs: [R0, { ...R1, name: 'r9' }] });
  assert.throws(() => combineScaleSummaries([craftSummary(), other], 'runs a, b'), (e: unknown) => e instanceof LedgerLabError && /rungs r0,r9, the first has r0,r1/.test(e.problem) && e.where === 'runs a, b');
  assert.throws(() => combineScaleSummaries([]), (e: unknown) => e instanceof LedgerLabError && /no scale summaries/.test(e.problem));
});

test('helpers: params, ratio text, shares, trend, geometric estimate', () => {
  assert.equal([480_000, 1_250_000, 25_100_000, 6_243_000_000, 999].map(formatParams), ['480k', '1.25M', '25.1M', '6.24B', '999']);
  assert.is(formatRatio({ value: 2.5 }), '2.50× (no interval)');
  assert.is(formatRatio({ value: 2.5, lo: 2.5, hi: 2.5 }), '2.50× (no interval)');
  assert.is(formatRatio({ value: 2.5, lo: 2.25, hi: 2.75 }), '2.50× [2.25, 2.75]');
  const s = craftSummary();
  const sh = factorShares(s.rungs[0]!, FACTORS)!;
  assert.is(Object.values(sh).reduce((x, y) => x + y, 0).toFixed(12), '1.000000000000');
  assert.is(sh.checkpoint!.toFixed(4), (Math.log(1.6) / Math.log(3)).toFixed(4));
  const one = { ...s.rungs[0]!, shapley: Object.fromEntries(FACTORS.map((f) => [f, { value: 1 }])) };
  assert.is(factorShares(one, FACTORS), undefined);
  assert.is(ratioTrend(s.rungs).toFixed(4), Math.exp(Math.log(0.8) / Math.log10(52)).toFixed(4));
  assert.equal(geoEst([2]), { value: 2 });
  assert.equal(geoEst([]), { value: NaN });
  assert.is(median([3, 1, 2, 10]), 2.5);
});

test.run();
