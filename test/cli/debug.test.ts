// `--debug` shows the stack of a failure wherever it is caught — a run that fails inside the runner (which goes
// on with the sweep), a command's own error, the --json error line — and a failed run's run.json keeps the
// stack with or without --debug.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerlab, repoRoot } from '../helpers/cli.ts';

// A model context shorter than the fine-tuning sequences: pretraining (blocks of 32) works, the first
// fine-tuning step fails in Gpt.forward. Both runs share one base cache (pretrained once).
const cache = mkdtempSync(join(tmpdir(), 'll-debug-cache-'));
const failingRun = (root: string, debug: boolean) => ledgerlab([...(debug ? ['--debug'] : []), 'run', join(repoRoot, 'test', 'fixtures', 'finetune-tiny.json'), '--set', 'model.context=40', '--set', 'pretrain.steps=1'], {
  env: { LEDGERLAB_RESULTS: join(root, 'results'), LEDGERLAB_CACHE: cache },
});

const recordedError = (root: string) => {
  const dir = readdirSync(join(root, 'results')).find((d) => d.startsWith('finetune-tiny-'))!;
  return JSON.parse(readFileSync(join(root, 'results', dir, 'run.json'), 'utf8')).error as { message: string; stack?: string };
};

test('a failed run: --debug prints its stack down to LedgerLab\'s frames; run.json keeps it either way', () => {
  const root = mkdtempSync(join(tmpdir(), 'll-debug-'));
  const plain = failingRun(root, false);
  assert.is(plain.code, 1);
  assert.match(plain.stdout, "exceeds the model's context 40");
  assert.not.match(plain.stdout + plain.stderr, /\n\s+at /, 'no stack without --debug');
  const kept = recordedError(root);
  assert.match(kept.stack ?? '', /^LedgerLabError: sequence of \d+ positions from 0 exceeds the model's context 40/);
  assert.match(kept.stack ?? '', /at Gpt\.forward \(.*lib\/model\/gpt\.ts:\d+:\d+\)/);

  const again = mkdtempSync(join(tmpdir(), 'll-debug-'));
  const debug = failingRun(again, true);
  assert.is(debug.code, 1);
  assert.match(debug.stdout, /LedgerLabError: sequence of \d+ positions/);
  assert.match(debug.stdout, /at trainStep \(.*lib\/train\/step\.ts:\d+:\d+\)/, 'deep enough to reach the training loop');
});

test('a command\'s own error: the stack with --debug, in the text and in the --json error line', () => {
  const args = ['generate', '--model', '/nonexistent/model', '--ids', '1,2'];
  assert.not.match(ledgerlab(args).stderr, /\n\s+at /);
  assert.match(ledgerlab(['--debug', ...args]).stderr, /\n\s+at /);
  const j = ledgerlab(['--debug', ...args, '--json']);
  const err = JSON.parse(j.stderr.trim().split('\n').pop()!).error;
  assert.match(err.stack, /\n\s+at /);
  assert.is(JSON.parse(ledgerlab([...args, '--json']).stderr.trim().split('\n').pop()!).error.stack, undefined);
});

test.run();
