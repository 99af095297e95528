import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  f32ToF16Bits, f16BitsToF32, f32ToBf16Bits, bf16BitsToF32, encodeF16, decodeF16, encodeBf16, decodeBf16,
} from '../../lib/quant/index.ts';
import { f32Bits, f32FromBits } from '../../lib/quant/half.ts';

interface Case { f32: string; f16: string; bf16: string }
const fixture = JSON.parse(readFileSync(join(import.meta.dirname, 'fixtures', 'half-bits.json'), 'utf8')) as { torch: string; cases: Case[] };

test('fp16 known bit patterns: ties to even, overflow, subnormals, signed zero, Inf/NaN', () => {
  const cases: Array<[number, number]> = [
    [0, 0x0000], [-0, 0x8000], [1, 0x3c00], [-2, 0xc000], [0.5, 0x3800], [65504, 0x7bff],
    [65519, 0x7bff], // below the halfway point 65520
    [65520, 0x7c00], // halfway to 65536: ties to even → Inf
    [1e6, 0x7c00], [-1e6, 0xfc00], [Infinity, 0x7c00], [-Infinity, 0xfc00],
    [2 ** -14, 0x0400], // smallest normal
    [2 ** -24, 0x0001], // smallest subnormal
    [2 ** -25, 0x0000], // tie between 0 and 2^-24 → even (0)
    [2 ** -25 * 1.0000001, 0x0001],
    [1.5 * 2 ** -24, 0x0002], // tie between 1 and 2 units → 2
    [2.5 * 2 ** -24, 0x0002], // tie between 2 and 3 units → 2
    [1023.5 * 2 ** -24, 0x0400], // tie between largest subnormal and smallest normal → 0x400 (even)
    [1 + 2 ** -11, 0x3c00], // tie → even mantissa 0
    [1 + 3 * 2 ** -11, 0x3c02], // tie → even mantissa 2
    [1 / 3, 0x3555], [0.1, 0x2e66],
  ];
  for (const [x, bits] of cases) assert.is(f32ToF16Bits(x), bits, `f16(${x})`);
  assert.is(f32ToF16Bits(NaN), 0x7e00);
  assert.is(f32ToF16Bits(f32FromBits(0xffc00000)), 0xfe00);
});

test('bf16 known bit patterns', () => {
  const cases: Array<[number, number]> = [
    [0, 0x0000], [-0, 0x8000], [1, 0x3f80], [-1, 0xbf80], [1 + 2 ** -8, 0x3f80], [1 + 3 * 2 ** -8, 0x3f82],
    [1 + 2 ** -8 + 2 ** -20, 0x3f81], [Infinity, 0x7f80], [-Infinity, 0xff80],
    [3.4028234663852886e38, 0x7f80], // max float32 rounds up to Inf
    [0.1, 0x3dcd], [1e-40, 0x0001], // float32 subnormal 0x000116c2 → 0x0001
  ];
  for (const [x, bits] of cases) assert.is(f32ToBf16Bits(x), bits, `bf16(${x})`);
  assert.is(f32ToBf16Bits(NaN), 0x7fc0);
});

test(`every case of the torch fixture (${fixture.cases.length} values, torch ${fixture.torch}) rounds to the same bits`, () => {
  let nans = 0;
  for (const c of fixture.cases) {
    const x = f32FromBits(parseInt(c.f32, 16));
    assert.is(f32Bits(x), parseInt(c.f32, 16));
    if (Number.isNaN(x)) {
      // torch's vectorized CPU kernel writes 0xffff for a bf16 NaN, its scalar path 0x7fc0: both are NaN.
      nans++;
      assert.ok(Number.isNaN(bf16BitsToF32(f32ToBf16Bits(x))));
      assert.ok(Number.isNaN(bf16BitsToF32(parseInt(c.bf16, 16))));
      assert.is(f32ToF16Bits(x), parseInt(c.f16, 16), `f16 of NaN ${c.f32}`);
      continue;
    }
    assert.is(f32ToF16Bits(x), parseInt(c.f16, 16), `f16 of ${c.f32} (${x})`);
    assert.is(f32ToBf16Bits(x), parseInt(c.bf16, 16), `bf16 of ${c.f32} (${x})`);
  }
  assert.ok(nans >= 1);
  assert.ok(fixture.cases.length > 400);
});

test('decode: every finite fp16 pattern round-trips through float32 exactly', () => {
  for (let h = 0; h < 0x10000; h++) {
    const exp = (h >> 10) & 0x1f;
    const v = f16BitsToF32(h);
    if (exp === 0x1f) {
      assert.ok(h & 0x3ff ? Number.isNaN(v) : Math.abs(v) === Infinity);
      continue;
    }
    assert.is(f32ToF16Bits(v), h, `pattern ${h.toString(16)}`);
  }
});

test('decode: bf16 patterns are the top half of float32; arrays and ranges', () => {
  assert.is(bf16BitsToF32(0x3f80), 1);
  assert.is(bf16BitsToF32(0xc0a0), -5);
  for (let h = 0; h < 0x10000; h += 7) {
    const v = bf16BitsToF32(h);
    if (!Number.isNaN(v)) assert.is(f32ToBf16Bits(v), h);
  }
  const x = Float32Array.from([1, -2.5, 0.1, 65504, 3e-8]);
  const h16 = encodeF16(x);
  assert.equal([...h16], [0x3c00, 0xc100, 0x2e66, 0x7bff, 0x0001]);
  assert.equal([...decodeF16(h16)], [1, -2.5, f16BitsToF32(0x2e66), 65504, 2 ** -24]);
  assert.equal([...decodeF16(h16, 1, 2)], [-2.5, f16BitsToF32(0x2e66)]);
  const b16 = encodeBf16(x);
  assert.equal([...decodeBf16(b16, 0, 2)], [1, -2.5]);
  assert.is(decodeBf16(b16)[2], bf16BitsToF32(0x3dcd));
});

test.run();
