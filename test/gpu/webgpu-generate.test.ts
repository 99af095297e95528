// Generation and the training step's reads on the WebGPU path (Mesa's lavapipe): `generate --logits` on the
// Llama, Qwen2 and GPT-2 layout test checkpoints (test/model/fixtures) against wasm — prompt logits within the
// device-parity tolerance (1e-3 of the logit range), the 16 greedy tokens equal — and `bench train --arch llama
// --size s`, whose step makes no synchronous read on WebGPU; the device check's parity with wasm (logits, a LoRA
// step's loss and gradients). Without an adapter these fail, saying why.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.ts';
import { PARITY_TOLERANCE } from '../../lib/index.ts';
import { failure, ledgerlabOn, onBoth } from './webgpu.ts';

const FIXTURES = join(repoRoot, 'test', 'model', 'fixtures');

interface Generated { generated: number[]; promptLogits: number[][] }

for (const name of ['llama-gqa-f32', 'qwen2-bias-f16', 'gpt2-f32']) {
  test(`${name}: webgpu's prompt logits within ${PARITY_TOLERANCE.logitsOfRange} of the range of wasm's, 16 greedy tokens equal`, async () => {
    const { prompt } = JSON.parse(readFileSync(join(FIXTURES, name, 'expected.json'), 'utf8')) as { prompt: number[] };
    const r = await onBoth(['generate', '--model', join(FIXTURES, name), '--ids', prompt.join(','), '--max-new', '16', '--json', '--logits']);
    for (const side of [r.wasm, r.webgpu]) assert.is(side.result.code, 0, failure(side));
    const [a, b] = [r.wasm, r.webgpu].map((s) => JSON.parse(s.result.stdout) as Generated);
    assert.equal(b!.generated, a!.generated, 'greedy tokens');
    const flat = a!.promptLogits.flat();
    const range = Math.max(...flat) - Math.min(...flat);
    let worst = 0;
    a!.promptLogits.forEach((row, t) => row.forEach((v, j) => (worst = Math.max(worst, Math.abs(v - b!.promptLogits[t]![j]!)))));
    assert.ok(worst <= PARITY_TOLERANCE.logitsOfRange * range, `max |Δ| ${worst} vs range ${range}`);
  });
}

test('device parity (the device check\'s own, lib/bench/device-parity.ts) on the software adapter: logits, a LoRA step\'s loss and gradients', () => {
  const script = `const m = await import(${JSON.stringify(join(repoRoot, 'lib', 'index.ts'))}); await m.initBackend(); console.log(JSON.stringify(await m.backendParity('webgpu'))); process.exit(0);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, LEDGERLAB_BACKEND: 'webgpu' }, timeout: 180_000 });
  assert.is(r.status, 0, r.stderr);
  const results = JSON.parse(r.stdout.trim().split('\n').pop()!) as { name: string; passed: boolean; detail: string }[];
  assert.equal(results.map((x) => x.name), ['logits gpt reference', 'lora loss gpt reference', 'lora gradients gpt reference']);
  for (const x of results) assert.ok(x.passed, `${x.name}: ${x.detail}`);
});

test('bench train --arch llama --size s on webgpu: 0 synchronous reads in a step (its one read: the loss, asynchronous)', async () => {
  const root = join(repoRoot, '.cache');
  const r = await ledgerlabOn('webgpu', ['bench', 'train', '--arch', 'llama', '--size', 's', '--methods', 'qlora', '--warmup', '0', '--repeats', '1', '--no-torch', '--json'], root);
  assert.is(r.code, 0, `bench train on webgpu exited ${r.code}: ${r.stderr.trim().split('\n').slice(-20).join('\n')}`);
  const out = JSON.parse(r.stdout) as { environment: { backend: { tfBackend: string } }; rows: { label: string; reads: { sync: number; async: number } }[] };
  assert.is(out.environment.backend.tfBackend, 'webgpu');
  for (const row of out.rows) assert.equal(row.reads, { sync: 0, async: 1 }, row.label);
});

test.run();
