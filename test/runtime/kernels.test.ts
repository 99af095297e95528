// The kernel fixes must compute what tfjs' own cpu kernels compute; we only change how fast.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { installKernelFixes, removeKernelFixes, installedKernelFixes } from '../../lib/runtime/kernels/index.ts';
import { segmentSum } from '../../lib/runtime/kernels/segment-sum.ts';
import { sumLeadingRows, tileInto } from '../../lib/runtime/kernels/copy-kernels.ts';
import { ortMatMulStats, ORT_MIN_MACS, ORT_MIN_ROWS, ORT_MIN_INNER } from '../../lib/runtime/kernels/ort-matmul.ts';
import { Rng } from '../../lib/util/random.ts';

tf.env().set('DEBUG', false);
test.before(async () => {
  await tf.setBackend('cpu');
});
const rng = new Rng(11);
const randn = (shape: number[]) => tf.tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal()), shape);

function close(a: tf.Tensor, b: tf.Tensor, tol = 1e-4): void {
  assert.equal(a.shape, b.shape);
  const x = a.dataSync(), y = b.dataSync();
  for (let i = 0; i < x.length; i++) {
    const err = Math.abs(x[i] - y[i]) / Math.max(1, Math.abs(y[i]));
    if (err > tol) assert.unreachable(`element ${i}: ${x[i]} vs ${y[i]}`);
  }
}

/** Runs fn on a backend with or without fixes, returning plain cpu-resident copies of the results. */
async function on(backend: 'cpu' | 'wasm', fixes: boolean, fn: () => tf.Tensor[]): Promise<tf.Tensor[]> {
  await tf.setBackend(backend);
  if (fixes) installKernelFixes(backend);
  else removeKernelFixes(backend);
  const out = fn().map((t) => ({ data: t.dataSync().slice(), shape: t.shape }));
  return out.map((o) => tf.tensor(o.data, o.shape));
}

test('segmentSum: hand-checked rows, dropped out-of-range ids', () => {
  const out = new Float32Array(6);
  segmentSum(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8]), new Int32Array([2, 0, 2, 5]), 3, out);
  assert.equal(Array.from(out), [3, 4, 0, 0, 6, 8]);
});

test('UnsortedSegmentSum: wasm (fixed) and cpu (fixed) equal tfjs cpu', async () => {
  const x = randn([40, 3, 5]);
  const ids = tf.tensor1d(Array.from({ length: 40 }, () => rng.int(7)), 'int32');
  const f = () => [tf.unsortedSegmentSum(x, ids, 7)];
  const [ref] = await on('cpu', false, f);
  close((await on('cpu', true, f))[0], ref, 1e-6);
  close((await on('wasm', true, f))[0], ref, 1e-6);
});

test('embedding gradient (gather → UnsortedSegmentSum) matches tfjs cpu', async () => {
  const table = randn([50, 16]);
  const ids = tf.tensor2d(Array.from({ length: 4 * 9 }, () => rng.int(50)), [4, 9], 'int32');
  const w = randn([16, 1]);
  const f = () => [tf.grad((t: tf.Tensor) => tf.matMul(tf.reshape(tf.gather(t, ids), [36, 16]), w).square().sum())(table)];
  const [ref] = await on('cpu', false, f);
  close((await on('wasm', true, f))[0], ref);
});

test('matMul with transpose flags: forward and both gradients match tfjs cpu', async () => {
  const a = randn([2, 6, 5]);
  const b = randn([2, 7, 5]);
  const f = () => {
    const loss = (x: tf.Tensor, y: tf.Tensor) => tf.matMul(x, y, false, true).square().sum();
    const [ga, gb] = tf.grads(loss)([a, b]);
    const at = tf.transpose(a, [0, 2, 1]);
    return [tf.matMul(a, b, false, true), tf.matMul(at, at, true, false), tf.matMul(at, b, true, true), ga, gb];
  };
  const ref = await on('cpu', false, f);
  const fixed = await on('wasm', true, f);
  ref.forEach((r, i) => close(fixed[i], r));
});

test('fused matMul (bias + relu) with transposeB matches tfjs cpu', async () => {
  const a = randn([8, 12]);
  const b = randn([10, 12]);
  const bias = randn([10]);
  const f = () => [tf.fused.matMul({ a, b, transposeB: true, bias, activation: 'relu' })];
  const [ref] = await on('cpu', false, f);
  close((await on('wasm', true, f))[0], ref);
});

test('ORT matMul: every transpose combination, broadcast batch dims, rank 2 and 4, and gradients match tfjs cpu', async () => {
  const a = randn([2, 3, 40, 50]), aT = randn([2, 3, 50, 40]);
  const b = randn([2, 3, 50, 60]), bT = randn([2, 3, 60, 50]), b1 = randn([1, 3, 50, 60]);
  const x = randn([64, 96]), w = randn([96, 80]);
  const f = () => {
    const [ga, gb] = tf.grads((p: tf.Tensor, q: tf.Tensor) => tf.matMul(p, q).square().sum())([a, b]);
    return [tf.matMul(a, b), tf.matMul(aT, b, true, false), tf.matMul(a, bT, false, true), tf.matMul(aT, bT, true, true), tf.matMul(a, b1), tf.matMul(x, w), ga, gb];
  };
  const ref = await on('cpu', false, f);
  ortMatMulStats.calls = 0;
  const routed = await on('wasm', true, f);
  ref.forEach((r, i) => close(routed[i], r));
  assert.is(ortMatMulStats.calls, 9, 'six products + the forward and two gradient products of the grads call');
});

test('ORT matMul: small, few-row and short-inner products stay in the wasm kernel, and still compute', async () => {
  await tf.setBackend('wasm');
  installKernelFixes('wasm');
  ortMatMulStats.calls = 0;
  const cases: [number[], number[]][] = [[[8, 16], [16, 8]], [[8, 512], [512, 512]], [[1024, 8], [8, 128]]];
  assert.ok(8 * 16 * 8 < ORT_MIN_MACS && 8 < ORT_MIN_ROWS && 8 < ORT_MIN_INNER);
  for (const [sa, sb] of cases) {
    const a = randn(sa), b = randn(sb);
    const [ref] = await on('cpu', false, () => [tf.matMul(a, b)]);
    close((await on('wasm', true, () => [tf.matMul(a, b)]))[0], ref);
  }
  assert.is(ortMatMulStats.calls, 0);
});

test('Identity on wasm shares the buffer, and the clone outlives the original', async () => {
  await tf.setBackend('wasm');
  installKernelFixes('wasm');
  const x = tf.tensor1d([1.5, -2, 3]);
  const c = tf.clone(x);
  const offset = (t: tf.Tensor) => (tf.backend() as unknown as { getMemoryOffset(id: object): number }).getMemoryOffset(t.dataId);
  assert.is(offset(c), offset(x));
  x.dispose();
  assert.equal(Array.from(c.dataSync()), [1.5, -2, 3]);
  c.dispose();
});

/** Bitwise: the fixed wasm kernels against tfjs' own wasm kernels on the same inputs. */
async function sameBits(fn: () => tf.Tensor[]): Promise<void> {
  const ref = await on('wasm', false, fn);
  const fixed = await on('wasm', true, fn);
  ref.forEach((r, i) => {
    assert.equal(fixed[i].shape, r.shape);
    assert.equal(fixed[i].dtype, r.dtype);
    const a = fixed[i].dataSync(), b = r.dataSync();
    for (let j = 0; j < a.length; j++) if (!Object.is(a[j], b[j])) assert.unreachable(`output ${i} element ${j}: ${a[j]} vs ${b[j]}`);
  });
}

test('sumLeadingRows and tileInto: hand-checked', () => {
  const out = new Float32Array(2);
  sumLeadingRows(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), 5, out);
  assert.equal(Array.from(out), [25, 30]);
  const t = new Int32Array(12);
  tileInto(new Int32Array([1, 2, 3]), [1, 3], [2, 2], t);
  assert.equal(Array.from(t), [1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]);
  const u = new Int32Array(16);
  tileInto(new Int32Array([1, 2, 3, 4]), [2, 2, 1], [2, 1, 2], u);
  assert.equal(Array.from(u), [1, 1, 2, 2, 3, 3, 4, 4, 1, 1, 2, 2, 3, 3, 4, 4]);
});

test('Sum over leading axes on wasm: bitwise tfjs wasm (rows not a multiple of 4, keepDims, 3 axes); other axes unchanged', async () => {
  const x = randn([1023, 37]), y = randn([6, 5, 7, 3]), big = tf.mul(randn([64, 16]), 1e4);
  await sameBits(() => [tf.sum(x, 0), tf.sum(x, [0], true), tf.sum(y, [0, 1]), tf.sum(y, [1, 0, 2]), tf.sum(y, 1), tf.sum(y, -1), tf.sum(y), tf.sum(tf.add(big, 1e-3), 0)]);
});

test('GatherV2 along axis 0 on wasm: bitwise tfjs wasm; an out-of-range id throws as tfjs does', async () => {
  const table = randn([50, 4, 3]);
  const ids = tf.tensor2d(Array.from({ length: 4 * 9 }, () => rng.int(50)), [4, 9], 'int32');
  const itable = tf.tensor2d(Array.from({ length: 20 }, (_, i) => i * 7), [10, 2], 'int32');
  await sameBits(() => [tf.gather(table, ids), tf.gather(itable, tf.tensor1d([9, 0, 9], 'int32')), tf.gather(table, tf.tensor1d([2, 1], 'int32'), 1)]);
  await tf.setBackend('wasm');
  installKernelFixes('wasm');
  assert.throws(() => tf.gather(table, tf.tensor1d([3, 50], 'int32')), /index value 50 is not in \[0, 49\]/);
  assert.throws(() => tf.gather(table, tf.tensor1d([-1], 'int32')), /index value -1/);
});

test('Tile on wasm: bitwise tfjs wasm for leading, inner and mixed repetitions; its gradient too', async () => {
  const p = randn([1, 4, 5, 3]), q = randn([2, 3]), r = tf.tensor2d([1, 2, 3, 4], [2, 2], 'int32');
  await sameBits(() => [tf.tile(p, [6, 1, 1, 1]), tf.tile(p, [2, 3, 1, 2]), tf.tile(q, [3, 4]), tf.tile(r, [2, 3]), tf.grad((t: tf.Tensor) => tf.tile(t, [5, 1, 1, 1]).square().sum())(p)]);
});

test('Mean gradient on wasm: bitwise tfjs for every axis choice; Tile gradient with inner repetitions keeps tfjs\' own', async () => {
  const x = randn([6, 5, 7]), p = randn([2, 3, 4]);
  const g = (f: (t: tf.Tensor) => tf.Tensor) => tf.grad((t: tf.Tensor) => tf.mul(f(t), randnLike(f(t))).sum())(x);
  const w = new Map<string, tf.Tensor>();
  const randnLike = (t: tf.Tensor) => { const k = t.shape.join(','); if (!w.has(k)) w.set(k, tf.keep(randn(t.shape))); return w.get(k)!; };
  await sameBits(() => [g((t) => tf.mean(t, -1)), g((t) => tf.mean(t, 0)), g((t) => tf.mean(t, [0, 2], true)), g((t) => tf.mean(t)),
    tf.grad((t: tf.Tensor) => tf.tile(t, [3, 2, 1]).square().sum())(p)]);
});

test('Cast to the same dtype shares the buffer on wasm; real conversions still convert', async () => {
  await tf.setBackend('wasm');
  installKernelFixes('wasm');
  const x = tf.tensor1d([1.5, -2.7, 3]);
  const c = tf.cast(x, 'float32');
  const offset = (t: tf.Tensor) => (tf.backend() as unknown as { getMemoryOffset(id: object): number }).getMemoryOffset(t.dataId);
  assert.is(offset(c), offset(x));
  x.dispose();
  assert.equal(Array.from(c.dataSync()), [1.5, -2.700000047683716, 3]);
  assert.equal(Array.from(tf.cast(c, 'int32').dataSync()), [1, -2, 3]);
  c.dispose();
});

test('install is idempotent and removal restores tfjs kernels', async () => {
  await tf.setBackend('wasm');
  removeKernelFixes('wasm');
  const original = tf.getKernel('BatchMatMul', 'wasm');
  installKernelFixes('wasm');
  installKernelFixes('wasm');
  assert.equal(installedKernelFixes('wasm').sort(), ['BatchMatMul', 'Cast', 'GatherV2', 'Gradients', 'Identity', 'OrtMatMul', 'Sum', 'Tile', 'UnsortedSegmentSum', '_FusedMatMul']);
  ortMatMulStats.calls = 0;
  tf.matMul(randn([64, 64]), randn([64, 64]));
  assert.is(ortMatMulStats.calls, 1, 'the second install keeps ORT on top');
  removeKernelFixes('wasm');
  assert.equal(installedKernelFixes('wasm'), []);
  assert.is(tf.getKernel('UnsortedSegmentSum', 'wasm'), undefined, 'wasm has no UnsortedSegmentSum of its own');
  assert.is(tf.getKernel('BatchMatMul', 'wasm')?.kernelFunc, original?.kernelFunc);
});

test.run();
