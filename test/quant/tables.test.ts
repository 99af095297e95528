import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  NF4_TABLE, NF4_THRESHOLDS, FP4_TABLE, FP4_MAGNITUDES, DYNAMIC_MAP_SIGNED, nf4Code, fp4Code,
} from '../../lib/quant/index.ts';
import { dynamicCode } from '../../lib/quant/dynamic8.ts';

const f = Math.fround;

/** Nearest index in a sorted table, ties to the lower index. */
function nearest(table: ArrayLike<number>, x: number): number {
  let best = 0;
  for (let i = 1; i < table.length; i++) if (Math.abs(x - table[i]) < Math.abs(x - table[best])) best = i;
  return best;
}

test('NF4 table: the 16 bitsandbytes constants as float32, sorted, exact -1, 0 and 1', () => {
  const expected = [
    -1.0, -0.6961928009986877, -0.5250730514526367, -0.39491748809814453, -0.28444138169288635,
    -0.18477343022823334, -0.09105003625154495, 0.0, 0.07958029955625534, 0.16093020141124725,
    0.24611230194568634, 0.33791524171829224, 0.44070982933044434, 0.5626170039176941, 0.7229568362236023, 1.0,
  ];
  assert.is(NF4_TABLE.length, 16);
  expected.forEach((v, i) => assert.is(NF4_TABLE[i], f(v), `code ${i}`));
  // The printed constants are already float32 values (bitsandbytes printed float32 tensors).
  expected.forEach((v, i) => assert.is(f(v), v, `constant ${i} is a float32`));
  for (let i = 1; i < 16; i++) assert.ok(NF4_TABLE[i] > NF4_TABLE[i - 1]);
  assert.is(NF4_TABLE[0], -1);
  assert.is(NF4_TABLE[7], 0);
  assert.is(NF4_TABLE[15], 1);
});

test('NF4 decision thresholds are the midpoints of neighbouring codes (to float32)', () => {
  for (let i = 0; i < 15; i++) {
    const mid = (NF4_TABLE[i] + NF4_TABLE[i + 1]) / 2;
    assert.ok(Math.abs(NF4_THRESHOLDS[i] - mid) < 1e-7, `threshold ${i}: ${NF4_THRESHOLDS[i]} vs ${mid}`);
  }
});

test('nf4Code: every table value maps to its own code; ties (exact thresholds) go to the lower code', () => {
  for (let c = 0; c < 16; c++) assert.is(nf4Code(NF4_TABLE[c]), c);
  for (let i = 0; i < 15; i++) {
    const t = NF4_THRESHOLDS[i];
    assert.is(nf4Code(t), i, `x = threshold ${i}`);
    // The next float32 above the threshold already belongs to the upper code.
    const above = new Float32Array([t]);
    new Int32Array(above.buffer)[0] += t > 0 ? 1 : -1;
    assert.is(nf4Code(above[0]), i + 1, `just above threshold ${i}`);
  }
  assert.is(nf4Code(-5), 0);
  assert.is(nf4Code(5), 15);
  assert.is(nf4Code(NaN), 0, 'NaN falls through every > test, as on the GPU');
});

test('nf4Code agrees with a brute-force nearest search on a dense grid', () => {
  for (let k = -20000; k <= 20000; k++) {
    const x = f(k / 20000 + 1e-9);
    assert.is(nf4Code(x), nearest(NF4_TABLE, x), `x = ${x}`);
  }
});

test('FP4 table: e2m1 values [0, 0.0625, 8, 12, 4, 6, 2, 3] / 12 by code, sign in bit 3', () => {
  const unscaled = [0, 0.0625, 8, 12, 4, 6, 2, 3];
  unscaled.forEach((v, c) => assert.is(FP4_MAGNITUDES[c], f(v / 12), `magnitude ${c}`));
  for (let c = 0; c < 8; c++) {
    assert.is(FP4_TABLE[c], FP4_MAGNITUDES[c]);
    assert.is(FP4_TABLE[c + 8], -FP4_MAGNITUDES[c]);
  }
  assert.ok(Object.is(FP4_TABLE[8], -0), 'code 8 is -0');
});

test('fp4Code: nearest magnitude with the kernel thresholds, sign from x < 0', () => {
  for (let c = 0; c < 16; c++) {
    if (c === 8) continue; // -0 compares equal to 0 and gets code 0
    assert.is(fp4Code(FP4_TABLE[c]), c, `value of code ${c}`);
  }
  assert.is(fp4Code(-0), 0);
  assert.is(fp4Code(f(0.29166667)), 0b0111, 'tie between 3/12 and 4/12 goes to the smaller magnitude');
  assert.is(fp4Code(-f(0.29166667)), 0b1111);
  assert.is(fp4Code(0.3), 0b0100);
  assert.is(fp4Code(0.9), 0b0011);
  assert.is(fp4Code(0.002), 0b0000);
  assert.is(fp4Code(0.003), 0b0001);
  assert.is(fp4Code(-0.7), 0b1010);
  const sorted = [...FP4_MAGNITUDES].sort((a, b) => a - b);
  for (let k = 0; k <= 10000; k++) {
    const x = f(k / 10000 + 1e-9);
    assert.is(FP4_MAGNITUDES[fp4Code(x)], sorted[nearest(sorted, x)], `x = ${x}`);
  }
});

test('signed dynamic map: 256 sorted values, -0.99296875 … 0 … 1, exact entries from the formula', () => {
  const m = DYNAMIC_MAP_SIGNED;
  assert.is(m.length, 256);
  for (let i = 1; i < 256; i++) assert.ok(m[i] > m[i - 1], `sorted at ${i}`);
  assert.is(m[0], f(-0.99296875));
  assert.is(m[127], 0);
  assert.is(m[255], 1);
  assert.is(m[254], f(0.99296875));
  // Smallest magnitude: 1e-6 · mean of linspace(0.1, 1, 2) = 1e-6 · 0.55.
  assert.is(m[128], f(1e-6 * f(0.55)));
  assert.is(m[126], -m[128]);
  // Symmetric except the extra +1.0.
  for (let i = 0; i < 127; i++) assert.is(m[i], -m[254 - i], `symmetry ${i}`);
});

test('dynamicCode (kernel binary search) equals nearest search, exact entries map to themselves', () => {
  const m = DYNAMIC_MAP_SIGNED;
  for (let i = 0; i < 256; i++) assert.is(dynamicCode(m, m[i]), i, `entry ${i}`);
  for (let k = -5000; k <= 5000; k++) {
    const x = f(k / 5000 + 3e-7);
    const c = dynamicCode(m, x);
    const d = Math.abs(x - m[c]);
    assert.ok(d <= Math.abs(x - m[nearest(m, x)]), `x = ${x}: code ${c}`);
  }
  assert.is(dynamicCode(m, 1), 255);
  assert.is(dynamicCode(m, -1), 0);
});

test.run();
