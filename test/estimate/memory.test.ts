// Memory by part: weights with lib/quant's exact packed sizes, fp32 trainables with gradients and AdamW state,
// the cost model's activations; LedgerLab's own measured bench-train memory; a 70B config with no allocation.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { estimate, weightBytes, archFromConfig, moduleTree } from '../../lib/estimate/index.ts';
import { peakMemory } from '../../lib/experiments/index.ts';
import { theoreticalBytes } from '../../lib/quant/index.ts';
import { CHATGLM2_6B, LLAMA_3_70B, QWEN25_05B } from './configs.ts';

test('nf4 / nf4-dq / int8 weights are lib/quant\'s bytes tensor by tensor; the rest stays in the compute dtype', () => {
  const tree = moduleTree(archFromConfig(CHATGLM2_6B));
  const packed = (dtype: 'nf4' | 'nf4-dq' | 'int8') => 28 * [[4096, 4608], [4096, 4096], [4096, 27392], [13696, 4096]].reduce((a, [i, o]) => a + theoreticalBytes(i * o, dtype), 0);
  // embeddings, output layer, norms, qkv biases: 2 bytes each in fp16
  const rest = 2 * (2 * 65024 * 4096 + 28 * (2 * 4096 + 4608) + 4096);
  for (const dtype of ['nf4', 'nf4-dq', 'int8'] as const) assert.equal(weightBytes(tree, dtype, 'fp16'), { [dtype]: packed(dtype), fp16: rest });
  // query_key_value by hand: 18,874,368 values → nf4 n/2 + 4·n/64
  assert.is(theoreticalBytes(4096 * 4608, 'nf4'), 9_437_184 + 4 * 294_912);
  assert.equal(weightBytes(tree, 'fp32', 'fp32'), { fp32: 4 * 6_243_584_000 });
  assert.equal(weightBytes(tree, 'bf16', 'bf16'), { bf16: 2 * 6_243_584_000 });
});

test('parts add up; adapters are fp32 with fp32 grads and two AdamW moments; checkpointing shrinks activations', () => {
  const e = estimate({ config: QWEN25_05B, method: 'lora', options: { r: 8 }, storage: 'nf4-dq', batch: { batchSize: 4, seqLen: 256 }, device: 'rtx-4090' });
  const m = e.memory;
  assert.is(m.trainable, 4 * e.trainableParams);
  assert.is(m.gradients, 4 * e.trainableParams);
  assert.is(m.optimizer, 8 * e.trainableParams);
  assert.is(m.total, m.weights + m.trainable + m.gradients + m.optimizer + m.activations + m.overhead);
  assert.is(m.device, 24e9);
  assert.is(m.fits, m.total <= 24e9);
  const ck = estimate({ config: QWEN25_05B, method: 'lora', options: { r: 8 }, storage: 'nf4-dq', batch: { batchSize: 4, seqLen: 256 }, device: 'rtx-4090', checkpoint: true });
  assert.ok(ck.memory.activations < m.activations / 2, `${ck.memory.activations} vs ${m.activations}`);
  // the activations are the scale kind's peakMemory term (same counts, one model of memory)
  const pm = peakMemory({ arch: 'llama', layers: 24, d: 896, heads: 14, kvHeads: 2, ffn: 4864, vocab: 151936, tiedHead: true }, { method: { method: 'lora', r: 8, targets: ['q', 'v'] }, checkpoint: false, storage: 'nf4-dq', compute: 'fp16' }, { batchSize: 4, paddedLength: 256, realTokens: 1024 });
  assert.is(m.activations, pm.activations);
  // full fine-tuning of an fp32 base trains the weights in place: no separate weights, 16 bytes per parameter
  const full = estimate({ config: QWEN25_05B, method: 'full', storage: 'fp32', batch: { batchSize: 1, seqLen: 64 } });
  assert.is(full.memory.weights, 0);
  assert.is(full.memory.trainable + full.memory.gradients + full.memory.optimizer, 16 * 494_032_768);
});

// `ledgerlab bench train` (gpt2, d 128, 2 layers, 4 heads, vocab 2000, batch 16 × 64, fp32, Adam): state MiB and
// engine peak MiB per method, measured on this machine on 2026-12-07 (docs/estimate.md) after bench train took the
// training loop's step (model.loss + lib/runtime's low-memory variableGrads). The 2026-11-28 peaks (277.6, 270.3,
// 265.0, 331.2, 291.4 MiB; docs/measurements/2026-11-28-bench-train.md) were tfjs' own variableGrads, which kept
// the whole tape until the backward pass ended: that engine is gone, so they are no longer test points.
const BENCH_GPT2 = { model_type: 'gpt2', n_embd: 128, n_layer: 2, n_head: 4, n_positions: 256, vocab_size: 2000 };
const MEASURED = [
  { method: 'full', options: {}, storage: 'fp32', state: 10.46, peak: 112.6 },
  { method: 'lora', options: { target_modules: 'c_attn', r: 8 }, storage: 'fp32', state: 2.74, peak: 109.1 },
  { method: 'ptuning-v2', options: { num_virtual_tokens: 16 }, storage: 'fp32', state: 2.74, peak: 109.1 },
  { method: 'ptuning-v1', options: { num_virtual_tokens: 16, encoder_hidden_size: 128 }, storage: 'fp32', state: 3.40, peak: 125.6 },
  { method: 'lora', options: { target_modules: 'c_attn', r: 8 }, storage: 'nf4-dq', state: 1.43, peak: 97.1 },
] as const;

test('LedgerLab\'s measured bench-train memory: state to 3%, engine peak (state + activations) within 15%', () => {
  const MiB = 2 ** 20;
  for (const r of MEASURED) {
    const e = estimate({ config: BENCH_GPT2, method: r.method, options: r.options, storage: r.storage, batch: { batchSize: 16, seqLen: 64 }, device: 'cpu' });
    const m = e.memory;
    const state = (m.weights + m.trainable + m.gradients + m.optimizer) / MiB;
    assert.ok(Math.abs(state / r.state - 1) < 0.03, `${r.method} ${r.storage}: state ${state.toFixed(2)} vs ${r.state} MiB`);
    const peak = (m.total - m.overhead) / MiB;
    assert.ok(Math.abs(peak / r.peak - 1) < 0.15, `${r.method} ${r.storage}: engine peak ${peak.toFixed(1)} vs ${r.peak} MiB`);
  }
});

// `bench train --arch llama --size l --methods lora` (8 layers, d 512, 8 heads / 4 kv, ffn 1408, vocab 8000, untied,
// LoRA r 8 on q, v, batch 4 × 256, fp32, AdamW), measured 2026-12-07 with the training loop's step: state and peak MiB.
const LLAMA_L = { model_type: 'llama', hidden_size: 512, intermediate_size: 1408, num_hidden_layers: 8, num_attention_heads: 8, num_key_value_heads: 4, vocab_size: 8000, tie_word_embeddings: false };

test('bench train llama l: state exact, engine peak within 15%', () => {
  const MiB = 2 ** 20;
  const m = estimate({ config: LLAMA_L, method: 'lora', options: { r: 8 }, storage: 'fp32', batch: { batchSize: 4, seqLen: 256 }, device: 'cpu' }).memory;
  const state = (m.weights + m.trainable + m.gradients + m.optimizer) / MiB;
  assert.ok(Math.abs(state / 123.03 - 1) < 0.001, `state ${state} MiB`);
  const peak = (m.total - m.overhead) / MiB;
  assert.ok(Math.abs(peak / 950.0 - 1) < 0.15, `engine peak ${peak.toFixed(1)} vs 950.0 MiB`);
});

// Issue 29's runs on the Qwen2.5-0.5B shape (docs/hf-models.md "Memory"): `ledgerlab run experiments/realsize-0.5b.json`,
// LoRA r 8 on q, v, batch 4 × (64 + 128), no checkpointing, one step then evaluation; peak RSS from /usr/bin/time -v
// (whole run) and LEDGERLAB_MEMLOG's maxRss at the end of training, in bytes, measured 2026-12-07 on a loaded machine.
const REAL_SIZE = [
  { storage: 'fp32', trainPeak: 4_843_425_792, runPeak: 7_508_804 * 1024 },
  { storage: 'nf4-dq', trainPeak: 3_600_601_088, runPeak: 3_516_212 * 1024 },
] as const;

// The Qwen2.5-1.5B shape (bench/random-checkpoint.ts qwen2.5-1.5b), nf4-dq, same recipe: peak RSS by the end of training.
const QWEN25_15B = { model_type: 'qwen2', hidden_size: 1536, intermediate_size: 8960, num_hidden_layers: 28, num_attention_heads: 12, num_key_value_heads: 2, vocab_size: 151936, tie_word_embeddings: true };

test('the cpu preset predicts the 1.5B nf4-dq run\'s training peak RSS within 15% (held out)', () => {
  const m = estimate({ config: QWEN25_15B, method: 'lora', options: { r: 8 }, storage: 'nf4-dq', batch: { batchSize: 4, seqLen: 192 }, device: 'cpu' }).memory;
  assert.ok(Math.abs(m.total / 6_117_113_856 - 1) < 0.15, `${(m.total / 1e9).toFixed(2)} vs 6.12 GB`);
  // the whole run (evaluation generates on tfjs: nothing added), /usr/bin/time -v
  assert.ok(Math.abs(m.withEvaluation / (6_053_892 * 1024) - 1) < 0.15, `${(m.withEvaluation / 1e9).toFixed(2)} vs 6.20 GB`);
});

test('the cpu preset predicts the 0.5B real-size runs\' peak RSS within 15%: training, and the run with evaluation', () => {
  for (const r of REAL_SIZE) {
    const m = estimate({ config: QWEN25_05B, method: 'lora', options: { r: 8 }, storage: r.storage, batch: { batchSize: 4, seqLen: 192 }, device: 'cpu' }).memory;
    assert.ok(Math.abs(m.total / r.trainPeak - 1) < 0.15, `${r.storage} training: ${(m.total / 1e9).toFixed(2)} vs ${(r.trainPeak / 1e9).toFixed(2)} GB`);
    assert.ok(Math.abs(m.withEvaluation / r.runPeak - 1) < 0.15, `${r.storage} with evaluation: ${(m.withEvaluation / 1e9).toFixed(2)} vs ${(r.runPeak / 1e9).toFixed(2)} GB`);
  }
});

test('a 70B-class config answers in under a second, allocates no weights, and does not fit one A100', () => {
  const heapBefore = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const e = estimate({ config: LLAMA_3_70B, method: 'lora,prefix_tuning', options: { r: 16, target_modules: 'all-linear', num_virtual_tokens: 32 }, storage: 'bf16', batch: { batchSize: 1, seqLen: 4096 }, checkpoint: true });
  const ms = performance.now() - t0;
  assert.ok(ms < 1000, `${ms} ms`);
  // 70.6B parameters as bf16 would be 141 GB: nothing near that was allocated
  assert.ok(process.memoryUsage().heapUsed - heapBefore < 50e6);
  assert.is(e.model.params, 70_553_706_496);
  assert.is(e.memory.weightsByDtype.bf16, 2 * 70_553_706_496);
  assert.is(e.memory.fits, false);
  const nf4 = estimate({ config: LLAMA_3_70B, method: 'qlora', options: { r: 16 }, batch: { batchSize: 1, seqLen: 2048 }, checkpoint: true });
  assert.is(nf4.storage, 'nf4-dq');
  assert.is(nf4.memory.fits, true, `${nf4.memory.total / 1e9} GB`);
});

test.run();
