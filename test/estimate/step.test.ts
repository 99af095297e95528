// Step time and samples/s: the scale kind's counts on a device preset, with the preset's efficiency range as the
// interval; the LoRA / P-Tuning ratio; the published ChatGLM2-6B / A100 figures next to the prediction.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { estimate, DEVICE_PRESETS, devicePreset } from '../../lib/estimate/index.ts';
import { countStep, predictStepTime, lengthStats, advertiseGenLengths, CHATGLM2_PUBLISHED } from '../../lib/experiments/index.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { paths } from '../../lib/paths.ts';
import { CHATGLM2_6B, QWEN25_05B } from './configs.ts';

const close = (a: number, b: number, rel = 1e-9) => assert.ok(Math.abs(a - b) <= rel * Math.abs(b), `${a} vs ${b}`);

test('the step is the cost model\'s countStep on the preset: on "cpu" exactly the fitted constants at efficiency 1', () => {
  const e = estimate({ config: QWEN25_05B, method: 'lora', options: { r: 8 }, batch: { batchSize: 2, seqLen: 96 }, device: 'cpu' });
  const shape = { arch: 'llama' as const, layers: 24, d: 896, heads: 14, kvHeads: 2, ffn: 4864, vocab: 151936, tiedHead: true };
  const c = countStep(shape, { method: { method: 'lora', r: 8, targets: ['q', 'v'] }, checkpoint: false, storage: 'fp32', compute: 'fp32' }, { batchSize: 2, paddedLength: 96, realTokens: 192 });
  // the optimizer's traffic is taken from PEFT's exact count (28 bytes per trainable parameter)
  const exact = { ...c, bytes: { ...c.bytes, total: c.bytes.total - c.bytes.optimizer + 28 * e.trainableParams } };
  close(e.step.seconds.mean, predictStepTime(exact, DEVICE_PRESETS.cpu, 1));
  assert.ok(e.step.seconds.lo < e.step.seconds.mean && e.step.seconds.mean < e.step.seconds.hi);
  close(e.step.samplesPerSecond.mean, 2 / e.step.seconds.mean);
  close(e.step.tokensPerSecond.mean, 192 / e.step.seconds.mean);
});

test('prompt methods add their virtual tokens to every sequence; prefix tuning attends over its prefix', () => {
  const base = { config: QWEN25_05B, batch: { batchSize: 2, seqLen: 100 }, device: 'h100' };
  const p = estimate({ ...base, method: 'prompt_tuning', options: { num_virtual_tokens: 20 } });
  assert.is(p.batch.virtualTokens, 20);
  assert.ok(p.step.counts.flops > estimate({ ...base, method: 'prompt_tuning', options: { num_virtual_tokens: 1 } }).step.counts.flops);
  const pre = estimate({ ...base, method: 'prefix_tuning', options: { num_virtual_tokens: 64 } });
  assert.is(pre.batch.virtualTokens, 0);
  assert.ok(pre.step.counts.flops > estimate({ ...base, method: 'prefix_tuning', options: { num_virtual_tokens: 1 } }).step.counts.flops);
});

test('two methods: each gets its own options, the ratio is the first one\'s samples/s over the second\'s', () => {
  const e = estimate({ config: CHATGLM2_6B, method: 'lora,ptuning-v2', options: { r: 32, pre_seq_len: 128 }, batch: { batchSize: 4, seqLen: 192 } });
  assert.equal(e.methods.map((m) => m.trainableParams), [28 * 32 * 8704, 1_835_008]);
  const r = e.ratio!;
  close(r.mean, e.methods[0].step.samplesPerSecond.mean / e.methods[1].step.samplesPerSecond.mean);
  assert.ok(r.lo <= r.mean && r.mean <= r.hi);
  assert.throws(() => estimate({ config: CHATGLM2_6B, method: 'lora,ptuning-v2', options: { foo: 1 } }), /no method of lora, ptuning-v2 takes "foo"/);
});

test('device presets: published peaks, memory and a source each; faster cards predict shorter steps', () => {
  for (const [name, d] of Object.entries(DEVICE_PRESETS)) {
    assert.ok(d.peakFlops.fp16 > 0 && d.peakFlops.fp32 > 0 && d.bandwidth > 0 && d.memoryBytes > 0, name);
    assert.ok(d.efficiency.lo > 0 && d.efficiency.lo <= d.efficiency.hi, name);
    assert.ok(d.source.length > 10, name);
  }
  assert.is(devicePreset('this-machine').name, 'cpu');
  assert.throws(() => devicePreset('tpu-v5'), /unknown device "tpu-v5"/);
  const at = (device: string) => estimate({ config: CHATGLM2_6B, method: 'lora', batch: { batchSize: 4, seqLen: 512 }, device }).step.seconds.mean;
  assert.ok(at('h100') < at('a100-80gb') && at('a100-80gb') < at('l40s') && at('rtx-4090') < at('m2-max'));
});

test('measured lengths: longest padding is the exact expected longest of a batch, max_length the cap', () => {
  const lengths = [10, 20, 30, 40, 50, 60, 70, 80];
  const longest = estimate({ config: QWEN25_05B, method: 'lora', batch: { batchSize: 4, lengths, padding: 'longest' } });
  assert.is(longest.batch.paddedLength, Math.ceil(lengthStats(lengths, 4).expectedLongest));
  assert.is(longest.batch.realTokens, 4 * 45);
  const max = estimate({ config: QWEN25_05B, method: 'lora', batch: { batchSize: 4, lengths, padding: 'max_length', maxLength: 64 } });
  assert.is(max.batch.paddedLength, 64);
  assert.is(max.batch.realTokens, Math.round(4 * (10 + 20 + 30 + 40 + 50 + 60 + 64 + 64) / 8));
});

const ADGEN = join(paths.datasets, 'advertisegen', 'dev-sample.jsonl');
test('ChatGLM2-6B on an A100 (LLaMA-Factory\'s benchmark): LoRA\'s published 21.67 samples/s lies in the predicted interval', () => {
  if (!existsSync(ADGEN)) return void console.log(`skipped: the shared AdvertiseGen sample is not at ${ADGEN}`);
  const lengths = advertiseGenLengths(ADGEN);
  const lora = estimate({ config: CHATGLM2_6B, method: 'lora', options: { r: 32, target_modules: 'query_key_value' }, storage: 'fp16', batch: { batchSize: 4, lengths, padding: 'longest' }, device: 'a100-80gb' });
  const sps = lora.step.samplesPerSecond;
  assert.ok(sps.lo <= CHATGLM2_PUBLISHED.samplesPerSecond.lora && CHATGLM2_PUBLISHED.samplesPerSecond.lora <= sps.hi, JSON.stringify(sps));
  // P-Tuning v2 (int4 modelled as nf4, max_length 192, checkpointing) is predicted about 2× too fast: documented, not tuned
  const pt = estimate({ config: CHATGLM2_6B, method: 'ptuning-v2', options: { pre_seq_len: 128 }, storage: 'nf4', checkpoint: true, batch: { batchSize: 4, lengths, padding: 'max_length', maxLength: 192 }, device: 'a100-80gb' });
  assert.ok(pt.step.samplesPerSecond.lo > CHATGLM2_PUBLISHED.samplesPerSecond.ptuning);
});

test.run();
