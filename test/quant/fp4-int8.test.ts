import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  quantizeFP4, dequantizeFP4, quantizeInt8, dequantizeInt8, FP4_TABLE, FP4_MAGNITUDES, codeAt,
} from '../../lib/quant/index.ts';
import { rint } from '../../lib/quant/int8.ts';
import { Rng } from '../../lib/util/index.ts';

const f = Math.fround;

test('FP4 hand case: codes, high-nibble-first packing, float32 products', () => {
  const q = quantizeFP4([12, -6, 3, 1.2, -0.05, 0]);
  // /12 → [1, -0.5, 0.25, 0.1, -0.00417, 0]: codes 0b0011, 0b1101, 0b0111, 0b0110, 0b1001, 0b0000
  assert.equal([0, 1, 2, 3, 4, 5].map((i) => codeAt(q.codes, i)), [0b0011, 0b1101, 0b0111, 0b0110, 0b1001, 0b0000]);
  assert.equal([...q.codes], [0x3d, 0x76, 0x90]);
  assert.equal([...q.absmax], [12]);
  assert.equal([...dequantizeFP4(q)], [12, -6, 3, f(FP4_MAGNITUDES[6] * 12), f(-FP4_MAGNITUDES[1] * 12), 0]);
});

test('FP4 odd tail pads with code 0 (+0); size = ceil(n/2) + 4 per block', () => {
  const q = quantizeFP4([1, 2, 3]);
  assert.is(q.codes.length, 2);
  assert.is(q.codes[1] & 0x0f, 0);
  assert.is(quantizeFP4(new Float32Array(129)).byteLength, 65 + 12);
});

test('FP4 round trip: error ≤ half the gap of the e2m1 grid around |x|/absmax, times absmax', () => {
  const r = new Rng(4);
  const x = Float32Array.from({ length: 64 * 40 }, () => r.normal());
  const q = quantizeFP4(x);
  const y = dequantizeFP4(q);
  const grid = [...FP4_MAGNITUDES].sort((a, b) => a - b);
  for (let i = 0; i < x.length; i++) {
    const a = q.absmax[i >> 6];
    const s = Math.abs(x[i]) / a;
    let k = 0;
    while (k < grid.length - 2 && s > grid[k + 1]) k++;
    const bound = ((grid[k + 1] - grid[k]) / 2) * a * (1 + 1e-6);
    assert.ok(Math.abs(x[i] - y[i]) <= bound, `i=${i}`);
    assert.ok(Math.sign(y[i]) === 0 || Math.sign(y[i]) === Math.sign(x[i]), `sign kept at ${i}`);
  }
  for (let i = 0; i < x.length; i++) assert.is(y[i], f(FP4_TABLE[codeAt(q.codes, i)] * q.absmax[i >> 6]));
});

test('rint rounds half to even', () => {
  assert.equal([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6].map(rint), [0, 2, 2, -0, -2, -2, 2, -3]);
});

test('int8 hand case: q = rint(x · 127/absmax), x̂ = q · absmax/127', () => {
  const q = quantizeInt8([1, -0.5, 0.25, 0.0039370078740157]);
  assert.equal([...q.codes], [127, -64, 32, 0]); // -63.5 → -64 (even), 31.75 → 32, 0.5 → 0 (even)
  assert.equal([...q.absmax], [1]);
  const step = f(1 / 127);
  assert.equal([...dequantizeInt8(q)], [f(127 * step), f(-64 * step), f(32 * step), 0]);
});

test('int8: symmetric codes in [-127, 127], error ≤ absmax/254 (+ float32 rounding), exact size', () => {
  const r = new Rng(8);
  const n = 64 * 30 + 7;
  const x = Float32Array.from({ length: n }, () => r.normal() * 3);
  const q = quantizeInt8(x, { blockSize: 64 });
  const y = dequantizeInt8(q);
  for (let i = 0; i < n; i++) {
    const a = q.absmax[i >> 6];
    assert.ok(q.codes[i] >= -127 && q.codes[i] <= 127);
    assert.ok(Math.abs(x[i] - y[i]) <= (a / 254) * (1 + 1e-5), `i=${i}`);
  }
  assert.is(q.byteLength, n + 4 * Math.ceil(n / 64));
  // Each block's extreme value maps to ±127 exactly.
  for (let b = 0; b < q.absmax.length; b++) {
    const block = [...q.codes.subarray(b * 64, (b + 1) * 64)];
    assert.is(Math.max(...block.map(Math.abs)), 127);
  }
});

test('int8: an all-zero block gives zero codes and zeros back', () => {
  const q = quantizeInt8(new Float32Array(10));
  assert.ok(q.codes.every((c) => c === 0));
  assert.ok(dequantizeInt8(q).every((v) => v === 0));
});

test.run();
