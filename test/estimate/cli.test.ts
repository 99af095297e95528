// `ledgerlab estimate` as a user runs it: a config.json file or a model directory, --json's keys, the readable
// table, --data measured with the directory's tokenizer, and located usage errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFileSync, existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerlab } from '../helpers/cli.ts';
import { paths } from '../../lib/paths.ts';
import { CHATGLM2_6B } from './configs.ts';

const tmp = mkdtempSync(join(tmpdir(), 'll-estimate-'));
const glm = join(tmp, 'chatglm2.json');
writeFileSync(glm, JSON.stringify(CHATGLM2_6B));

test('--json: one object with trainableParams, memory and step; a directory with config.json works the same', () => {
  const r = ledgerlab(['estimate', '--model', glm, '--method', 'lora', '--set', 'r=8', '--json']);
  assert.is(r.code, 0, r.stderr);
  const e = JSON.parse(r.stdout);
  assert.is(e.trainableParams, 1_949_696);
  assert.is(e.allParams, 6_245_533_696);
  for (const k of ['weights', 'trainable', 'gradients', 'optimizer', 'activations', 'overhead', 'total', 'device', 'fits']) assert.ok(k in e.memory, k);
  for (const k of ['seconds', 'samplesPerSecond', 'tokensPerSecond']) assert.ok(['mean', 'lo', 'hi'].every((x) => typeof e.step[k][x] === 'number'), k);
  writeFileSync(join(tmp, 'config.json'), JSON.stringify(CHATGLM2_6B));
  const d = ledgerlab(['estimate', '--model', tmp, '--method', 'lora', '--set', 'r=8', '--json']);
  assert.is(JSON.parse(d.stdout).trainableParams, 1_949_696, d.stderr);
});

test('the readable table: PEFT\'s line, memory parts, fits, step interval, the ratio of two methods', () => {
  const r = ledgerlab(['estimate', '--model', glm, '--method', 'lora,ptuning-v2', '--set', 'lora_rank=32', '--set', 'pre_seq_len=128', '--storage', 'nf4', '--checkpoint', '--batch', '4', '--seq', '192', '--device', 'rtx-4090']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, 'trainable params: 1,835,008 || all params: 6,245,419,008');
  assert.match(r.stdout, /weights +\d+\.\d\d GB +fp16 [\d.]+ GB \+ nf4 [\d.]+ GB/);
  assert.match(r.stdout, /of 24\.00 GB: fits/);
  assert.match(r.stdout, /samples\/s +[\d.]+ \[[\d.]+, [\d.]+\]/);
  assert.match(r.stdout, /ratio +lora \/ ptuning-v2 samples\/s: [\d.]+× \[/);
  const big = ledgerlab(['estimate', '--model', glm, '--method', 'full', '--storage', 'fp32', '--device', 'rtx-4090']);
  assert.match(big.stdout, 'DOES NOT FIT');
});

test('--data: token lengths measured with the model directory\'s tokenizer', () => {
  const tok = join(paths.datasets, '..', 'tokenizers', 'gpt2', 'tokenizer.json');
  if (!existsSync(tok)) return void console.log(`skipped: the shared GPT-2 tokenizer is not at ${tok}`);
  const dir = mkdtempSync(join(tmpdir(), 'll-estimate-gpt2-'));
  copyFileSync(tok, join(dir, 'tokenizer.json'));
  writeFileSync(join(dir, 'config.json'), JSON.stringify({ model_type: 'gpt2', n_embd: 768, n_layer: 12, n_head: 12, n_positions: 1024, vocab_size: 50257 }));
  const data = join(dir, 'pairs.jsonl');
  // GPT-2 BPE: "Hello world" is 2 tokens, "Hello" 1, nothing added → examples of 4 and 5 tokens
  writeFileSync(data, '{"prompt": "Hello world", "response": "Hello world"}\n{"prompt": "Hello world Hello world", "response": "Hello"}\n');
  const r = ledgerlab(['estimate', '--model', dir, '--method', 'lora', '--data', data, '--batch', '2', '--json']);
  assert.is(r.code, 0, r.stderr);
  const b = JSON.parse(r.stdout).batch;
  assert.equal(b.measured, { examples: 2, meanLength: 4.5, maxLength: 5, padding: 'longest' });
  // E[longest of 2 drawn from {4, 5}] = 4·¼ + 5·¾ = 4.75 → 5 positions; 2 × 4.5 real tokens
  assert.is(b.paddedLength, 5);
  assert.is(b.realTokens, 9);
  const m = ledgerlab(['estimate', '--model', dir, '--method', 'lora', '--data', data, '--padding', 'max_length', '--seq', '16', '--json']);
  assert.is(JSON.parse(m.stdout).batch.paddedLength, 16);
});

test('usage errors are located: unknown --set key, missing flags, unknown device, bad config', () => {
  const r = ledgerlab(['estimate', '--model', glm, '--method', 'lora', '--set', 'rank=8', '--json']);
  assert.is(r.code, 2);
  const err = JSON.parse(r.stderr).error;
  assert.is(err.code, 'usage.bad_option');
  assert.is(err.where, '--set rank');
  assert.equal(err.issues[0].path, ['rank']);
  assert.match(ledgerlab(['estimate', '--method', 'lora']).stderr, '--model is required');
  assert.match(ledgerlab(['estimate', '--model', glm, '--method', 'lora', '--device', 'tpu']).stderr, 'unknown device "tpu"');
  assert.match(ledgerlab(['estimate', '--model', glm, '--method', 'full', '--storage', 'nf4']).stderr, 'full fine-tuning cannot train a nf4 base');
  const bad = join(tmp, 'bad.json');
  writeFileSync(bad, JSON.stringify({ model_type: 'llama', hidden_size: 64 }));
  const b = ledgerlab(['estimate', '--model', bad, '--method', 'lora', '--json']);
  assert.is(b.code, 1);
  assert.ok(JSON.parse(b.stderr).error.issues.some((i: { path: string[] }) => i.path[0] === 'num_attention_heads'));
});

test.run();
