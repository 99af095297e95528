// The scale kind (issue 17): config validation and the recipes scaled per rung, the round scheduler as a
// pure function on fake times, the cost-model fit with its held-out rung, the bootstrap of the ratio, and a
// tiny ladder through the real runner whose run.json summary must carry every key of the contract.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ScaleSchema, buildLadder, loraRankFor, prefixFor, checkScaleConfig, runRounds, roundOrder, shouldStop, iqrRel, medianSpread,
  fitLadder, meanCounts, isDegenerate, parseCpuList, allowedCpus, chatglm2A100, costRecipe,
  predictStepTime, runExperiment, type FitCell, type ScaleSummary, type Device,
} from '../../lib/experiments/index.ts';
import { LedgerLabError } from '../../lib/errors.ts';
import { listRuns } from '../../lib/results/index.ts';

const RUNGS = [{ layers: 2, d: 64 }, { layers: 4, d: 128 }, { layers: 6, d: 256 }, { layers: 8, d: 512 }];

test('config: unknown keys are errors, with their path', () => {
  assert.throws(() => ScaleSchema.parse({ rungs: RUNGS, roundz: 3 }), (e: unknown) => e instanceof LedgerLabError && /roundz/.test(String((e as Error).message)));
  assert.throws(() => ScaleSchema.parse({ rungs: [{ layers: 2, d: 64, width: 3 }, RUNGS[1]] }), (e: unknown) => /rungs\[0\]\.width|rungs\.0\.width|width/.test(String((e as Error).message)));
  assert.throws(() => ScaleSchema.parse({ rungs: RUNGS, measurement: { iqr: 0.1 } }), /iqr/);
  assert.throws(() => ScaleSchema.parse({ rungs: [RUNGS[0]] }), /rungs/);
});

test('recipes scaled per rung: LoRA r = max(1, round(32·d/4096)), prefix = round(128/1024 · context)', () => {
  assert.equal([64, 128, 256, 512, 1024, 4096].map(loraRankFor), [1, 1, 2, 4, 8, 32]);
  assert.equal([192, 96, 1024, 64].map(prefixFor), [24, 12, 128, 8]);
  const c = ScaleSchema.parse({ rungs: RUNGS, data: { maxSource: 64, maxTarget: 128 } });
  const l = buildLadder(c, 2000);
  assert.equal(l.map((r) => r.name), ['r0', 'r1', 'r2', 'r3']);
  assert.equal(l.map((r) => r.loraR), [1, 1, 2, 4]);
  assert.equal(l.map((r) => r.prefix), [24, 24, 24, 24]);
  assert.equal(l.map((r) => r.context), [192, 192, 192, 192]);
  // heads of width 32, 2 kv heads, ffn = 13696/4096 · d to a multiple of 8 (d 128 → 432, as CHATGLM2_TINY)
  assert.equal(l.map((r) => [r.model.heads, r.model.kvHeads, r.model.ffn]), [[2, 2, 216], [4, 2, 432], [8, 2, 856], [16, 2, 1712]]);
  // parameters: ≥ 50× between the ends, the largest ≥ 25M (the ladder)
  assert.equal(l.map((r) => r.params), [372_032, 1_373_312, 5_954_816, 27_812_352]); // r3: 8·(2·512² + 2·512·64 + 3·512·1712 + 2·512) + 2·2000·512 + 512; 74.8× r0
  assert.equal(l[3].fast.method, { method: 'lora', r: 4, alpha: 8, dropout: 0, targets: ['q', 'k', 'v'], rslora: false });
  assert.equal([l[3].fast.padding, l[3].fast.checkpoint, l[3].fast.quant], ['longest', false, 'fp32']);
  assert.equal(l[3].slow.method, { method: 'ptuning-v2', prefixLength: 24, projection: false, projectionHidden: 128, prefixDropout: 0 });
  assert.equal([l[3].slow.padding, l[3].slow.checkpoint, l[3].slow.quant], ['max_length', true, 'nf4']);
  assert.equal(costRecipe(l[3].slow), { method: { method: 'ptuning-v2', prefix: 24 }, checkpoint: true, storage: 'nf4', compute: 'fp32' });
  const short = buildLadder(ScaleSchema.parse({ rungs: RUNGS, data: { maxSource: 32, maxTarget: 64 } }), 2000);
  assert.equal(short.map((r) => r.prefix), [12, 12, 12, 12]);
});

test('config: rungs smallest first, unique names, quality rungs that exist, roundsMin ≤ roundsMax', () => {
  assert.throws(() => buildLadder(ScaleSchema.parse({ rungs: [RUNGS[1], RUNGS[0]] }), 2000), /rungs\[1\]|smallest first/);
  const c = ScaleSchema.parse({ rungs: RUNGS, quality: { rungs: ['r9'] } });
  assert.throws(() => checkScaleConfig(c, ['r0', 'r1', 'r2', 'r3']), (e: unknown) => e instanceof LedgerLabError && e.where === 'quality.rungs[0]');
  assert.throws(() => checkScaleConfig(ScaleSchema.parse({ rungs: RUNGS }), ['a', 'a']), /used twice/);
  assert.throws(() => checkScaleConfig(ScaleSchema.parse({ rungs: RUNGS, measurement: { roundsMin: 9, roundsMax: 4 } }), ['r0']), /roundsMin 9 > roundsMax 4/);
});

test('rounds: every round times every cell once, in a seeded shuffled order', async () => {
  const seen: { cell: number; round: number }[] = [];
  const r = await runRounds(5, { warmupRounds: 2, roundsMin: 3, roundsMax: 3, iqrTarget: 0.05, seed: 's' }, (cell, round) => {
    seen.push({ cell, round });
    return 1 + cell;
  });
  assert.is(seen.length, 5 * (2 + 3));
  for (const round of [-2, -1, 0, 1, 2]) {
    const order = seen.filter((x) => x.round === round).map((x) => x.cell);
    assert.equal(order, roundOrder(5, 's', round));
    assert.equal([...order].sort(), [0, 1, 2, 3, 4]);
  }
  assert.equal(r.orders, [0, 1, 2].map((i) => roundOrder(5, 's', i)));
  assert.equal(roundOrder(5, 's', 0), roundOrder(5, 's', 0));
  assert.not.equal(roundOrder(8, 's', 0), roundOrder(8, 's', 1));
  assert.not.equal(roundOrder(8, 's', 0), roundOrder(8, 't', 0));
  assert.equal(r.times, [[1, 1, 1], [2, 2, 2], [3, 3, 3], [4, 4, 4], [5, 5, 5]]); // warm-up not recorded
  assert.is(r.rounds, 3);
  assert.equal(r.overTarget, []);
});

test('rounds: the adaptive stop rule on given times', async () => {
  // IQR / median with numpy's linear quantiles: [1, 2, 3, 4] → (3.25 − 1.75) / 2.5 = 0.6
  assert.is(iqrRel([1, 2, 3, 4]), 0.6);
  assert.is(iqrRel([2]), Infinity);
  const o = { roundsMin: 3, roundsMax: 6, iqrTarget: 0.05 };
  assert.is(shouldStop([[1, 1], [2, 2]], o), false); // under roundsMin
  assert.is(shouldStop([[1, 1, 1], [2, 2, 2]], o), true); // both quiet at roundsMin
  assert.is(shouldStop([[1, 1, 1], [1, 2, 3]], o), false); // one noisy cell keeps going
  assert.is(shouldStop([[1, 1, 1, 1, 1, 1], [1, 2, 3, 1, 2, 3]], o), true); // roundsMax
  // cell 1 is noisy for its first rounds, then quiet: the run goes on until its MEDIAN's spread falls under 5%
  const fake = [[1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1], [1, 1.5, 1, 1.5, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2, 1.2]];
  const r = await runRounds(2, { warmupRounds: 0, roundsMin: 3, roundsMax: 12, iqrTarget: 0.05, seed: 0 }, (c, round) => fake[c][round]);
  const first = [3, 4, 5, 6, 7, 8, 9, 10, 11, 12].find((k) => medianSpread(fake[1].slice(0, k), 1) < 0.05);
  assert.is(r.rounds, first);
  assert.ok(r.rounds > 4 && r.rounds < 12, `stopped after ${r.rounds}`);
  assert.equal(r.spread, [0, medianSpread(fake[1].slice(0, r.rounds), 1)]);
  // the samples' IQR of the same cell is still 0.104 after 8 rounds (sorted [1, 1, 1.2 ×4, 1.5, 1.5]):
  // more rounds shrink the median's spread, not the samples' IQR
  assert.ok(Math.abs(iqrRel(fake[1].slice(0, 8)) - (1.275 - 1.15) / 1.2) < 1e-12);
  assert.is(medianSpread([2]), Infinity);
  assert.is(medianSpread([3, 3, 3, 3]), 0);
  const alternating = (n: number) => Array.from({ length: n }, (_, i) => 1 + (i % 5) * 0.1);
  assert.ok(medianSpread(alternating(60)) < medianSpread(alternating(10)) / 2, 'the spread of the median shrinks like 1/√n');
  const stuck = await runRounds(2, { warmupRounds: 0, roundsMin: 3, roundsMax: 4, iqrTarget: 0.05, seed: 0 }, (c, round) => (c === 0 ? 1 : [1, 2, 3, 4][round]));
  assert.is(stuck.rounds, 4);
  assert.equal(stuck.overTarget, [1]);
});

// Synthetic cells whose times are exactly a known device's prediction: the fit must recover it.
function syntheticCells(device: Device): FitCell[] {
  const c = ScaleSchema.parse({ rungs: RUNGS.slice(0, 3), data: { maxSource: 32, maxTarget: 64 } });
  const ladder = buildLadder(c, 2000);
  const cells: FitCell[] = [];
  for (const r of ladder) {
    for (const [switched, recipe] of [[[], r.fast], [['method', 'prefix', 'padding', 'checkpoint', 'quant'], r.slow], [['checkpoint'], { ...r.fast, checkpoint: true }], [['quant'], { ...r.fast, quant: 'nf4' as const }]] as const) {
      const batches = [{ batchSize: 4, realTokens: 200, paddedLength: switched.length > 2 ? 96 : 70 }, { batchSize: 4, realTokens: 180, paddedLength: switched.length > 2 ? 96 : 60 }];
      const t = predictStepTime(meanCounts(r.shape, costRecipe(recipe), batches), device);
      cells.push({ rung: r.name, switched: [...switched], shape: r.shape, recipe: costRecipe(recipe), batches, times: [t, t * 1.01, t * 0.99] });
    }
  }
  return cells;
}

test('fit: constants fitted on all rungs but the largest, every cell predicted, held-out errors apart', () => {
  const truth: Device = { name: 't', peakFlops: { fp32: 2e10, fp16: 2e10, bf16: 2e10 }, bandwidth: 4e9, kernelOverhead: 3e-5, efficiency: { lo: 1, hi: 1 }, fitted: true, source: 'test' };
  const cells = syntheticCells(truth);
  const f = fitLadder(cells, ['r0', 'r1', 'r2']);
  assert.equal(f.fittedOn, ['r0', 'r1']);
  assert.is(f.heldOut, 'r2');
  assert.is(f.relErrors.length, 12);
  assert.equal(f.cells.map((c) => c.heldOut), [...Array(8).fill(false), ...Array(4).fill(true)]);
  const near = (a: number, b: number) => Math.abs(a / b - 1) < 1e-6;
  assert.ok(near(f.constants.flopsPerSecond, 2e10) && near(f.constants.bytesPerSecond, 4e9) && near(f.constants.secondsPerKernel, 3e-5), JSON.stringify(f.constants));
  assert.ok(f.relErrorMedian < 1e-6 && f.heldOutRelErrorMedian < 1e-6);
  // the median time of [t, 1.01t, 0.99t] is t
  assert.ok(near(f.cells[0].measuredSeconds, cells[0].times[0]));
  // the held-out rung really is held out: perturbing it does not move the constants, only its errors
  const moved = cells.map((c) => (c.rung === 'r2' ? { ...c, times: c.times.map((t) => 2 * t) } : c));
  const g = fitLadder(moved, ['r0', 'r1', 'r2']);
  assert.equal(g.constants, f.constants);
  assert.ok(Math.abs(g.heldOutRelErrorMedian - 0.5) < 1e-6, String(g.heldOutRelErrorMedian));
  assert.throws(() => fitLadder([...cells.slice(0, 2), ...cells.filter((c) => c.rung === 'r2')], ['r0', 'r2']), /only 2 measured cells outside the held-out rung r2/);
});

test('degenerate rule, CPU lists, the A100 prediction keys', () => {
  assert.is(isDegenerate({ distinct2: 0.09, repetition: 0 }), true);
  assert.is(isDegenerate({ distinct2: 0.5, repetition: 0.51 }), true);
  assert.is(isDegenerate({ distinct2: 0.1, repetition: 0.5 }), false);
  assert.equal(parseCpuList('0-2,5'), [0, 1, 2, 5]);
  assert.equal(parseCpuList('1'), [1]);
  const p = chatglm2A100();
  assert.equal(Object.keys(p).sort(), ['device', 'memoryGB', 'published', 'ratio', 'ratio.hi', 'ratio.lo', 'samplesPerSecond', 'shapley']);
  assert.is(p.device, 'a100-80gb');
  assert.equal(p.published, { lora: 21.67, ptuning: 5.81, ratio: 21.67 / 5.81, memoryGB: { lora: 5.14, ptuning: 5.78 } });
  assert.ok(p['ratio.lo'] <= p.ratio && p.ratio <= p['ratio.hi']);
  assert.equal(Object.keys(p.shapley), ['method', 'padding', 'prefix', 'checkpoint', 'quant']);
});

test('a tiny ladder through the real runner: run.json summary holds every contract key', async () => {
  const root = mkdtempSync(join(tmpdir(), 'll-scale-'));
  const out = await runExperiment(join(import.meta.dirname, '..', 'fixtures', 'scale-tiny.json'), { root });
  assert.is(out.failed.length, 0, out.failed.map((f) => f.error).join('\n'));
  const [run] = listRuns(root);
  const s = run!.record.summary as ScaleSummary;
  assert.equal(s.factors, ['method', 'padding', 'prefix', 'checkpoint', 'quant']);
  assert.equal(s.rungs.map((r) => [r.name, r.cells.length, r.loraR, r.prefix, r.context]), [['r0', 24, 1, 8, 64], ['r1', 24, 1, 8, 64], ['r2', 24, 1, 8, 64]]);
  for (const r of s.rungs) {
    assert.equal(Object.keys(r.shapley), s.factors);
    for (const c of r.cells) {
      assert.ok(c.rounds >= 2 && c.rounds <= 3 && c.seconds > 0 && c.predictedSeconds > 0, JSON.stringify(c));
      assert.is(c.heldOut, r.name === 'r2');
      assert.is(c.relError, Math.abs(c.predictedSeconds - c.seconds) / c.seconds);
      assert.is(c.batch.batchSize, 2);
    }
    assert.type(r.ratio.lo, 'number');
  }
  const q = s.rungs[0].quality!;
  assert.equal(Object.keys(q.fast).sort(), ['bleu4', 'degenerate', 'distinct1', 'distinct2', 'repetition', 'rouge1', 'rougeL', 'trainSteps']);
  assert.is(q.degenerate, q.fast.degenerate || q.slow.degenerate);
  assert.is(s.rungs[1].quality, undefined);
  assert.equal(s.costModel.fittedOn, ['r0', 'r1']);
  assert.is(s.costModel.heldOut, 'r2');
  assert.is(s.costModel.relErrors.length, 72);
  assert.equal(Object.keys(s.measurement).sort(), ['cpuPinned', 'otherLoad', 'quiet', 'roundsMax', 'roundsMin', 'rungsOverTarget', 'target']);
  assert.type(s.verdict, 'string');
  // the flattened metric keys the issue names
  const rec = JSON.parse(readFileSync(join(run!.dir, 'run.json'), 'utf8')) as { summary: Record<string, unknown> };
  const flat: Record<string, unknown> = {};
  const walk = (o: unknown, p: string) => {
    if (o && typeof o === 'object' && !Array.isArray(o)) for (const [k, v] of Object.entries(o)) walk(v, p ? `${p}.${k}` : k);
    else flat[p] = o;
  };
  walk(rec.summary, '');
  for (const k of ['prediction.chatglm2_a100.samplesPerSecond.lora', 'prediction.chatglm2_a100.samplesPerSecond.ptuning', 'prediction.chatglm2_a100.ratio', 'prediction.chatglm2_a100.ratio.lo', 'prediction.chatglm2_a100.ratio.hi', 'prediction.chatglm2_a100.memoryGB.lora', 'prediction.chatglm2_a100.memoryGB.ptuning', 'costModel.relErrorMedian', 'costModel.heldOutRelErrorMedian']) {
    assert.type(flat[k], 'number', k);
  }
  const cellsFile = JSON.parse(readFileSync(join(run!.dir, 'cells.json'), 'utf8')) as { rungs: string[]; cells: FitCell[] };
  assert.equal(cellsFile.rungs, ['r0', 'r1', 'r2']);
  // the artefact is enough to redo the fit exactly
  assert.equal(fitLadder(cellsFile.cells, cellsFile.rungs).relErrors, s.costModel.relErrors);
});

test('run --jobs 2: one seed per worker, each pinned to its own core (taskset), and the run says which', async () => {
  const root = mkdtempSync(join(tmpdir(), 'll-scale-jobs-'));
  const set = ['seeds=[0,1]', 'quality.rungs=[]', 'measurement.roundsMax=2', 'measurement.warmupRounds=0', 'rungs=[{"layers":1,"d":16},{"layers":1,"d":32}]'];
  const out = await runExperiment(join(import.meta.dirname, '..', 'fixtures', 'scale-tiny.json'), { root, jobs: 2, set });
  assert.is(out.failed.length, 0, out.failed.map((f) => f.error).join('\n'));
  const pinned = listRuns(root).map((r) => [r.record.seeds[0], (r.record.summary as ScaleSummary).measurement.cpuPinned]).sort();
  const cpus = allowedCpus() ?? [];
  // this machine has 2 cores: worker i runs on the i-th allowed CPU; with fewer CPUs than workers nothing is pinned
  const expected = cpus.length >= 2 ? [`cpu ${cpus[0]} (taskset)`, `cpu ${cpus[1]} (taskset)`] : [null, null];
  assert.equal(pinned.map((p) => p[1]).sort(), [...expected].sort());
});

test.run();
