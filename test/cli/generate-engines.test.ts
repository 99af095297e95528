/**
 * `generate --engine ort` (issue 29): generation straight from a checkpoint directory through ONNX Runtime,
 * weights outside the wasm heap, in every storage. On the HF fixtures: fp32 gives the torch reference's 16
 * greedy tokens and its prompt logits within 1e-4 of the range (as the tfjs engine must); in fp16, bf16,
 * int8, nf4 and nf4-dq it gives the same greedy tokens as the tfjs model in that storage, and prompt logits
 * within 1e-4 of the range of tfjs' (the same dequantized weights, different kernels).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { capturedRun, repoRoot } from '../helpers/cli.ts';
import { generateCommand } from '../../lib/cli/commands/index.ts';
import { LedgerLabError } from '../../lib/errors.ts';

const FIXTURES = join(repoRoot, 'test', 'model', 'fixtures');
interface Expected { prompt: number[]; promptLogits: number[][]; greedy: number[] }
interface Out { generated: number[]; engine: string; promptLogits: number[][] }

async function run(args: string[]): Promise<Out> {
  return JSON.parse(await capturedRun(generateCommand, args)) as Out;
}

function worstOfRange(a: number[][], b: number[][]): { worst: number; range: number } {
  const flat = b.flat();
  const range = Math.max(...flat) - Math.min(...flat);
  let worst = 0;
  a.forEach((row, t) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b[t][j])))));
  return { worst, range };
}

for (const name of ['llama-gqa-f32', 'llama-tied-bf16', 'qwen2-bias-f16', 'gpt2-f32']) {
  test(`${name}: --engine ort matches the torch reference (fp32)`, async () => {
    const e = JSON.parse(readFileSync(join(FIXTURES, name, 'expected.json'), 'utf8')) as Expected;
    const out = await run(['--model', join(FIXTURES, name), '--ids', e.prompt.join(','), '--max-new', '16', '--json', '--logits', '--engine', 'ort']);
    assert.is(out.engine, 'ort');
    assert.equal(out.generated, e.greedy);
    const { worst, range } = worstOfRange(out.promptLogits, e.promptLogits);
    assert.ok(worst <= 1e-4 * range, `max |Δ| ${worst} vs range ${range}`);
  });
}

for (const quant of ['fp16', 'bf16', 'int8', 'nf4', 'nf4-dq']) {
  test(`qwen2 in ${quant}: ONNX Runtime and tfjs generate the same tokens`, async () => {
    const dir = join(FIXTURES, 'qwen2-bias-f16');
    const e = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
    const args = ['--model', dir, '--ids', e.prompt.join(','), '--max-new', '16', '--json', '--logits', '--quant', quant];
    const ort = await run([...args, '--engine', 'ort']);
    const tfjs = await run([...args, '--engine', 'tfjs']);
    assert.is(tfjs.engine, 'tfjs');
    assert.equal(ort.generated, tfjs.generated);
    const { worst, range } = worstOfRange(ort.promptLogits, tfjs.promptLogits);
    assert.ok(worst <= 1e-4 * range, `max |Δ| ${worst} vs range ${range}`);
  });
}

test('--engine ort refuses what it cannot open; auto keeps small checkpoints on tfjs', async () => {
  const dir = join(FIXTURES, 'gpt2-f32');
  const auto = await run(['--model', dir, '--ids', '1,2', '--max-new', '2', '--json']);
  assert.is(auto.engine, 'tfjs');
  for (const [args, re] of [
    [['--model', dir, '--ids', '1', '--engine', 'gpu'], /--engine must be one of auto, ort, tfjs/],
    [['--model', dir, '--ids', '1', '--engine', 'ort', '--adapter', dir], /--engine ort generates from a Hugging Face checkpoint/],
  ] as Array<[string[], RegExp]>) {
    try {
      await run(args);
      assert.unreachable(args.join(' '));
    } catch (err) {
      assert.instance(err, LedgerLabError);
      assert.match((err as Error).message, re);
    }
  }
});

test.run();
