import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  quantizeNF4, quantizeNF4DQ, dequantizeNF4DQ, absmaxOfBlocks, NF4_TABLE, DYNAMIC_MAP_SIGNED, codeAt,
  bitsPerParameter, theoreticalBytes, dequantizeRange,
} from '../../lib/quant/index.ts';
import { Rng } from '../../lib/util/index.ts';

const f = Math.fround;

function normals(n: number, seed: number, scale = 1): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: n }, () => r.normal() * scale);
}

test('hand case: absmax [1, 2, 3] → mean 2, centred [-1, 0, 1] → dynamic codes [0, 127, 255]', () => {
  const x = new Float32Array(192);
  x[0] = 1; x[64] = -2; x[128] = 3;
  const q = quantizeNF4DQ(x);
  assert.is(q.absmaxOffset, 2);
  assert.equal([...q.absmax2], [1]);
  assert.equal([...q.absmaxCodes], [0, 127, 255]);
  // The signed map has no -1: its most negative entry is -0.99296875, so block 0's absmax comes back larger.
  assert.equal([...absmaxOfBlocks(q)], [f(DYNAMIC_MAP_SIGNED[0] + 2), 2, 3]);
  assert.equal([...absmaxOfBlocks(q)], [f(2 - 0.99296875), 2, 3]);
  const y = dequantizeNF4DQ(q);
  assert.is(y[0], f(2 - 0.99296875));
  assert.is(y[64], -2);
  assert.is(y[128], 3);
});

test('the 4-bit codes are exactly plain NF4 codes; only the absmax storage changes', () => {
  const x = normals(64 * 300 + 5, 1, 0.05);
  const a = quantizeNF4(x);
  const b = quantizeNF4DQ(x);
  assert.equal(b.codes, a.codes);
  assert.is(b.absmaxCodes.length, a.absmax.length);
  assert.is(b.absmax2.length, Math.ceil(a.absmax.length / 256));
});

test('absmax round trip: error ≤ half the widest dynamic-map gap (0.00703125) × second-level absmax', () => {
  for (const seed of [1, 2, 3]) {
    const r = new Rng(seed * 7);
    // Blocks of different scales so the absmax values spread out.
    const x = Float32Array.from({ length: 64 * 700 }, (_, i) => r.normal() * (0.01 + (Math.floor(i / 640) % 5) * 0.02));
    const q = quantizeNF4DQ(x);
    const exact = quantizeNF4(x).absmax;
    const rebuilt = absmaxOfBlocks(q);
    let mean = 0;
    for (const v of exact) mean += v;
    mean /= exact.length;
    assert.is(q.absmaxOffset, f(mean));
    for (let b = 0; b < exact.length; b++) {
      const a2 = q.absmax2[Math.floor(b / 256)];
      const err = Math.abs(rebuilt[b] - exact[b]);
      assert.ok(err <= 0.00703125 * a2 * (1 + 1e-6) + 1e-9, `block ${b}: ${err}`);
    }
  }
});

test('dequantized value = NF4_TABLE[code] · rebuilt absmax, in float32', () => {
  const x = normals(64 * 20, 5, 0.1);
  const q = quantizeNF4DQ(x);
  const am = absmaxOfBlocks(q);
  const y = dequantizeNF4DQ(q);
  for (let i = 0; i < x.length; i++) assert.is(y[i], f(NF4_TABLE[codeAt(q.codes, i)] * am[i >> 6]));
});

test('range dequantization (tiles) equals the slice of the full dequantization', () => {
  const x = normals(64 * 600 + 33, 11, 0.1);
  const q = quantizeNF4DQ(x, { shape: [x.length] });
  const full = dequantizeNF4DQ(q);
  for (const [s, c] of [[0, 1], [63, 2], [100, 5000], [64 * 256 - 3, 700], [x.length - 40, 40]]) {
    const part = dequantizeRange(q, s, c, new Float32Array(c));
    assert.equal([...part], [...full.subarray(s, s + c)], `range ${s}+${c}`);
  }
});

test('a single block has zero centred absmax: absmax2 = 0 and the absmax comes back exactly', () => {
  const q = quantizeNF4DQ([0.5, -0.25, 0.1]);
  assert.equal([...q.absmax2], [0]);
  assert.is(q.absmaxOffset, 0.5);
  assert.equal([...absmaxOfBlocks(q)], [0.5]);
});

test('bits per parameter: 4 + 8/64 + 32/(64·256) = 4.126953125 with DQ, 4 + 32/64 = 4.5 without', () => {
  assert.is(bitsPerParameter('nf4-dq'), 4.126953125);
  assert.is(bitsPerParameter('nf4'), 4.5);
  assert.is(bitsPerParameter('nf4-dq', { blockSize: 64, blockSize2: 256 }), 4 + 8 / 64 + 32 / (64 * 256));
  assert.is(bitsPerParameter('nf4-dq', { blockSize: 128 }), 4 + 8 / 128 + 32 / (128 * 256));
  // Exact size of a tensor: codes + one byte per block + 4 bytes per 256 blocks + the 4-byte offset.
  const n = 64 * 256 * 4;
  const q = quantizeNF4DQ(normals(n, 2));
  assert.is(q.byteLength, n / 2 + n / 64 + 4 * 4 + 4);
  assert.is(q.byteLength, theoreticalBytes(n, 'nf4-dq'));
  assert.is(bitsPerParameter('nf4-dq', { n }), (8 * (n / 2 + n / 64 + 20)) / n);
  assert.is(quantizeNF4DQ(normals(1000, 3)).byteLength, 500 + 16 + 4 + 4);
  assert.is(theoreticalBytes(1000, 'nf4-dq'), 524);
});

test.run();
