/**
 * `ledgerlab bench train --arch llama --size s` through the real CLI: both engines build the same model (the
 * PyTorch reference in bench/torch/llama_step.py has exactly the trainable parameters LedgerLab counts, method
 * by method). Speed is printed, never asserted.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ledgerlab } from '../helpers/cli.ts';

test('llama s: issue 15 shape, AdamW, every method beside a PyTorch step with the same trainable parameters', () => {
  const r = ledgerlab(['bench', 'train', '--arch', 'llama', '--size', 's', '--methods', 'lora,ptuning-v1,qlora', '--repeats', '1', '--warmup', '0', '--json']);
  assert.is(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal([j.arch, j.size, j.shape.batch, j.shape.seqLen, j.shape.optimizer], ['llama', 's', 16, 64, 'adamw']);
  const c = j.shape.config;
  assert.equal([c.arch, c.layers, c.dModel, c.heads, c.kvHeads, c.ffn, c.vocab, c.tiedHead], ['llama', 2, 128, 4, 2, 352, 2000, false]);
  assert.equal(j.rows.map((x: { label: string }) => x.label), ['lora', 'ptuning-v1', 'qlora']);
  // LoRA r 8 on q (128→128) and v (128→64) in 2 layers: 2·8·(256 + 192) = 7168; the MLP prompt encoder
  // (128→128→128→128 with biases) + 16×128 prompt = 51584.
  assert.equal(j.rows.map((x: { trainableParams: number }) => x.trainableParams), [7168, 51584, 7168]);
  if ('unavailable' in j.torch) throw new Error(`PyTorch reference did not run: ${j.torch.unavailable}`);
  assert.equal(j.torch.rows.map((x: { method: string; trainable: number }) => [x.method, x.trainable]), [['lora', 7168], ['ptuning-v1', 51584], ['qlora', 7168]]);
  assert.equal(j.torch.shape, { layers: 2, d: 128, heads: 4, kv: 2, ffn: 352, seq: 64, batch: 16, vocab: 2000 });
  // One thread really: OpenBLAS's own pool is limited too (it would otherwise run the GEMMs on every core).
  assert.is(j.torch.processThreads, 1);
  assert.ok(j.rows.every((x: { stepMs: { median: number }; cpuMs: { median: number } }) => x.stepMs.median > 0 && x.cpuMs.median > 0));
  // The profile of a step names its kernels; the products are there, by shape.
  assert.ok(j.rows[0].profile.byKernel.some((k: { name: string }) => k.name === 'BatchMatMul'));
  assert.match(j.rows[0].profile.byMatMulShape[0].name, /^BatchMatMul \[/);
});

test('bad --arch / --size: usage errors', () => {
  const a = ledgerlab(['bench', 'train', '--arch', 'bert']);
  assert.is(a.code, 2);
  assert.match(a.stderr, 'error (usage): --arch must be gpt2 or llama, got "bert"');
  const s = ledgerlab(['bench', 'train', '--size', 'xl']);
  assert.is(s.code, 2);
  assert.match(s.stderr, '--size must be s or l');
});

test.run();
