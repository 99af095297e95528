// The PyTorch reference child's protocol, driven against a fake child (a small node script): no Python here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { TorchChild, torchShape, benchShape } from '../../lib/bench/index.ts';
import { timeArms, ratioOf } from '../../lib/measure/index.ts';
import { LedgerLabError } from '../../lib/errors.ts';
import { FakeMachine } from '../helpers/fake-machine.ts';

const fake = { command: process.execPath, args: [join(import.meta.dirname, '..', 'fixtures', 'fake-torch-child.ts')] };

async function started(method: string, threads = 1): Promise<TorchChild> {
  const c = await TorchChild.start({ ...fake, threads, config: { arch: 'llama', method, layers: 8 } });
  if ('unavailable' in c) throw new Error(c.unavailable);
  return c;
}

test('what the child loads: the built-in shape\'s sizes, or a llama-family checkpoint directory (hf_step.py)', () => {
  const l = benchShape('llama', 'l');
  assert.equal(torchShape(l), { arch: 'llama', layers: 8, d: 512, heads: 8, kv: 4, ffn: 1408, seq: 256, batch: 4, vocab: 8000 });
  assert.equal(torchShape({ ...l, batch: 1, seqLen: 256 }, '/models/qwen'), { arch: 'hf', dir: '/models/qwen', seq: 256, batch: 1 });
  assert.match((torchShape(benchShape('gpt2', 's'), '/models/gpt2') as { unavailable: string }).unavailable, 'no PyTorch reference for gpt2 checkpoints');
});

test('load then step: the child reports its model and each step\'s own wall and CPU ms; thread variables are set', async () => {
  const c = await started('lora', 2);
  assert.is(c.info.trainable, 800);
  assert.is(c.info.threads, 2);
  assert.equal(c.info.env, { OPENBLAS_NUM_THREADS: '2', OMP_NUM_THREADS: '2', MKL_NUM_THREADS: '2' });
  assert.equal(await c.step(), { wallMs: 40, cpuMs: 38 });
  assert.equal(await c.step(), { wallMs: 40, cpuMs: 38 });
  c.close();
});

test('no torch: unavailable with the install hint; a failing step: a LedgerLabError naming it', async () => {
  const u = await TorchChild.start({ ...fake, threads: 1, config: { arch: 'llama', method: 'notorch', layers: 1 } });
  assert.equal(u, { unavailable: 'python3-torch is not installed (apt-get install python3-torch)' });
  const b = await started('broken');
  try {
    await b.step();
    assert.unreachable('a failed step must throw');
  } catch (err) {
    assert.instance(err, LedgerLabError);
    assert.match((err as LedgerLabError).problem, 'the PyTorch reference step failed: RuntimeError: boom');
  } finally {
    b.close();
  }
});

test('a child that dies: the pending step fails instead of hanging', async () => {
  const c = await TorchChild.start({ command: process.execPath, args: ['-e', "process.stdin.once('data', () => process.stdout.write(JSON.stringify({ ok: true, trainable: 1 }) + '\\n')); process.stdin.on('data', (d) => { if (String(d).startsWith('step')) process.exit(3); });"], threads: 1, config: { arch: 'gpt2', method: 'lora' } });
  assert.not.ok('unavailable' in c);
  try {
    await (c as TorchChild).step();
    assert.unreachable('must throw');
  } catch (err) {
    assert.match(String((err as Error).message), /exited \(3\)/);
  }
});

test('LedgerLab and PyTorch steps alternate within each round; the ratio uses the child\'s own times', async () => {
  const m = new FakeMachine();
  const c = await started('lora');
  const order: string[] = [];
  const arms = [
    { name: 'ledgerlab', step: () => { order.push('L'); m.advance(20); } },
    { name: 'pytorch', step: async () => { order.push('P'); const t = await c.step(); m.child(t.wallMs); return t; } },
  ];
  const r = await timeArms(arms, { seed: 'x', batches: 2, warmupRounds: 0, minRounds: 3, maxRounds: 3, lock: false, probe: m.probe(), ratios: [ratioOf('ledgerlab', 'pytorch', 'speed')] });
  c.close();
  assert.is(order.length, 12);
  for (let round = 0; round < 3; round++) assert.equal(order.slice(4 * round, 4 * round + 4).sort(), ['L', 'L', 'P', 'P']);
  assert.ok(Math.abs(r.ratios.speed!.wall.mean - 2) < 1e-12, 'ours 20 ms vs the child\'s 40 ms');
  assert.ok(Math.abs(r.ratios.speed!.cpu.mean - 38 / 20) < 1e-12, 'CPU: ours 20 ms vs the child\'s 38 ms');
  assert.is(r.noise.status, 'quiet', 'the child\'s CPU time is counted as ours, not as foreign load');
});

test.run();
