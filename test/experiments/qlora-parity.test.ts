// The equivalence verdict, the labelled projection, the step-time exponent and the quoted published figures.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { pairedBootstrap, type PairedBootstrap } from '../../lib/metrics/bootstrap.ts';
import { equivalence } from '../../lib/experiments/qlora/aggregate.ts';
import { projectMemory, timeExponent, PUBLISHED_MEMORY, PUBLISHED_BITS, type LadderRow } from '../../lib/experiments/qlora/scaling.ts';
import { summarize } from '../../lib/measure/timing.ts';
import { QloraSchema } from '../../lib/experiments/qlora/config.ts';
import { bitsPerParameter } from '../../lib/quant/index.ts';

const pb = (diff: number, lo: number, hi: number): PairedBootstrap => ({ meanA: 10 + diff, meanB: 10, diff, lo, hi, pAGreater: 0.5, level: 0.95, resamples: 1000, n: 40 });

test('equivalent iff the whole interval lies within ±δ (bounds inclusive)', () => {
  assert.is(equivalence(pb(0.3, -1.1, 1.6), 2, 'nf4-dq', 'fp16', 'rouge-l').equivalent, true);
  assert.is(equivalence(pb(0, -2, 2), 2, 'nf4-dq', 'fp16', 'rouge-l').equivalent, true);
  assert.is(equivalence(pb(0.5, -1, 2.0001), 2, 'nf4-dq', 'fp16', 'rouge-l').equivalent, false);
  assert.is(equivalence(pb(-3, -4, -2.5), 2, 'nf4-dq', 'fp16', 'rouge-l').equivalent, false);
  const e = equivalence(pb(0.3, -1.1, 1.6), 2, 'nf4-dq', 'fp16', 'rouge-l');
  assert.is(e.verdict, 'equivalent within ±2.00: rouge-l nf4-dq − fp16 = 0.30 [-1.10, 1.60] lies inside [−2.00, 2.00]');
  assert.is(equivalence(pb(1, -0.5, 2.5), 2, 'nf4-dq', 'fp16', 'rouge-l').verdict,
    'not shown equivalent within ±2.00: rouge-l nf4-dq − fp16 = 1.00 [-0.50, 2.50] reaches outside [−2.00, 2.00]');
});

test('identical systems are equivalent at any δ, unless all zero; a constant shift of 3 is not equivalent at δ 2', () => {
  const zeros = equivalence(pairedBootstrap([0, 0, 0], [0, 0, 0], { seed: 1 }), 2, 'nf4-dq', 'fp16', 'rouge-l');
  assert.equal([zeros.degenerate, zeros.equivalent], [true, false]);
  assert.is(zeros.verdict, 'no evidence: rouge-l is 0 for both nf4-dq and fp16 on every item (the adapters learned nothing scorable; train longer)');
  const a = Array.from({ length: 30 }, (_, i) => (i * 7) % 23);
  assert.is(equivalence(pairedBootstrap(a, a, { seed: 1 }), 0.01, 'a', 'b', 'm').equivalent, true);
  const shifted = equivalence(pairedBootstrap(a.map((x) => x + 3), a, { seed: 1 }), 2, 'a', 'b', 'm');
  assert.equal([shifted.diff, shifted.lo, shifted.hi, shifted.equivalent], [3, 3, 3, false]);
});

const row = (params: number, dtype: 'fp16' | 'nf4-dq', ms: number, bytes: number, n: number): LadderRow => ({
  layers: 1, dModel: 64, params, linearParams: n, dtype, trainableParams: 0, linearBytesTheoretical: bytes, linearBytesMeasured: bytes,
  frozenBytes: 0, stateBytes: 0, stepMs: summarize([ms]), tokensPerS: 0, dequantMsPerStep: 0, peakTensorBytes: 0, transientBytes: 0, peakBytes: 0,
});

test('projection: measured bytes/param of the largest rung × LLaMA sizes + exact LoRA state, labelled PROJECTION', () => {
  const rows = [row(1e5, 'nf4-dq', 10, 1000, 2000), row(1e6, 'fp16', 40, 2 * 16384, 16384), row(1e6, 'nf4-dq', 50, 8448, 16384)];
  const p = projectMemory(rows, { r: 8, targets: 3 });
  assert.equal(p.map((x) => `${x.model}/${x.dtype}`), ['7B/fp16', '7B/nf4-dq', '13B/fp16', '13B/nf4-dq', '65B/fp16', '65B/nf4-dq']);
  assert.ok(p.every((x) => x.label === 'PROJECTION'));
  const q7 = p[1]!;
  assert.is(q7.bytesPerParam, 8448 / 16384); // 4.125 bits
  assert.ok(Math.abs(q7.weightsGB - 6.7e9 * 0.515625 / 1e9) < 1e-12);
  assert.is(q7.loraParams, 32 * 3 * 8 * 2 * 4096);          // 6,291,456
  assert.ok(Math.abs(q7.adapterStateGB - 0.100663296) < 1e-12); // × 16 bytes
  assert.ok(Math.abs(p[0]!.weightsGB - 13.4) < 1e-9);        // 6.7e9 × 2 bytes
  assert.is(p[5]!.loraParams, 80 * 3 * 8 * 2 * 8192);
  assert.equal(projectMemory([], { r: 8, targets: 3 }), []);
});

test('time exponent: the log-log slope per dtype', () => {
  const rows = [1e4, 1e5, 1e6].flatMap((n) => [row(n, 'fp16', 2 * n ** 1.5, 1, 1), row(n, 'nf4-dq', 5 * n ** 0.5, 1, 1)]);
  const k = timeExponent(rows);
  assert.ok(Math.abs(k.fp16! - 1.5) < 1e-9 && Math.abs(k['nf4-dq']! - 0.5) < 1e-9, JSON.stringify(k));
  assert.equal(timeExponent([row(1e4, 'fp16', 3, 1, 1)]), {});
});

test('published constants are quoted with sources and match the issue', () => {
  const gb = (model: string, setup: string) => PUBLISHED_MEMORY.find((p) => p.model === model && p.setup.startsWith(setup))!.gb;
  assert.is(gb('7B', 'LoRA, 16-bit'), 16);
  assert.is(gb('7B', 'QLoRA, 4-bit'), 6);
  assert.is(gb('65B', 'QLoRA (NF4'), 48);
  assert.ok(PUBLISHED_MEMORY.every((p) => p.source.length > 10));
  assert.is(PUBLISHED_BITS['nf4-dq'], 4.127);
  assert.is(Number(bitsPerParameter('nf4-dq').toFixed(3)), PUBLISHED_BITS['nf4-dq']);
});

test('config: defaults, δ stated, unknown keys located', () => {
  const c = QloraSchema.parse({});
  assert.equal(c.dtypes, ['fp32', 'fp16', 'bf16', 'int8', 'fp4', 'nf4', 'nf4-dq']);
  assert.equal(c.parity, { a: 'nf4-dq', b: 'fp16', metric: 'rouge-l', delta: 2 });
  assert.is(c.method.method, 'lora');
  assert.throws(() => QloraSchema.parse({ parity: { delta: 0 } }), /parity\.delta/);
  assert.throws(() => QloraSchema.parse({ dtypes: ['nf3'] }), /dtypes\[0\]: expected one of fp32/);
  assert.throws(() => QloraSchema.parse({ scaling: { ladder: [{ layers: 1, dModel: 32, heads: 2, width: 3 }] } }), /scaling\.ladder\[0\]\.width: unknown key/);
});

test.run();
