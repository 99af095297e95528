// Frozen-weight bytes of a LoRA model on each base dtype: buffers vs formula, exact totals, per-layer errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initBackend } from '../../lib/runtime/index.ts';
import { initWeights, type GptConfig } from '../../lib/model/index.ts';
import { buildModel, MethodSchema } from '../../lib/peft/index.ts';
import { memoryBreakdown } from '../../lib/peft/memory.ts';
import { quantize, dequantize, quantErrorStats, QUANT_DTYPES, type QuantDtype } from '../../lib/quant/index.ts';
import { linearWeightBytes, layerQuantErrors, bufferBytes, storageOf } from '../../lib/experiments/qlora/bytes.ts';

await initBackend();
// Block linears: q,k,v,o 32×32 (1024 values each), fc 32×128 and proj 128×32 (4096 each): 12288 values.
const config: GptConfig = { layers: 1, dModel: 32, heads: 2, context: 16, vocab: 50, tiedHead: true, dropout: 0 };
const weights = initWeights(config, 3);
const lora = MethodSchema.parse({ method: 'lora', r: 4, alpha: 8, targets: ['q', 'v'] });

// Hand-computed packed sizes (B = 64, B2 = 256). nf4-dq per 1024-value tensor: 512 codes + 16 absmax codes
// + 4 (one absmax2) + 4 (offset) = 536; per 4096: 2048 + 64 + 4 + 4 = 2120.
const EXPECTED: Record<QuantDtype, number> = {
  fp32: 4 * 12288,
  fp16: 2 * 12288,
  bf16: 2 * 12288,
  int8: 4 * (1024 + 64) + 2 * (4096 + 256),
  fp4: 4 * (512 + 64) + 2 * (2048 + 256),
  nf4: 4 * (512 + 64) + 2 * (2048 + 256),
  'nf4-dq': 4 * 536 + 2 * 2120,
};
// fp32 rest of the frozen base: token 50×32 + position 16×32 embeddings, ln1/ln2/final_ln (3 × 64), biases 4×32 + 128 + 32.
const FP32_REST = 4 * (50 * 32 + 16 * 32 + 3 * 64 + 4 * 32 + 128 + 32);

test('measured buffer bytes equal theoreticalBytes for every layer and dtype, with the hand-computed totals', async () => {
  for (const dtype of QUANT_DTYPES) {
    const m = await buildModel(config, weights, lora, dtype, 0);
    const rows = await linearWeightBytes(m);
    assert.equal(rows.map((r) => r.name), ['blocks.0.attn.q', 'blocks.0.attn.k', 'blocks.0.attn.v', 'blocks.0.attn.o', 'blocks.0.mlp.fc', 'blocks.0.mlp.proj'], dtype);
    for (const r of rows) assert.is(r.measured, r.theoretical, `${dtype} ${r.name}`);
    assert.is(rows.reduce((a, r) => a + r.measured, 0), EXPECTED[dtype], dtype);
    assert.ok(rows.every((r) => r.dtype === dtype), dtype);
    const mb = memoryBreakdown(m, 'adamw');
    assert.is(mb.frozenBytes, EXPECTED[dtype] + FP32_REST, `${dtype} frozen total`);
    // LoRA r=4 on q and v: 2 × (32·4 + 4·32) fp32 adapter values; grads 1×, AdamW 2×.
    assert.is(mb.trainableParams, 512);
    assert.is(mb.optimizerBytes, 2 * 512 * 4);
    m.dispose();
  }
});

test('bufferBytes counts the arrays themselves, not the byteLength field', () => {
  const w = weights.get('blocks.0.mlp.fc.weight')!;
  const q = quantize(w.data, w.shape, 'nf4-dq');
  assert.is(bufferBytes(q), 2120);
  assert.is(bufferBytes({ ...q, byteLength: 1 }), 2120);
  const h = quantize(w.data, w.shape, 'bf16');
  assert.is(bufferBytes({ ...h, byteLength: 0 }), 8192);
});

test('per-layer quantization error is the round trip of the stored weight; fp32 is exact', async () => {
  for (const dtype of ['fp32', 'fp16', 'nf4', 'nf4-dq'] as const) {
    const m = await buildModel(config, weights, lora, dtype, 0);
    const rows = await layerQuantErrors(m, weights);
    assert.is(rows.length, 6);
    for (const r of rows) {
      const w = weights.get(`${r.name}.weight`)!;
      const ref = quantErrorStats(w.data, dequantize(quantize(w.data, w.shape, dtype)));
      assert.equal({ n: r.n, mean: r.meanAbsError, max: r.maxAbsError, rmse: r.rmse, rel: r.relativeError }, { n: ref.n, mean: ref.meanAbsError, max: ref.maxAbsError, rmse: ref.rmse, rel: ref.relativeError }, `${dtype} ${r.name}`);
      assert.is(r.dtype, dtype);
      if (dtype === 'fp32') assert.is(r.maxAbsError, 0);
    }
    if (dtype === 'fp16') assert.ok(rows.every((r) => r.relativeError < 1e-3 && r.relativeError > 0));
    if (dtype === 'nf4') assert.ok(rows.every((r) => r.relativeError > 0.01 && r.relativeError < 0.2), rows.map((r) => r.relativeError).join());
    m.dispose();
  }
});

test('storageOf finds the frozen layer under the LoRA wrapper', async () => {
  const m = await buildModel(config, weights, lora, 'nf4', 0);
  assert.is(storageOf(m.linears.get('blocks.0.attn.q')!).constructor.name, 'PackedLinear');
  assert.is(storageOf(m.linears.get('blocks.0.attn.k')!).constructor.name, 'PackedLinear');
  m.dispose();
  const d = await buildModel(config, weights, lora, 'fp32', 0);
  assert.is(storageOf(d.linears.get('blocks.0.attn.v')!).constructor.name, 'DenseLinear');
  d.dispose();
});

test.run();
