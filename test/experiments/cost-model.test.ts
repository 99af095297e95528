import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  countStep, peakMemory, fitDevice, predictStepTime, storageBytesPerElement, DEVICES, predictChatglm2, advertiseGenLengths,
  lengthStats, CHATGLM2_6B, type ModelShape, type CostRecipe, type CostBatchStats, type CostCell, type Device,
} from '../../lib/experiments/cost-model/index.ts';
import { theoreticalBytes } from '../../lib/quant/tensor.ts';
import { LedgerLabError } from '../../lib/errors.ts';

const close = (a: number, b: number, rel = 1e-12, msg = '') => assert.ok(Math.abs(a - b) <= rel * Math.max(1, Math.abs(b)), `${msg} ${a} vs ${b}`);

// One block, d = 4, 2 heads (head dim 2, no grouping), ffn 8, vocab 10, tied head; LoRA r 1 on q; fp32; one
// sequence padded to 3 positions of which 2 are real.
const TINY: ModelShape = { arch: 'gpt2', layers: 1, d: 4, heads: 2, kvHeads: 2, ffn: 8, vocab: 10, tiedHead: true };
const LORA1: CostRecipe = { method: { method: 'lora', r: 1, targets: ['q'] }, checkpoint: false, storage: 'fp32', compute: 'fp32' };
const BATCH: CostBatchStats = { batchSize: 1, realTokens: 2, paddedLength: 3 };

test('one block, one recipe: FLOPs, bytes and kernels written out by hand', () => {
  const c = countStep(TINY, LORA1, BATCH);
  // N = 1·3 positions. Linears q,k,v,o 4×4 (16 each), up 4×8, down 8×4: Σ in·out = 64 + 32 + 32 = 128.
  const linear = 2 * 3 * 128; // 768
  const lora = 2 * 3 * 1 * (4 + 4); // A: 4→1, B: 1→4 = 48
  const attn = 4 * 1 * 3 * (0 + 3) * 4; // QKᵀ + AV over 3 keys, no prefix = 144
  const head = 2 * 3 * 4 * 10; // 240
  assert.is(c.flops.forward, linear + lora + attn + head); // 1200
  assert.is(c.flops.backwardInput, linear + lora + 2 * attn + head); // 1344: input grads through every weight
  assert.is(c.flops.backwardWeight, lora); // 48: only the adapter's weights get gradients
  assert.is(c.flops.recompute, 0);
  assert.is(c.flops.total, 2592);
  assert.equal(c.padding, { positions: 1, flops: 2592 / 3 });
  // weights: block read twice (forward, backward) in fp32 + embedding/head matrix read twice = 2·128·4 + 2·40·4
  assert.is(c.bytes.weights, 1344);
  assert.is(c.bytes.dequant, 0);
  // stash per position 6·4 + 2·4 + 2 heads·3 + 2·8 + r 1 = 55; ×3 positions; 4 passes (keep w/r, grads w/r) + logits 4·3·10; ×4 bytes
  assert.is(c.bytes.activations, 4 * (4 * 3 * 55 + 4 * 3 * 10)); // 3120
  assert.is(c.trainableParams, 8);
  assert.is(c.bytes.optimizer, 28 * 8);
  assert.is(c.bytes.total, 1344 + 3120 + 224);
  // block kernels: 6 linears + 2 LoRA + 2 attention matmuls + 6 elementwise = 16; + 3 head/loss = 19; ×3 (fwd + 2× bwd) + 2 Adam tensors
  assert.is(c.kernels, 59);
});

test('peak memory of the same case, by hand', () => {
  const m = peakMemory(TINY, LORA1, BATCH);
  assert.equal(m, {
    weights: 128 * 4 + 40 * 4, // block linears + the tied embedding, fp32
    trainable: 4 * 8, grads: 4 * 8, adam: 8 * 8,
    activations: 4 * (3 * 55 + 2 * 3 * 10), // one block's stash + logits and their gradient
    total: 672 + 32 + 32 + 64 + 900,
  });
});

test('checkpointing adds exactly one forward of the blocks (not of the head)', () => {
  for (const method of [LORA1.method, { method: 'ptuning-v2', prefix: 5 } as const, { method: 'full' } as const]) {
    const off = countStep(TINY, { ...LORA1, method }, BATCH);
    const on = countStep(TINY, { ...LORA1, method, checkpoint: true }, BATCH);
    const head = 2 * 3 * 4 * 10;
    assert.is(on.flops.recompute, off.flops.forward - head);
    assert.is(on.flops.total - off.flops.total, off.flops.forward - head);
    assert.is(on.flops.forward, off.flops.forward);
  }
});

test('LoRA weight-gradient FLOPs scale linearly with r; P-Tuning has none beyond the attention backward', () => {
  const wg = (r: number) => countStep(CHATGLM2_6B, { ...LORA1, method: { method: 'lora', r, targets: ['q', 'k', 'v'] } }, { batchSize: 4, realTokens: 600, paddedLength: 177 }).flops.backwardWeight;
  assert.is(wg(2), 2 * wg(1));
  assert.is(wg(32), 32 * wg(1));
  // q 4096→4096, k and v 4096→256: r·(4096+4096 + 2·(4096+256)) per position, ×2 FLOPs, ×708 positions, ×28 layers
  assert.is(wg(1), 28 * 2 * 708 * (8192 + 2 * 4352));
  assert.is(countStep(TINY, { ...LORA1, method: { method: 'ptuning-v2', prefix: 5 } }, BATCH).flops.backwardWeight, 0);
});

test('the prefix widens attention: P extra key positions for every query', () => {
  const p0 = countStep(TINY, { ...LORA1, method: { method: 'ptuning-v2', prefix: 1 } }, BATCH);
  const p6 = countStep(TINY, { ...LORA1, method: { method: 'ptuning-v2', prefix: 6 } }, BATCH);
  // attention forward 4·B·L·(P+L)·d: +5 prefix positions = 4·1·3·5·4 = 240 forward, 480 backward
  assert.is(p6.flops.forward - p0.flops.forward, 240);
  assert.is(p6.flops.backwardInput - p0.flops.backwardInput, 480);
  // trainable prefix: a key and a value of kv width 4 per position per layer
  assert.is(p6.trainableParams, 2 * 6 * 4);
});

test('padding waste = padded − real positions, and its FLOPs share', () => {
  for (const [B, L, real] of [[4, 192, 609], [2, 10, 20], [3, 7, 1]]) {
    const c = countStep(TINY, LORA1, { batchSize: B, paddedLength: L, realTokens: real });
    assert.is(c.padding.positions, B * L - real);
    close(c.padding.flops, (c.flops.total * (B * L - real)) / (B * L));
  }
});

test('storage bytes per element agree with lib/quant for whole blocks', () => {
  for (const dtype of ['fp32', 'fp16', 'bf16', 'int8', 'nf4'] as const) assert.is(storageBytesPerElement(dtype), theoreticalBytes(6400, dtype) / 6400, dtype);
  close(storageBytesPerElement('nf4-dq') * 8, 4.126953125, 1e-15); // QLoRA's 4.127 bits
  // a quantized base adds a dequantized compute tile per read, written and read: reads · params · 2 · 4 bytes
  const q = countStep(TINY, { ...LORA1, storage: 'nf4' }, BATCH);
  assert.is(q.bytes.dequant, 2 * 128 * 2 * 4);
  assert.is(q.bytes.weights, 2 * 128 * 0.5625 + 2 * 40 * 4);
  // and dequantizes every block weight value once per read (this engine does it in JavaScript, value by value):
  // forward + backward = 2 × 128, checkpointed + recompute = 3 × 128; an fp32 base none
  assert.is(q.dequantValues, 2 * 128);
  assert.is(countStep(TINY, { ...LORA1, storage: 'nf4', checkpoint: true }, BATCH).dequantValues, 3 * 128);
  assert.is(countStep(TINY, LORA1, BATCH).dequantValues, 0);
});

function syntheticCells(dev: Device): CostCell[] {
  const shapes: [number, number, number][] = [[1, 64, 32], [2, 128, 64], [4, 256, 128], [2, 96, 48], [3, 192, 16]];
  return shapes.flatMap(([layers, d, L]) => [false, true].map((checkpoint) => {
    const counts = countStep({ arch: 'llama', layers, d, heads: 4, kvHeads: 2, ffn: 3 * d, vocab: 500, tiedHead: false }, { ...LORA1, checkpoint, storage: checkpoint ? 'nf4' : 'fp32' }, { batchSize: 4, realTokens: 3 * L, paddedLength: L });
    return { counts, seconds: predictStepTime(counts, dev) };
  }));
}

test('fitDevice recovers known constants from synthetic cells', () => {
  const truth: Device = { ...DEVICES['cpu-this-machine'], peakFlops: { fp32: 3e10, fp16: 3e10, bf16: 3e10 }, bandwidth: 7e9, kernelOverhead: 1.5e-5 };
  const fit = fitDevice(syntheticCells(truth));
  close(fit.device.peakFlops.fp32, 3e10, 1e-9);
  close(fit.device.bandwidth, 7e9, 1e-9);
  close(fit.device.kernelOverhead, 1.5e-5, 1e-9);
  assert.ok(fit.relErrorMedian < 1e-9);
  assert.is(fit.relErrors.length, 10);
  assert.is(fit.device.fitted, true);
});

test('fitDevice recovers a per-dequantized-value cost (the fourth constant); GPUs without one predict as before', () => {
  const truth: Device = { ...DEVICES['cpu-this-machine'], peakFlops: { fp32: 3e10, fp16: 3e10, bf16: 3e10 }, bandwidth: 7e9, kernelOverhead: 1.5e-5, secondsPerDequantValue: 4e-9 };
  const fit = fitDevice(syntheticCells(truth));
  close(fit.coefficients[3], 4e-9, 1e-8);
  close(fit.device.bandwidth, 7e9, 1e-8);
  assert.ok(fit.relErrorMedian < 1e-9);
  const c = countStep(TINY, { ...LORA1, storage: 'nf4' }, BATCH);
  assert.is(predictStepTime(c, { ...truth, secondsPerDequantValue: undefined }) + 256 * 4e-9, predictStepTime(c, truth));
});

test('fitDevice keeps coefficients non-negative: a device with no kernel overhead fits exactly 0', () => {
  const truth: Device = { ...DEVICES['cpu-this-machine'], peakFlops: { fp32: 3e10, fp16: 3e10, bf16: 3e10 }, bandwidth: 7e9, kernelOverhead: 0 };
  const fit = fitDevice(syntheticCells(truth));
  assert.ok(fit.coefficients[2] >= 0);
  assert.ok(fit.coefficients[2] * 1e5 < 1e-9, `overhead ${fit.coefficients[2]}`);
  close(fit.device.bandwidth, 7e9, 1e-8);
});

test('bad input: a clear LedgerLabError naming where', () => {
  const cells = syntheticCells(DEVICES['cpu-this-machine']);
  const err = (f: () => unknown, where: string) => {
    try { f(); } catch (e) { assert.instance(e, LedgerLabError); assert.is((e as LedgerLabError).where, where); return; }
    assert.unreachable('no error');
  };
  err(() => fitDevice(cells.slice(0, 2)), 'fitDevice(cells)');
  err(() => fitDevice([...cells, { counts: { ...cells[0].counts, compute: 'fp16' }, seconds: 1 }]), 'fitDevice(cells[10])');
  err(() => countStep({ ...TINY, heads: 3 }, LORA1, BATCH), 'model.heads');
  err(() => countStep(TINY, { ...LORA1, method: { method: 'lora', r: 1, targets: ['gate'] } }, BATCH), 'recipe.method.targets');
  err(() => countStep(TINY, LORA1, { ...BATCH, realTokens: 4 }), 'batch.realTokens');
  err(() => countStep(TINY, { ...LORA1, method: { method: 'full' }, storage: 'nf4' }, BATCH), 'recipe.storage');
});

test('AdvertiseGen length statistics (characters as a token proxy, 64 + 128 truncation)', () => {
  const s = lengthStats(advertiseGenLengths(), 4);
  assert.is(s.n, 870);
  assert.is(s.maxLength, 192);
  close(s.meanLength, 152.19655172413792);
  close(s.expectedLongest, 176.98046828348086);
  // E[max of 4] by hand on a 2-value distribution: P(max = 1) = (1/2)^4
  close(lengthStats([1, 2], 4).expectedLongest, 1 / 16 + 2 * (15 / 16));
});

test('the ChatGLM2-6B / A100-80GB prediction is a pure function (values pinned)', () => {
  const lengths = advertiseGenLengths();
  const p = predictChatglm2(lengths);
  assert.equal(predictChatglm2(lengths), p);
  assert.is(p.counts.lora.flops.total, 17163309809664);
  assert.is(p.counts.ptuning.flops.total, 27583353716736);
  assert.is(p.counts.ptuning.flops.recompute, 8884139851776);
  assert.is(p.counts.lora.trainableParams, 15138816); // 28 · 32 · (8192 + 2·4352)
  assert.is(p.counts.ptuning.trainableParams, 1835008); // 28 · 2 · 128 · 256
  close(p.samplesPerSecond.lora.mid, 23.293242003013084);
  close(p.samplesPerSecond.ptuning.mid, 12.904761331445957);
  close(p.ratio.mid, 1.80501145311791);
  close(p.ratio.lo, 1.7165584421184557);
  close(p.ratio.hi, 1.9374870734517784);
  close(p.memoryGB.lora, 7.1415863037109375);
  close(p.memoryGB.ptuning, 4.57501220703125);
  // the Shapley shares sum to the predicted log-ratio, whose all-switched corner is the P-Tuning recipe
  close(Object.values(p.decomposition.shapley).reduce((a, b) => a + b, 0), Math.log(p.ratio.mid));
  close(p.decomposition.total, Math.log(p.ratio.mid));
  close(p.decomposition.shapley.checkpoint, 0.3632763118646131);
  close(p.decomposition.shapley.quant, 0.17984493258435985);
});

test.run();
