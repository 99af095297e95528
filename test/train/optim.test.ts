import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../lib/runtime/index.ts';
import { AdamW, clipByGlobalNorm, lrAt } from '../../lib/train/optim.ts';
import { TrainSchema } from '../../lib/train/config.ts';

await initBackend();

interface Ref { init: { w: number[]; b: number[] }; grads: Array<{ w: number[]; b: number[] }>; norms: number[]; lrs: number[]; after: Array<{ w: number[]; b: number[] }> }
const ref = JSON.parse(readFileSync(new URL('./fixtures/adamw.json', import.meta.url), 'utf8')) as Ref;

function params(): Map<string, tf.Variable> {
  return new Map<string, tf.Variable>([
    ['w', tf.variable(tf.tensor2d(ref.init.w, [3, 4]), true, 'w')],
    ['b', tf.variable(tf.tensor1d(ref.init.b), true, 'b')],
  ]);
}
const opts = { betas: [0.9, 0.95], eps: 1e-8, weightDecay: 0.1 };
const cfg = TrainSchema.parse({ steps: 5, warmupSteps: 2, lr: 1e-2, schedule: 'cosine' });

function step(opt: AdamW, s: number): number {
  const g = new Map<string, tf.Tensor>([['w', tf.tensor2d(ref.grads[s].w, [3, 4])], ['b', tf.tensor1d(ref.grads[s].b)]]);
  const c = clipByGlobalNorm(g, 1);
  opt.apply(c.grads, lrAt(s, cfg));
  tf.dispose([...c.grads.values()]);
  return c.norm;
}

test('AdamW + clipping + warm-up/cosine match torch.optim.AdamW (matrices decay, biases do not)', () => {
  const p = params();
  const opt = new AdamW(p, opts);
  for (let s = 0; s < 5; s++) {
    assert.ok(Math.abs(lrAt(s, cfg) - ref.lrs[s]) < 1e-15, `lr ${s}`);
    const norm = step(opt, s);
    assert.ok(Math.abs(norm - ref.norms[s]) < 1e-5 * ref.norms[s], `norm ${s}: ${norm} vs ${ref.norms[s]}`);
    const w = p.get('w')!.dataSync(), b = p.get('b')!.dataSync();
    ref.after[s].w.forEach((x, i) => assert.ok(Math.abs(w[i] - x) < 2e-6, `step ${s} w[${i}] ${w[i]} vs ${x}`));
    ref.after[s].b.forEach((x, i) => assert.ok(Math.abs(b[i] - x) < 2e-6, `step ${s} b[${i}] ${b[i]} vs ${x}`));
  }
  assert.ok(ref.norms[1] > 1, 'step 1 exercises clipping');
  assert.is(opt.step, 5);
  opt.dispose();
  tf.dispose([...p.values()]);
});

test('saved optimizer state restores bit for bit: 3 steps + save/load + 2 steps == 5 steps', async () => {
  const p1 = params();
  const o1 = new AdamW(p1, opts);
  for (let s = 0; s < 5; s++) step(o1, s);
  const straight = { w: p1.get('w')!.dataSync().slice(), b: p1.get('b')!.dataSync().slice() };
  o1.dispose();
  tf.dispose([...p1.values()]);

  const p2 = params();
  const o2 = new AdamW(p2, opts);
  for (let s = 0; s < 3; s++) step(o2, s);
  const saved = await o2.state();
  const weights = { w: p2.get('w')!.dataSync().slice(), b: p2.get('b')!.dataSync().slice() };
  o2.dispose();
  tf.dispose([...p2.values()]);
  assert.is(saved.step, 3);

  const p3 = params();
  p3.get('w')!.assign(tf.tensor2d(weights.w, [3, 4]));
  p3.get('b')!.assign(tf.tensor1d(weights.b));
  const o3 = new AdamW(p3, opts);
  o3.load(saved);
  for (let s = 3; s < 5; s++) step(o3, s);
  assert.equal(p3.get('w')!.dataSync(), straight.w);
  assert.equal(p3.get('b')!.dataSync(), straight.b);
  try {
    o3.load({ step: 1, m: new Map([['w', new Float32Array(3)]]), v: new Map() });
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /optimizer state m for "w" is 3 values, expected 12/);
  }
  o3.dispose();
  tf.dispose([...p3.values()]);
});

test('clipByGlobalNorm: exact norm, no-op below the limit or when disabled', () => {
  const g = () => new Map<string, tf.Tensor>([['a', tf.tensor1d([3, 0])], ['b', tf.tensor1d([0, 4])]]);
  const below = clipByGlobalNorm(g(), 10);
  assert.is(below.norm, 5);
  assert.equal(Array.from(below.grads.get('a')!.dataSync()), [3, 0]);
  const off = clipByGlobalNorm(g(), 0);
  assert.equal(Array.from(off.grads.get('b')!.dataSync()), [0, 4]);
  const clipped = clipByGlobalNorm(g(), 1);
  const coef = 1 / (5 + 1e-6);
  assert.equal(Array.from(clipped.grads.get('a')!.dataSync()), [Math.fround(3 * Math.fround(coef)), 0]);
  assert.equal(Array.from(clipped.grads.get('b')!.dataSync()), [0, Math.fround(4 * Math.fround(coef))]);
});

test('lrAt: warm-up from lr/warmup, constant, linear and cosine with a floor', () => {
  const base = { lr: 1, warmupSteps: 4, steps: 14, minLrRatio: 0 };
  assert.equal([0, 1, 2, 3].map((s) => lrAt(s, { ...base, schedule: 'constant' })), [0.25, 0.5, 0.75, 1]);
  assert.equal([4, 9, 13].map((s) => lrAt(s, { ...base, schedule: 'constant' })), [1, 1, 1]);
  assert.equal([4, 9, 13].map((s) => lrAt(s, { ...base, schedule: 'linear' })), [1, 0.5, 0.09999999999999998]);
  assert.equal([4, 9].map((s) => lrAt(s, { ...base, schedule: 'cosine' })), [1, 0.5]);
  assert.is(lrAt(9, { ...base, schedule: 'linear', minLrRatio: 0.2 }), 0.2 + 0.8 * 0.5);
  assert.ok(lrAt(13, { ...base, schedule: 'cosine' }) > 0, 'the last update still moves');
  assert.is(lrAt(0, { lr: 0.5, warmupSteps: 0, steps: 1, minLrRatio: 0, schedule: 'cosine' }), 0.5);
});

test('TrainSchema: defaults, and unknown keys fail with their path', () => {
  const c = TrainSchema.parse({ steps: 3 });
  assert.equal([c.batchSize, c.gradAccum, c.lr, c.betas, c.schedule, c.padding, c.clipNorm, c.checkpoint], [8, 1, 1e-3, [0.9, 0.999], 'cosine', 'longest', 1, false]);
  assert.is(c.earlyStop, undefined);
  assert.throws(() => TrainSchema.parse({ steps: 3, warmupStep: 2 }, 'exp.json'), (e: Error) => /warmupStep: unknown key \(did you mean "warmupSteps"\?\)/.test(e.message) && /exp\.json at warmupStep/.test(e.message));
  assert.throws(() => TrainSchema.parse({ steps: 3, earlyStop: { patience: 2, minDelat: 0.1 } }), (e: Error) => /earlyStop\.minDelat: unknown key/.test(e.message));
  assert.throws(() => TrainSchema.parse({ steps: 3, padding: 'longst' }), (e: Error) => /did you mean "longest"/.test(e.message));
  assert.throws(() => TrainSchema.parse({ steps: 3, betas: [0.9] }), (e: Error) => /betas: expected at least 2 items/.test(e.message));
});

test.run();
