/**
 * `ledgerlab bench train --arch llama --size s` through the real CLI (`--no-torch`: no test runs Python; the
 * command itself refuses to compare with a PyTorch reference whose trainable parameters differ from ours, method
 * by method). Speed is printed, never asserted.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ledgerlab } from '../helpers/cli.ts';

test('llama s: issue 15 shape, AdamW, the trainable parameters of every method', () => {
  const r = ledgerlab(['bench', 'train', '--arch', 'llama', '--size', 's', '--methods', 'lora,ptuning-v1,qlora', '--repeats', '1', '--warmup', '0', '--no-torch', '--json']);
  assert.is(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal([j.arch, j.size, j.shape.batch, j.shape.seqLen, j.shape.optimizer], ['llama', 's', 16, 64, 'adamw']);
  const c = j.shape.config;
  assert.equal([c.arch, c.layers, c.dModel, c.heads, c.kvHeads, c.ffn, c.vocab, c.tiedHead], ['llama', 2, 128, 4, 2, 352, 2000, false]);
  assert.equal(j.rows.map((x: { label: string }) => x.label), ['lora', 'ptuning-v1', 'qlora']);
  // LoRA r 8 on q (128→128) and v (128→64) in 2 layers: 2·8·(256 + 192) = 7168; the MLP prompt encoder
  // (128→128→128→128 with biases) + 16×128 prompt = 51584.
  assert.equal(j.rows.map((x: { trainableParams: number }) => x.trainableParams), [7168, 51584, 7168]);
  assert.is(j.torch, undefined, '--no-torch');
  assert.ok(j.rows.every((x: { stepMs: { wall: { mean: number }; cpu: { mean: number } } }) => x.stepMs.wall.mean > 0 && x.stepMs.cpu.mean > 0));
  // The profile of a step names its kernels; the products are there, by shape.
  assert.ok(j.rows[0].profile.byKernel.some((k: { name: string }) => k.name === 'BatchMatMul'));
  assert.match(j.rows[0].profile.byMatMulShape[0].name, /^BatchMatMul \[/);
  // One thread means one core: the bench runs on a Node whose garbage collector has no helper threads.
  assert.is(j.environment.node.gc, 'single-threaded');
  // A timed command runs with glibc malloc keeping freed memory (bin/ledgerlab.js), and the record says so.
  assert.equal(j.environment.node.malloc, { mmapThresholdBytes: 32 * 2 ** 20, trimThresholdBytes: 256 * 2 ** 20 });
});

test('--threads 2 and LEDGERLAB_GC=parallel keep V8\'s parallel garbage collector, LEDGERLAB_MALLOC=default glibc\'s malloc, and the record says so', () => {
  const args = ['bench', 'train', '--arch', 'llama', '--size', 's', '--methods', 'lora', '--repeats', '1', '--warmup', '0', '--max-rounds', '2', '--no-torch', '--json'];
  const two = ledgerlab([...args, '--threads', '2']);
  assert.is(two.code, 0, two.stderr);
  assert.is(JSON.parse(two.stdout).environment.node.gc, 'parallel');
  const env = ledgerlab(args, { env: { LEDGERLAB_GC: 'parallel', LEDGERLAB_MALLOC: 'default', MALLOC_MMAP_THRESHOLD_: undefined, MALLOC_TRIM_THRESHOLD_: undefined } });
  assert.is(env.code, 0, env.stderr);
  assert.is(JSON.parse(env.stdout).environment.node.gc, 'parallel');
  assert.is(JSON.parse(env.stdout).environment.node.malloc, 'default', "LEDGERLAB_MALLOC=default keeps glibc's defaults");
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
