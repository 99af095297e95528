import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../lib/runtime/index.ts';
import { Gpt, loadPretrained, readSafetensors, writeSafetensors, checkpointDigests, sha256File, type SafeTensor } from '../../lib/model/index.ts';
import { memoryBreakdown } from '../../lib/peft/memory.ts';
import { LedgerLabError } from '../../lib/errors.ts';

await initBackend();
const FIXTURES = join(import.meta.dirname, 'fixtures');
const tmp = mkdtempSync(join(tmpdir(), 'll-hfload-'));
let n = 0;

/** A copy of a fixture directory whose config and tensors a test may change. */
function variant(name: string, edit: { config?: (c: Record<string, unknown>) => void; tensors?: (t: Map<string, SafeTensor>) => void } = {}): string {
  const dir = join(tmp, `${name}-${n++}`);
  cpSync(join(FIXTURES, name), dir, { recursive: true });
  if (edit.config) {
    const c = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    edit.config(c);
    writeFileSync(join(dir, 'config.json'), JSON.stringify(c));
  }
  if (edit.tensors) {
    const t = new Map([...readSafetensors(join(dir, 'model.safetensors')).tensors].map(([k, v]) => [k, { ...v, data: v.data.slice() }]));
    edit.tensors(t);
    writeSafetensors(join(dir, 'model.safetensors'), t);
  }
  return dir;
}

function logits(dir: string, opts = {}): Float32Array {
  const p = loadPretrained(dir);
  const m = Gpt.fromWeights(p.config, p.weights, opts);
  const e = JSON.parse(readFileSync(join(FIXTURES, 'llama-gqa-f32', 'expected.json'), 'utf8')) as { prompt: number[] };
  const out = tf.tidy(() => m.forward(tf.tensor2d([e.prompt], [1, e.prompt.length], 'int32')).logits.dataSync() as Float32Array);
  m.dispose();
  return out;
}

function throwsAt(f: () => unknown, problem: RegExp, where: RegExp): void {
  try {
    f();
  } catch (err) {
    assert.instance(err, LedgerLabError);
    assert.match((err as LedgerLabError).problem, problem);
    assert.match((err as LedgerLabError).where ?? '', where);
    return;
  }
  assert.unreachable('no error');
}

test('configs map to the decoder: GQA, tie, rope_theta, eps, qwen2 biases, gpt2 defaults', () => {
  const a = loadPretrained(join(FIXTURES, 'llama-gqa-f32')).config;
  assert.equal([a.arch, a.layers, a.dModel, a.heads, a.kvHeads, a.ffn, a.vocab, a.tiedHead, a.ropeTheta, a.normEps, a.qkvBias], ['llama', 2, 64, 4, 2, 160, 128, false, 10000, 1e-6, false]);
  const b = loadPretrained(join(FIXTURES, 'llama-tied-bf16'));
  assert.equal([b.config.tiedHead, b.config.ropeTheta, b.config.normEps], [true, 500000, 1e-5]);
  const q = loadPretrained(join(FIXTURES, 'qwen2-bias-f16'));
  assert.equal([q.modelType, q.config.kvHeads, q.config.qkvBias], ['qwen2', 1, true]);
  assert.ok([...q.weights.keys()].includes('blocks.0.attn.k.bias'));
  const g = loadPretrained(join(FIXTURES, 'gpt2-f32')).config;
  assert.equal([g.arch, g.ffn, g.tiedHead, g.context], ['gpt2', 256, true, 64]);
  const mistral = variant('llama-gqa-f32', { config: (c) => Object.assign(c, { model_type: 'mistral', sliding_window: 32 }) });
  assert.is(loadPretrained(mistral).config.context, 32, 'a sliding window only matters past the window: the context stops there');
});

test('errors name the file and the tensor: unknown model_type, missing tensor, shape mismatch, stray tensor', () => {
  throwsAt(() => loadPretrained(variant('llama-gqa-f32', { config: (c) => (c.model_type = 'falcon') })), /unsupported model_type "falcon"/, /config\.json: model_type/);
  throwsAt(() => loadPretrained(variant('llama-gqa-f32', { config: (c) => (c.rope_scaling = { rope_type: 'linear', factor: 2 }) })), /rope_scaling/, /config\.json: rope_scaling/);
  throwsAt(() => loadPretrained(variant('llama-gqa-f32', { tensors: (t) => t.delete('model.layers.1.mlp.up_proj.weight') })),
    /tensor "model\.layers\.1\.mlp\.up_proj\.weight" is missing/, /model\.safetensors$/);
  throwsAt(() => loadPretrained(variant('llama-gqa-f32', { config: (c) => (c.num_key_value_heads = 4) })),
    /tensor "model\.layers\.0\.self_attn\.k_proj\.weight" has shape \[32, 64\]; config\.json implies \[64, 64\]/, /model\.safetensors$/);
  throwsAt(() => loadPretrained(variant('llama-gqa-f32', { config: (c) => (c.num_hidden_layers = 1) })),
    /tensor "model\.layers\.1\.[a-z_.]+" is not part of a llama model with this config/, /model\.safetensors$/);
  // tie_word_embeddings true: transformers replaces lm_head by the embedding, so a stored one is unused.
  assert.equal(loadPretrained(variant('llama-gqa-f32', { config: (c) => (c.tie_word_embeddings = true) })).skipped, ['lm_head.weight']);
  const noWeights = join(tmp, 'empty');
  cpSync(join(FIXTURES, 'gpt2-f32', 'config.json'), join(noWeights, 'config.json'), { recursive: true });
  throwsAt(() => loadPretrained(noWeights), /no model\.safetensors/, /empty$/);
});

test('a sharded checkpoint (model.safetensors.index.json) loads to the same logits', () => {
  const dir = variant('llama-gqa-f32');
  const all = readSafetensors(join(dir, 'model.safetensors')).tensors;
  const names = [...all.keys()];
  const shards = [names.slice(0, 7), names.slice(7)];
  const weightMap: Record<string, string> = {};
  shards.forEach((s, i) => {
    const file = `model-0000${i + 1}-of-00002.safetensors`;
    writeSafetensors(join(dir, file), new Map(s.map((k) => [k, all.get(k)!])));
    for (const k of s) weightMap[k] = file;
  });
  rmSync(join(dir, 'model.safetensors'));
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }));
  const p = loadPretrained(dir);
  assert.is(p.files.length, 2);
  assert.equal(logits(dir), logits(join(FIXTURES, 'llama-gqa-f32')));
  const digests = checkpointDigests(p);
  assert.equal(digests.map((d) => d.file.split('/').pop()), ['config.json', 'model.safetensors.index.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors']);
  assert.is(digests[2].sha256, sha256File(join(dir, 'model-00001-of-00002.safetensors')).sha256);
  assert.match(digests[2].sha256, /^[0-9a-f]{64}$/);
  // A weight_map that lies about where a tensor is
  weightMap[names[0]] = 'model-00002-of-00002.safetensors';
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: weightMap }));
  throwsAt(() => loadPretrained(dir), new RegExp(`weight_map puts tensor "${names[0].replace(/\./g, '\\.')}" in model-00002`), /index\.json$/);
});

test('gpt2 names with the transformer. prefix, and an untied lm_head, load', () => {
  const plain = join(FIXTURES, 'gpt2-f32');
  const prefixed = variant('gpt2-f32', { tensors: (t) => { for (const [k, v] of [...t]) { t.delete(k); t.set(`transformer.${k}`, v); } } });
  assert.equal(logits(prefixed), logits(plain));
  const untied = variant('gpt2-f32', {
    config: (c) => (c.tie_word_embeddings = false),
    tensors: (t) => t.set('lm_head.weight', { ...t.get('wte.weight')!, data: t.get('wte.weight')!.data.slice() }),
  });
  const p = loadPretrained(untied);
  assert.is(p.config.tiedHead, false);
  const a = logits(untied), b = logits(plain);
  let worst = 0;
  a.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - b[i]))));
  assert.ok(worst < 1e-5, 'lm_head equal to wte gives the tied logits');
});

test('loading into a quantized base packs the linears (nf4-dq, int8) and stays near fp32', () => {
  const dir = join(FIXTURES, 'llama-gqa-f32');
  const ref = logits(dir);
  const range = Math.max(...ref) - Math.min(...ref);
  for (const quant of ['nf4-dq', 'int8'] as const) {
    const p = loadPretrained(dir);
    const m = Gpt.fromWeights(p.config, p.weights, { quant });
    const mem = memoryBreakdown(m, 'adamw');
    assert.ok(mem.frozenByDtype[quant] > 0, quant);
    assert.ok(mem.frozenByDtype.fp32 < 2 * (128 * 64 + 64 * 128) * 4 + 10_000, 'only embeddings, head and norms stay fp32');
    m.dispose();
    const q = logits(dir, { quant });
    let worst = 0;
    q.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - ref[i]))));
    assert.ok(worst < (quant === 'int8' ? 0.05 : 0.3) * range, `${quant}: ${worst} of ${range}`);
    assert.ok(worst > 0, `${quant} is not fp32`);
  }
});

test.run();
