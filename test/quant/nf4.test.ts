import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { quantizeNF4, dequantizeNF4, NF4_TABLE, codeAt, theoreticalBytes } from '../../lib/quant/index.ts';
import { LedgerLabError } from '../../lib/errors.ts';
import { Rng } from '../../lib/util/index.ts';

const f = Math.fround;

function normals(n: number, seed: number, scale = 1): Float32Array {
  const r = new Rng(seed);
  return Float32Array.from({ length: n }, () => r.normal() * scale);
}

test('packing: first element in the high nibble, second in the low nibble', () => {
  const q = quantizeNF4([0.5, -1, 0.25, 0]);
  assert.equal([...q.codes], [0xc0, 0xa7]);
  assert.equal([...q.absmax], [1]);
  assert.equal([codeAt(q.codes, 0), codeAt(q.codes, 1), codeAt(q.codes, 2), codeAt(q.codes, 3)], [12, 0, 10, 7]);
  assert.equal([...dequantizeNF4(q)], [NF4_TABLE[12], -1, NF4_TABLE[10], 0]);
  assert.equal(q.shape, [4]);
  assert.is(q.n, 4);
  assert.is(q.blockSize, 64);
});

test('hand case with absmax 4: values scaled by the float32 reciprocal, codes by the tree', () => {
  // x/4 = [1, -0.25, 0.1, -0.7, 0.6] → codes 15; 4 (-0.2844 is nearer than -0.1848); 8 (0.0796 is nearer than
  // 0.1609); 1 (-0.6962); 13 (0.5626).
  const q = quantizeNF4([4, -1, 0.4, -2.8, 2.4]);
  assert.equal([0, 1, 2, 3, 4].map((i) => codeAt(q.codes, i)), [15, 4, 8, 1, 13]);
  assert.equal([...q.absmax], [4]);
  assert.equal([...dequantizeNF4(q)], [4, f(NF4_TABLE[4] * 4), f(NF4_TABLE[8] * 4), f(NF4_TABLE[1] * 4), f(NF4_TABLE[13] * 4)]);
});

test('odd length: the tail nibble is the code of 0 (7) and codes has ceil(n/2) bytes', () => {
  const q = quantizeNF4([1, 0.5, -0.25]);
  assert.is(q.codes.length, 2);
  assert.is(q.codes[1] & 0x0f, 7);
  assert.is(q.codes[1] >> 4, 4); // -0.25 → -0.2844 (code 4)
  assert.is(dequantizeNF4(q).length, 3);
});

test('blocks: one absmax per 64 values, the short last block uses only its own values', () => {
  const x = new Float32Array(130);
  x[10] = -3; x[70] = 0.5; x[129] = 7; x[128] = -8;
  const q = quantizeNF4(x);
  assert.equal([...q.absmax], [3, 0.5, 8]);
  const y = dequantizeNF4(q);
  assert.is(y[10], -3);
  assert.is(y[70], 0.5);
  assert.is(y[128], -8);
  assert.is(codeAt(q.codes, 129), 15); // 7/8 = 0.875 is above the 14|15 threshold 0.8615
  assert.is(y[129], 8);
});

test('an all-zero block keeps absmax 0 and decodes to zeros (code 0, as bitsandbytes: 0·(1/0) is NaN)', () => {
  const q = quantizeNF4(new Float32Array(64));
  assert.equal([...q.absmax], [0]);
  assert.ok(q.codes.every((b) => b === 0));
  assert.ok(dequantizeNF4(q).every((v) => v === 0));
});

test('round trip: |x − x̂| ≤ half the table gap around x/absmax, times absmax', () => {
  for (const blockSize of [64, 32, 128, 256]) {
    const n = 64 * 37 + 17;
    const x = normals(n, blockSize, 0.02);
    const q = quantizeNF4(x, { blockSize });
    const y = dequantizeNF4(q);
    for (let i = 0; i < n; i++) {
      const a = q.absmax[Math.floor(i / blockSize)];
      const s = x[i] / a;
      let k = 0;
      while (k < 14 && s > NF4_TABLE[k + 1]) k++;
      const halfGap = (NF4_TABLE[k + 1] - NF4_TABLE[k]) / 2;
      const err = Math.abs(x[i] - y[i]);
      assert.ok(err <= halfGap * a * (1 + 1e-6) + 1e-12, `block ${blockSize}, i=${i}: ${err} > ${halfGap * a}`);
    }
  }
});

test('every dequantized value is exactly the float32 product table[code] · absmax', () => {
  const x = normals(1000, 3);
  const q = quantizeNF4(x);
  const y = dequantizeNF4(q);
  for (let i = 0; i < x.length; i++) assert.is(y[i], f(NF4_TABLE[codeAt(q.codes, i)] * q.absmax[i >> 6]));
});

test('packed size is exactly ceil(n/2) bytes of codes + 4 bytes per block of absmax', () => {
  for (const n of [1, 2, 63, 64, 65, 128, 1000, 4097]) {
    const q = quantizeNF4(normals(n, n));
    assert.is(q.codes.byteLength, Math.ceil(n / 2), `codes n=${n}`);
    assert.is(q.absmax.byteLength, 4 * Math.ceil(n / 64), `absmax n=${n}`);
    assert.is(q.byteLength, Math.ceil(n / 2) + 4 * Math.ceil(n / 64));
    assert.is(q.byteLength, theoreticalBytes(n, 'nf4'));
  }
  assert.is(quantizeNF4(new Float32Array(4096)).byteLength, 2048 + 256);
});

test('codes are invariant under power-of-two scaling; absmax scales', () => {
  const x = normals(256, 9);
  const a = quantizeNF4(x);
  const b = quantizeNF4(x.map((v) => v * 8));
  assert.equal([...b.codes], [...a.codes]);
  assert.equal([...b.absmax], [...a.absmax].map((v) => v * 8));
});

test('shape is kept; bad input fails with located usage errors', () => {
  assert.equal(quantizeNF4(new Float32Array(6), { shape: [2, 3] }).shape, [2, 3]);
  const err = (fn: () => unknown): LedgerLabError => {
    try { fn(); } catch (e) { assert.instance(e, LedgerLabError); return e as LedgerLabError; }
    throw new Error('expected an error');
  };
  const e1 = err(() => quantizeNF4([1, NaN, 2]));
  assert.is(e1.kind, 'usage');
  assert.match(e1.problem, 'value [1] is NaN');
  assert.is(e1.where, 'quantizeNF4');
  assert.match(err(() => quantizeNF4([1, 2, 3], { blockSize: 63 })).problem, 'blockSize is 63');
  assert.match(err(() => quantizeNF4([1, 2, 3], { shape: [2, 2] })).problem, 'shape [2, 2] holds 4 values but 3 were given');
  assert.match(err(() => quantizeNF4([1, Infinity])).problem, 'value [1] is Infinity');
});

test.run();
