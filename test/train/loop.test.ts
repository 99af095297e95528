import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/runtime/index.ts';
import { buildModel, type MethodSpec } from '../../lib/peft/index.ts';
import { trainLoop, deterministicFields, type TrainLoopOptions } from '../../lib/train/loop.ts';
import { TrainSchema, type TrainConfig } from '../../lib/train/config.ts';
import { fixture, LIMITS, type Fixture } from './setup.ts';
import { BatchIterator, type EncodedExample } from '../../lib/data/index.ts';
import { freshEarlyStop, updateEarlyStop } from '../../lib/train/early-stop.ts';

await initBackend();
const f = fixture();
const tmp = mkdtempSync(join(tmpdir(), 'll-train-loop-'));

async function run(fx: Fixture, method: MethodSpec, config: TrainConfig, extra: Partial<TrainLoopOptions> = {}) {
  const model = await buildModel(fx.config, fx.base, method, 'fp32', 0);
  const lines: Record<string, unknown>[] = [];
  const before = tf.memory().numTensors;
  const result = await trainLoop({ model, config, train: fx.train, eval: fx.eval, padId: fx.tok.special.pad, seed: 0, quiet: true, onLog: (l) => lines.push(l), ...extra });
  const newTensors = tf.memory().numTensors - before;
  const weights = new Map([...model.trainable].map(([n, v]) => [n, v.dataSync().slice()]));
  model.dispose();
  return { result, lines, weights, newTensors };
}

const full: MethodSpec = { method: 'full' };
const lora: MethodSpec = { method: 'lora', r: 4, alpha: 8, dropout: 0.1, targets: ['q', 'v'], rslora: false };

test('full fine-tuning lowers the loss; metrics lines carry step, loss, lr, tokens/s, samples/s, memory', async () => {
  const cfg = TrainSchema.parse({ steps: 30, batchSize: 6, lr: 1e-2, warmupSteps: 3, logEvery: 10, ...LIMITS });
  const { result, lines } = await run(f, full, cfg);
  const train = lines.filter((l) => 'loss' in l);
  assert.equal(train.map((l) => l.step), [10, 20, 30]);
  assert.equal(Object.keys(train[0]).sort(), ['epoch', 'gradNorm', 'loss', 'lr', 'paddedTokens', 'paddedTokensPerS', 'realTokens', 'rssBytes', 'samples', 'samplesPerS', 'step', 'stepMs', 'targetTokens', 'tfBytes', 'time', 'tokensPerS'].sort());
  assert.is(train[0].samples, 60);
  assert.ok((train[2].loss as number) < (train[0].loss as number) - 0.5, `loss ${train[0].loss} → ${train[2].loss}`);
  assert.ok(result.finalEval!.loss < Math.log(f.tok.vocabSize), `eval ${result.finalEval!.loss} below uniform ${Math.log(f.tok.vocabSize)}`);
  assert.is(result.finalEval!.perplexity, Math.exp(result.finalEval!.loss));
  const evals = lines.filter((l) => 'evalLoss' in l);
  assert.equal(evals.map((l) => [l.step, l.final]), [[30, true]]);
  assert.is(result.steps, 30);
  assert.is(result.interrupted, false);
});

test('two runs with the same seed give identical metrics and weights; another seed differs', async () => {
  const cfg = TrainSchema.parse({ steps: 8, batchSize: 4, gradAccum: 2, lr: 5e-3, logEvery: 2, evalEvery: 4, ...LIMITS });
  const a = await run(f, lora, cfg);
  const b = await run(f, lora, cfg);
  const c = await run(f, lora, cfg, { seed: 1 });
  // The loop leaves nothing behind (gradients, moments, batches disposed): after earlier runs warmed the
  // model's shape caches, the one new tensor is the frozen tied head's cached transpose, which the model owns.
  assert.is(c.newTensors, 1);
  assert.equal(a.lines.map(deterministicFields), b.lines.map(deterministicFields));
  assert.is(a.lines.length, 4 + 2);
  for (const [n, w] of a.weights) assert.equal(w, b.weights.get(n), n);
  assert.not.equal(a.lines.map(deterministicFields), c.lines.map(deterministicFields));
  assert.is(a.lines[0].samples, 16, 'gradAccum 2 × batch 4 per step × 2 steps');
});

test("'longest' and 'max_length' padding give the same losses on the same data (right padding, -100 labels)", async () => {
  const limits = { maxSource: 40, maxTarget: 56 };
  const fx = fixture(24, limits, 96);
  // Real lines cut to varied lengths (12..96 tokens), so 'longest' batches differ from max_length's 96.
  const cut = (e: EncodedExample, i: number) => ({ id: e.id, prompt: [...e.prompt.slice(0, 4 + (i % 5) * 6), 3], target: [...e.target.slice(0, 6 + ((i * 7) % 9) * 5), 2] });
  fx.train = fx.train.map(cut);
  fx.eval = fx.eval.map(cut);
  const base = { steps: 4, batchSize: 4, lr: 5e-3, logEvery: 1, shuffle: true, ...limits };
  const a = await run(fx, full, TrainSchema.parse({ ...base, padding: 'longest' }));
  const b = await run(fx, full, TrainSchema.parse({ ...base, padding: 'max_length' }));
  const la = a.lines.filter((l) => 'loss' in l), lb = b.lines.filter((l) => 'loss' in l);
  assert.equal(la.map((l) => l.realTokens), lb.map((l) => l.realTokens));
  assert.ok((lb[0].paddedTokens as number) > (la[0].paddedTokens as number), 'max_length computes more positions');
  assert.is(lb[0].paddedTokens, 4 * 96);
  // The first step's loss is bitwise equal: causality gives pad keys exactly zero attention weight for real
  // queries and matmul rows do not depend on the row count. Gradients sum over more (zero) rows under
  // max_length, so the tied embedding's update differs in the last bits (~1e-10) and later steps agree to
  // float32 rounding.
  assert.is(la.length, 4);
  assert.is(la[0].loss, lb[0].loss);
  for (let i = 1; i < la.length; i++) assert.ok(Math.abs((la[i].loss as number) - (lb[i].loss as number)) <= 1e-6, `step ${i + 1}: ${la[i].loss} vs ${lb[i].loss}`);
  assert.ok(Math.abs(a.result.finalEval!.loss - b.result.finalEval!.loss) <= 1e-6);
  for (const [n, w] of a.weights) {
    const v = b.weights.get(n)!;
    let d = 0;
    for (let i = 0; i < w.length; i++) d = Math.max(d, Math.abs(w[i] - v[i]));
    // attn.k.bias has a mathematically zero gradient (softmax ignores a shift shared by all keys), so its
    // "gradient" is rounding noise (~1e-10) that Adam divides by eps 1e-8: it moves by up to lr·noise/eps
    // (~5e-5) and differs most between paddings (observed 5e-7 with tfjs' matmuls, 4e-6 with MLAS's).
    assert.ok(d <= (n.endsWith('attn.k.bias') ? 2e-5 : 2e-6), `${n}: max |Δ| ${d}`);
  }
});

test('resume from disk in a fresh model continues bit for bit (metrics after the checkpoint are replaced)', async () => {
  const cfg = TrainSchema.parse({ steps: 12, batchSize: 4, lr: 5e-3, warmupSteps: 2, logEvery: 1, evalEvery: 5, checkpointEvery: 4, ...LIMITS });
  const straight = await run(f, lora, cfg);
  const dir = join(tmp, 'resume');
  const metricsPath = join(dir, 'metrics.jsonl');
  const first = await run(f, lora, cfg, { checkpointDir: dir, metricsPath, stopAfter: 6 });
  assert.equal([first.result.steps, first.result.interrupted], [6, true]);
  assert.equal(readFileSync(metricsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l).step), [1, 2, 3, 4, 5, 5, 6]);
  const second = await run(f, lora, cfg, { checkpointDir: dir, metricsPath, resume: true });
  assert.is(second.result.resumedFrom, 4, 'the step-6 state was never checkpointed');
  for (const [n, w] of straight.weights) assert.equal(second.weights.get(n), w, n);
  const onDisk = readFileSync(metricsPath, 'utf8').trim().split('\n').map((l) => deterministicFields(JSON.parse(l)));
  assert.equal(onDisk, straight.lines.map(deterministicFields));
  assert.equal(second.result.finalEval, straight.result.finalEval);
  const again = await run(f, lora, cfg, { checkpointDir: dir, metricsPath, resume: true });
  assert.equal([again.result.resumedFrom, again.result.steps, again.lines.length], [12, 12, 0]);
  assert.equal(again.result.finalEval, straight.result.finalEval, 'a finished run resumed again reports its final eval');
  assert.is(again.result.lastLoss, straight.result.lastLoss);
  assert.is(second.result.lastLoss, straight.result.lastLoss);
});

test('early stop: no eval improves by minDelta → stops after `patience` evaluations', async () => {
  const cfg = TrainSchema.parse({ steps: 20, batchSize: 4, lr: 5e-3, logEvery: 2, evalEvery: 2, earlyStop: { patience: 2, minDelta: 10 }, ...LIMITS });
  const { result, lines } = await run(f, full, cfg);
  assert.equal([result.steps, result.stoppedEarly, result.interrupted, result.bestEval!.step], [6, true, false, 2]);
  assert.equal(lines.filter((l) => 'evalLoss' in l).map((l) => [l.step, l.final ?? false]), [[2, false], [4, false], [6, true]]);
  assert.throws(() => TrainSchema.parse({ steps: 2, earlyStop: { patience: 0 } }), /earlyStop\.patience: expected integer ≥ 1/);
  const noEval = TrainSchema.parse({ steps: 2, earlyStop: { patience: 1 } });
  try {
    await run(f, full, noEval);
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /earlyStop needs periodic evaluation \(at train\.earlyStop\)/);
  }
});

test('gradient checkpointing trains to the same weights', async () => {
  const cfg = { steps: 3, batchSize: 4, lr: 5e-3, logEvery: 1, ...LIMITS };
  const a = await run(f, full, TrainSchema.parse(cfg));
  const b = await run(f, full, TrainSchema.parse({ ...cfg, checkpoint: true }));
  assert.equal(a.lines.map(deterministicFields), b.lines.map(deterministicFields));
  for (const [n, w] of a.weights) assert.equal(b.weights.get(n), w, n);
});

test('per-step batch statistics: each step\'s samples and tokens, equal to replaying the batch order; summed under accumulation', async () => {
  const cfg = TrainSchema.parse({ steps: 5, batchSize: 3, lr: 1e-3, logEvery: 5, ...LIMITS });
  const { result, lines } = await run(f, lora, cfg);
  const it = new BatchIterator(f.train, { batchSize: 3, seed: 0, padding: cfg.padding, maxSource: cfg.maxSource, maxTarget: cfg.maxTarget, padId: f.tok.special.pad, shuffle: cfg.shuffle, groupByLength: cfg.groupByLength });
  const replay = Array.from({ length: 5 }, () => {
    const b = it.next();
    return { samples: b.shape[0], realTokens: b.stats.realTokens, paddedTokens: b.shape[0] * b.shape[1], targetTokens: b.stats.targetTokens };
  });
  assert.equal(result.batches, replay);
  assert.is(result.batches.length, result.stepMs.length);
  const sum = (k: keyof (typeof replay)[number]) => replay.reduce((a, b) => a + b[k], 0);
  assert.equal(result.tokens, { real: sum('realTokens'), padded: sum('paddedTokens') });
  const line = lines.find((l) => l.step === 5 && 'loss' in l)!;
  assert.equal([line.samples, line.realTokens, line.paddedTokens, line.targetTokens], [sum('samples'), sum('realTokens'), sum('paddedTokens'), sum('targetTokens')]);
  const acc = await run(f, lora, TrainSchema.parse({ steps: 2, batchSize: 3, gradAccum: 2, lr: 1e-3, ...LIMITS }));
  assert.equal(acc.result.batches.map((b) => b.samples), [6, 6]);
  assert.equal(acc.result.batches[0], { samples: 6, realTokens: replay[0].realTokens + replay[1].realTokens, paddedTokens: replay[0].paddedTokens + replay[1].paddedTokens, targetTokens: replay[0].targetTokens + replay[1].targetTokens });
});

test('early-stop counters: patience counts periodic evals without a minDelta improvement', () => {
  const c = TrainSchema.parse({ steps: 10, evalEvery: 2, earlyStop: { patience: 2, minDelta: 0.1 } });
  let e = freshEarlyStop();
  const seen: [number | null, number, number, boolean][] = [];
  for (const [step, loss] of [[2, 3], [4, 2.95], [6, 2.5], [8, 2.45], [10, 2.44]] as const) {
    const u = updateEarlyStop(e, loss, step, c, true);
    e = u.early;
    seen.push([e.best, e.bestStep, e.bad, u.stop]);
  }
  assert.equal(seen, [[3, 2, 0, false], [3, 2, 1, false], [2.5, 6, 0, false], [2.5, 6, 1, false], [2.5, 6, 2, true]]);
  // Without earlyStop (or at a non-periodic final eval) the best eval is tracked, nothing stops.
  const plain = TrainSchema.parse({ steps: 10 });
  assert.equal(updateEarlyStop({ best: 3, bestStep: 2, bad: 0 }, 2.99, 4, plain, false), { early: { best: 2.99, bestStep: 4, bad: 0 }, stop: false });
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
