/**
 * Parity through the CLI: `ledgerlab generate --json --logits` on checkpoints in the Hugging Face layout
 * (seeded random weights, written by test/model/fixtures/make_hf_fixtures.py) against the independent torch
 * reference stored beside them — prompt logits within 1e-4 of the logit range, 16 greedy tokens identical.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, cpSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { capturedRun, ledgerlab, repoRoot } from '../helpers/cli.ts';
import { llamaDir } from '../helpers/hf-tokenizer-dir.ts';
import { generateCommand } from '../../lib/cli/commands/index.ts';
import { LedgerLabError } from '../../lib/errors.ts';
import { tmpdir } from 'node:os';

const FIXTURES = join(repoRoot, 'test', 'model', 'fixtures');
const NAMES = ['llama-gqa-f32', 'llama-tied-bf16', 'qwen2-bias-f16', 'gpt2-f32'];

interface Expected { prompt: number[]; promptLogits: number[][]; greedy: number[] }

for (const name of NAMES) {
  test(`${name}: prompt logits within 1e-4 of the range and 16 greedy tokens identical`, () => {
    const e = JSON.parse(readFileSync(join(FIXTURES, name, 'expected.json'), 'utf8')) as Expected;
    const r = ledgerlab(['generate', '--model', join(FIXTURES, name), '--ids', e.prompt.join(','), '--max-new', '16', '--json', '--logits']);
    assert.is(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { generated: number[]; text: string; promptLogits: number[][] };
    assert.equal(out.generated, e.greedy);
    assert.is(out.promptLogits.length, e.prompt.length);
    const flat = e.promptLogits.flat();
    const range = Math.max(...flat) - Math.min(...flat);
    let worst = 0;
    out.promptLogits.forEach((row, t) => {
      assert.is(row.length, e.promptLogits[t].length);
      row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - e.promptLogits[t][j]))));
    });
    assert.ok(worst <= 1e-4 * range, `max |Δ| ${worst} vs range ${range}`);
  });
}


test('seeded sampling repeats itself and differs from greedy; a text prompt streams decoded text', async () => {
  const dir = join(FIXTURES, 'llama-gqa-f32');
  const e = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
  const run = async (seed: string) => (JSON.parse(await capturedRun(generateCommand, ['--model', dir, '--ids', e.prompt.join(','), '--max-new', '16', '--temperature', '1.5', '--top-k', '40', '--top-p', '0.95', '--seed', seed, '--json'])) as { generated: number[] }).generated;
  const a = await run('7');
  assert.equal(await run('7'), a);
  assert.not.equal(a, e.greedy);
  assert.not.equal(await run('8'), a);
  // A copy of the checkpoint with a small Llama-style tokenizer beside it (its vocabulary is ids 0–8).
  const withTok = mkdtempSync(join(tmpdir(), 'll-gen-'));
  cpSync(dir, withTok, { recursive: true });
  cpSync(llamaDir({}), withTok, { recursive: true });
  const out = JSON.parse(await capturedRun(generateCommand, ['--model', withTok, '--prompt', 'hi', '--max-new', '3', '--json'])) as { prompt: number[]; generated: number[]; text: string };
  assert.equal(out.prompt, [1, 7], '<s> ▁hi');
  assert.is(out.generated.length, 3);
  const plain = ledgerlab(['generate', '--model', withTok, '--prompt', 'hi', '--max-new', '3']);
  assert.is(plain.code, 0, plain.stderr);
  assert.is(plain.stdout, out.text + '\n');
});

test('bad input: unknown dir, both prompt forms, ids outside the vocabulary, --prompt without a tokenizer', async () => {
  const dir = join(FIXTURES, 'gpt2-f32');
  const cases: Array<[string[], RegExp]> = [
    [['--model', '/nonexistent', '--ids', '1'], /does not exist/],
    [['--model', dir, '--ids', '1', '--prompt', 'x'], /exactly one of --prompt/],
    [['--model', dir, '--ids', '1,999'], /token id 999 is outside the vocabulary \(128\)/],
    [['--model', dir, '--prompt', 'hello'], /has no tokenizer\.json/],
    [['--model', dir, '--ids', '1', '--top-p', '0'], /--top-p must be in \(0, 1\]/],
    [['--model', dir, '--ids', '1', '--quant', 'nf5'], /--quant must be one of/],
  ];
  for (const [args, re] of cases) {
    try {
      await capturedRun(generateCommand, args);
      assert.unreachable(args.join(' '));
    } catch (err) {
      assert.instance(err, LedgerLabError, args.join(' '));
      assert.match((err as Error).message, re);
    }
  }
  const r = ledgerlab(['generate', '--model', dir, '--ids', 'x']);
  assert.is(r.code, 2);
  assert.match(r.stderr, /--ids expects comma-separated token ids/);
});

test.run();
