import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensorFromArray, writeSafetensors, serializeSafetensors, parseSafetensors, type SafeTensor } from '../../lib/model/safetensors.ts';
import { gpt2ToNeutral, neutralToGpt2, loadGpt2Checkpoint } from '../../lib/model/gpt2-names.ts';
import { encodeF16 } from '../../lib/quant/index.ts';
import { LedgerLabError } from '../../lib/errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'll-gpt2-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

const D = 4, V = 10, CTX = 8, L = 2;

/** A tiny GPT-2 state dict whose values encode their own position, so splits can be checked by value. */
function fakeGpt2(opts: { prefix?: string; lmHead?: 'tied' | 'untied'; masks?: boolean } = {}): Map<string, SafeTensor> {
  const m = new Map<string, SafeTensor>();
  const p = opts.prefix ?? '';
  let seed = 0;
  const t = (name: string, shape: number[]): void => {
    const n = shape.reduce((a, b) => a * b, 1);
    seed += 1000;
    m.set(p + name, tensorFromArray('F32', shape, Float32Array.from({ length: n }, (_, i) => seed + i)));
  };
  t('wte.weight', [V, D]);
  t('wpe.weight', [CTX, D]);
  for (let i = 0; i < L; i++) {
    t(`h.${i}.ln_1.weight`, [D]); t(`h.${i}.ln_1.bias`, [D]);
    t(`h.${i}.attn.c_attn.weight`, [D, 3 * D]); t(`h.${i}.attn.c_attn.bias`, [3 * D]);
    t(`h.${i}.attn.c_proj.weight`, [D, D]); t(`h.${i}.attn.c_proj.bias`, [D]);
    t(`h.${i}.ln_2.weight`, [D]); t(`h.${i}.ln_2.bias`, [D]);
    t(`h.${i}.mlp.c_fc.weight`, [D, 4 * D]); t(`h.${i}.mlp.c_fc.bias`, [4 * D]);
    t(`h.${i}.mlp.c_proj.weight`, [4 * D, D]); t(`h.${i}.mlp.c_proj.bias`, [D]);
    if (opts.masks) {
      t(`h.${i}.attn.bias`, [1, 1, CTX, CTX]);
      t(`h.${i}.attn.masked_bias`, []);
    }
  }
  t('ln_f.weight', [D]); t('ln_f.bias', [D]);
  if (opts.lmHead === 'tied') m.set('lm_head.weight', { ...m.get(p + 'wte.weight')! });
  if (opts.lmHead === 'untied') t('lm_head.weight', [V, D]);
  return m;
}

test('maps every GPT-2 tensor to its neutral name; config from shapes', () => {
  const { tensors, config, skipped } = gpt2ToNeutral(fakeGpt2());
  assert.equal(config, { layers: 2, dModel: 4, vocab: 10, context: 8, tiedHead: true });
  assert.equal(skipped, []);
  assert.is(tensors.size, 4 + L * 16);
  assert.equal(tensors.get('embed.token')!.shape, [V, D]);
  assert.equal(tensors.get('embed.position')!.shape, [CTX, D]);
  assert.equal(tensors.get('blocks.1.mlp.proj.weight')!.shape, [4 * D, D]);
  assert.equal(tensors.get('final_ln.beta')!.shape, [D]);
  assert.is(tensors.get('embed.token')!.data[0], 1000);
});

test('fused c_attn [d, 3d] splits into q, k, v column blocks [d, d] (and the bias into thirds)', () => {
  const src = fakeGpt2();
  const base = src.get('h.0.attn.c_attn.weight')!;
  const b0 = new Float32Array(base.data.slice().buffer)[0];
  const { tensors } = gpt2ToNeutral(src);
  const q = tensors.get('blocks.0.attn.q.weight')!;
  const k = tensors.get('blocks.0.attn.k.weight')!;
  const v = tensors.get('blocks.0.attn.v.weight')!;
  assert.equal(q.shape, [D, D]);
  // Row r, column c of the fused matrix holds b0 + r·3d + c.
  for (let r = 0; r < D; r++) {
    for (let c = 0; c < D; c++) {
      assert.is(q.data[r * D + c], b0 + r * 3 * D + c);
      assert.is(k.data[r * D + c], b0 + r * 3 * D + D + c);
      assert.is(v.data[r * D + c], b0 + r * 3 * D + 2 * D + c);
    }
  }
  const bias0 = new Float32Array(src.get('h.0.attn.c_attn.bias')!.data.slice().buffer)[0];
  assert.equal([...tensors.get('blocks.0.attn.v.bias')!.data], [0, 1, 2, 3].map((i) => bias0 + 2 * D + i));
});

test('transformer. prefix, mask buffers skipped, tied lm_head dropped, untied lm_head transposed to [d, vocab]', () => {
  const tied = gpt2ToNeutral(fakeGpt2({ prefix: 'transformer.', lmHead: 'tied', masks: true }));
  assert.is(tied.config.tiedHead, true);
  assert.equal(tied.skipped, [
    'transformer.h.0.attn.bias', 'transformer.h.0.attn.masked_bias', 'transformer.h.1.attn.bias', 'transformer.h.1.attn.masked_bias', 'lm_head.weight',
  ]);
  assert.not.ok(tied.tensors.has('head.weight'));
  const untied = gpt2ToNeutral(fakeGpt2({ lmHead: 'untied' }));
  assert.is(untied.config.tiedHead, false);
  const head = untied.tensors.get('head.weight')!;
  assert.equal(head.shape, [D, V]);
  const h0 = head.data[0];
  assert.is(head.data[1], h0 + D, 'row 0 of [d, vocab] is column 0 of lm_head [vocab, d]');
  assert.is(head.data[V], h0 + 1);
});

test('F16 and BF16 checkpoints decode to float32', () => {
  const src = fakeGpt2();
  const wte = src.get('wte.weight')!;
  const vals = new Float32Array(wte.data.slice().buffer).map((x) => x / 4096);
  src.set('wte.weight', tensorFromArray('F16', [V, D], encodeF16(vals)));
  const { tensors } = gpt2ToNeutral(src);
  assert.is(tensors.get('embed.token')!.data[1], 1001 / 4096);
});

test('loads from disk; neutral → GPT-2 → file reproduces the original bytes', () => {
  const src = fakeGpt2({ lmHead: 'untied' });
  const path = join(dir, 'gpt2.safetensors');
  writeSafetensors(path, src, { format: 'pt' });
  const mapped = loadGpt2Checkpoint(path);
  const back = neutralToGpt2(mapped.tensors);
  assert.equal([...back.keys()].sort(), [...src.keys()].sort());
  assert.equal(serializeSafetensors(back, { format: 'pt' }), serializeSafetensors(src, { format: 'pt' }));
  assert.is(parseSafetensors(serializeSafetensors(back)).tensors.size, src.size);
});

test('unknown or missing tensors are data errors naming the file and tensor', () => {
  const err = (m: Map<string, SafeTensor>): LedgerLabError => {
    try { gpt2ToNeutral(m, 'gpt2.safetensors'); } catch (e) { assert.instance(e, LedgerLabError); return e as LedgerLabError; }
    throw new Error('expected an error');
  };
  const extra = fakeGpt2();
  extra.set('h.0.attn.rotary', tensorFromArray('F32', [1], new Float32Array(1)));
  let e = err(extra);
  assert.match(e.problem, 'unknown GPT-2 layer tensor "attn.rotary"');
  assert.is(e.where, 'gpt2.safetensors: tensor "h.0.attn.rotary"');
  const missing = fakeGpt2();
  missing.delete('h.1.mlp.c_fc.bias');
  e = err(missing);
  assert.match(e.problem, 'layer 1 lacks blocks.1.mlp.fc.bias');
  const noWte = fakeGpt2();
  noWte.delete('wte.weight');
  assert.match(err(noWte).problem, 'missing wte.weight');
  const ints = fakeGpt2();
  ints.set('ln_f.bias', tensorFromArray('I32', [D], new Int32Array(D)));
  assert.match(err(ints).problem, 'dtype I32 is not a float type');
  const badQkv = fakeGpt2();
  badQkv.set('h.0.attn.c_attn.bias', tensorFromArray('F32', [10], new Float32Array(10)));
  assert.match(err(badQkv).problem, 'fused qkv has shape [10]');
});

test.run();
