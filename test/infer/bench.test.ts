import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { initBackend } from '../../lib/runtime/index.ts';
import { benchGenerate } from '../../lib/infer/index.ts';
import { benchGenerateCommand } from '../../lib/cli/commands/index.ts';
import { LedgerLabError } from '../../lib/errors.ts';
import { SMALL } from './fixtures.ts';
import { capturedRun } from '../helpers/cli.ts';

await initBackend();


test('benchGenerate: both backends, the requested repeats, same greedy tokens, consistent rates', async () => {
  const r = await benchGenerate({ config: SMALL, newTokens: 5, batch: 2, promptTokens: 3, repeats: 3, warmup: 1 });
  assert.equal(r.rows.map((x) => x.backend), ['tfjs', 'onnxruntime']);
  assert.equal(r.rows.map((x) => x.ms.n), [3, 3]);
  assert.ok(r.sameTokens);
  for (const row of r.rows) {
    // tokens/s per repeat is batch·new / seconds of that repeat.
    row.ms.samples.forEach((ms, i) => assert.ok(Math.abs(row.tokensPerSec.samples[i] - 10 / (ms / 1000)) < 1e-6));
  }
  assert.ok(Math.abs(r.speedup - r.rows[1].tokensPerSec.median / r.rows[0].tokensPerSec.median) < 1e-12);
});

test('benchGenerate refuses a generation longer than the context', async () => {
  try {
    await benchGenerate({ config: SMALL, newTokens: 60, promptTokens: 10 });
    assert.unreachable();
  } catch (err) {
    assert.instance(err, LedgerLabError);
    assert.is((err as LedgerLabError).problem, 'prompt 10 + 60 new tokens exceeds the context 64');
  }
});

test('bench generate --json on the reference config: environment, rows and flags', async () => {
  const out = JSON.parse(await capturedRun(benchGenerateCommand, ['--json', '--new', '3', '--batch', '2', '--repeats', '1', '--warmup', '0']));
  assert.equal(Object.keys(out).sort(), ['batch', 'config', 'environment', 'newTokens', 'ortThreads', 'promptTokens', 'repeats', 'rows', 'sameTokens', 'speedup', 'speedupPaired', 'timing', 'warmup']);
  assert.equal([out.config.layers, out.config.dModel, out.config.heads, out.config.vocab], [2, 128, 4, 2000]);
  assert.equal([out.newTokens, out.batch, out.promptTokens, out.repeats, out.warmup, out.ortThreads], [3, 2, 16, 1, 0, 1]);
  assert.is(out.sameTokens, true);
  assert.is(out.environment.backend.name, 'wasm');
});

test('bench generate text output names both backends and the environment', async () => {
  const text = await capturedRun(benchGenerateCommand, ['--new', '2', '--repeats', '1', '--warmup', '0', '--threads', '2']);
  const lines = text.split('\n');
  assert.is(lines.length, 5);
  assert.match(lines[0], /^generation bench — wasm\+ort-matmul backend, tfjs 4\.22\.0, Node v22\.\d+\.\d+, .*; onnxruntime-node 1\.30\.0 \(2 threads\)$/);
  assert.is(lines[1], '  model 2 layers, d 128, 4 heads, vocab 2000; batch 1, prompt 16, 2 new tokens, greedy; warm-up 0, 1 timed');
  assert.match(lines[2], /^  tfjs +\d+ tokens\/s \(IQR \d+–\d+, n=1\)/);
  assert.match(lines[3], /^  onnxruntime +\d+ tokens\/s/);
  assert.match(lines[4], /same greedy tokens: yes$/);
});

test.run();
