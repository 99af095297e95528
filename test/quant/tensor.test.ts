import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  quantize, dequantize, dequantizeRange, theoreticalBytes, bitsPerParameter, QUANT_DTYPES, quantErrorStats, quantReport,
  quantizeNF4, dequantizeNF4,
} from '../../lib/quant/index.ts';
import { LedgerLabError } from '../../lib/errors.ts';
import { Rng } from '../../lib/util/index.ts';

const r = new Rng(42);
const SHAPE = [48, 70]; // 3360 values: not a multiple of 64 or 256
const N = 48 * 70;
const X = Float32Array.from({ length: N }, () => r.normal() * 0.05);

test('dispatch: every dtype round-trips with its tag, shape and exact packed size', () => {
  const expectedBytes: Record<string, number> = {
    fp32: 4 * N, fp16: 2 * N, bf16: 2 * N, int8: N + 4 * 53, fp4: N / 2 + 4 * 53, nf4: N / 2 + 4 * 53,
    'nf4-dq': N / 2 + 53 + 4 * 1 + 4,
  };
  for (const dtype of QUANT_DTYPES) {
    const q = quantize(X, SHAPE, dtype);
    assert.is(q.dtype, dtype);
    assert.equal(q.shape, SHAPE);
    assert.is(q.n, N);
    assert.is(q.byteLength, expectedBytes[dtype], `bytes of ${dtype}`);
    assert.is(q.byteLength, theoreticalBytes(N, dtype), `theory of ${dtype}`);
    const y = dequantize(q);
    assert.is(y.length, N);
    const stats = quantErrorStats(X, y);
    assert.ok(stats.relativeError < { fp32: 1e-12, fp16: 1e-3, bf16: 5e-3, int8: 0.02, fp4: 0.25, nf4: 0.15, 'nf4-dq': 0.15 }[dtype]!,
      `${dtype} relative error ${stats.relativeError}`);
  }
  assert.equal([...dequantize(quantize(X, SHAPE, 'fp32'))], [...X]);
  assert.equal([...dequantize(quantize(X, SHAPE, 'nf4'))], [...dequantizeNF4(quantizeNF4(X))]);
});

test('packed buffers add up to byteLength for every dtype', () => {
  for (const dtype of QUANT_DTYPES) {
    const q = quantize(X, SHAPE, dtype, { blockSize: 32 });
    let sum = 0;
    for (const v of Object.values(q)) if (ArrayBuffer.isView(v)) sum += v.byteLength;
    if (q.dtype === 'nf4-dq') sum += 4; // the float32 mean offset, a plain number field
    assert.is(sum, q.byteLength, dtype);
    assert.is(q.byteLength, theoreticalBytes(N, dtype, { blockSize: 32 }), dtype);
  }
});

test('dequantizeRange equals the slice of dequantize for every dtype', () => {
  for (const dtype of QUANT_DTYPES) {
    const q = quantize(X, SHAPE, dtype);
    const full = dequantize(q);
    const out = new Float32Array(300).fill(9);
    dequantizeRange(q, 1001, 250, out, 25);
    assert.equal([...out.subarray(25, 275)], [...full.subarray(1001, 1251)], dtype);
    assert.is(out[24], 9);
    assert.is(out[275], 9);
  }
  assert.throws(() => dequantizeRange(quantize(X, SHAPE, 'nf4'), N - 1, 2, new Float32Array(2)), /outside/);
});

test('theoretical bytes and bits per parameter by closed form', () => {
  assert.is(theoreticalBytes(1, 'nf4'), 1 + 4);
  assert.is(theoreticalBytes(64, 'nf4'), 32 + 4);
  assert.is(theoreticalBytes(65, 'nf4'), 33 + 8);
  assert.is(theoreticalBytes(65, 'int8'), 65 + 8);
  assert.is(theoreticalBytes(64 * 256, 'nf4-dq'), 8192 + 256 + 4 + 4);
  assert.is(theoreticalBytes(64 * 257, 'nf4-dq'), 8224 + 257 + 8 + 4);
  assert.is(theoreticalBytes(10, 'bf16'), 20);
  assert.is(bitsPerParameter('fp32'), 32);
  assert.is(bitsPerParameter('fp16'), 16);
  assert.is(bitsPerParameter('int8'), 8.5);
  assert.is(bitsPerParameter('fp4'), 4.5);
  assert.is(bitsPerParameter('nf4', { blockSize: 128 }), 4.25);
  assert.is(bitsPerParameter('nf4', { n: 64 }), (8 * 36) / 64);
});

test('unknown dtype and mismatched shape are usage errors', () => {
  try {
    quantize(X, SHAPE, 'int4' as never);
    assert.unreachable();
  } catch (e) {
    assert.instance(e, LedgerLabError);
    assert.match((e as LedgerLabError).problem, 'unknown dtype "int4"');
  }
  assert.throws(() => quantize(X, [10, 10], 'fp16'), /shape \[10, 10\] holds 100 values but 3360 were given/);
});

test('quantErrorStats: hand-checked numbers', () => {
  const s = quantErrorStats([1, 2, -2], [1, 2.5, -1]);
  assert.is(s.n, 3);
  assert.is(s.meanAbsError, 0.5);
  assert.is(s.maxAbsError, 1);
  assert.is(s.rmse, Math.sqrt(1.25 / 3));
  assert.is(s.relativeError, Math.sqrt(1.25 / 9));
  assert.equal(quantErrorStats([0, 0], [0, 0]), { n: 2, meanAbsError: 0, maxAbsError: 0, rmse: 0, relativeError: 0 });
  assert.throws(() => quantErrorStats([1], [1, 2]), /lengths differ/);
});

test('quantReport: one row per dtype with bytes, bits and errors', () => {
  const rows = quantReport('w', X, SHAPE, ['fp16', 'nf4', 'nf4-dq']);
  assert.equal(rows.map((x) => x.dtype), ['fp16', 'nf4', 'nf4-dq']);
  assert.equal(rows.map((x) => x.bytes), [2 * N, N / 2 + 212, N / 2 + 53 + 8]);
  assert.is(rows[1].bitsPerParameter, (8 * (N / 2 + 212)) / N);
  assert.ok(rows[0].relativeError < rows[1].relativeError);
  assert.ok(rows.every((x) => x.name === 'w' && x.n === N));
});

test.run();
