import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../lib/runtime/index.ts';
import { buildModel } from '../../lib/peft/index.ts';
import { paths } from '../../lib/paths.ts';
import { readSafetensors, writeSafetensors, tensorFromArray } from '../../lib/model/safetensors.ts';
import { trainLoop, deterministicFields } from '../../lib/train/loop.ts';
import { readCheckpoint, CHECKPOINT_FILE } from '../../lib/train/checkpoint.ts';
import { TrainSchema } from '../../lib/train/config.ts';
import { killTestSetup } from './setup.ts';

await initBackend();
const tmp = mkdtempSync(join(tmpdir(), 'll-train-ckpt-'));
const node = join(paths.root, 'node_modules', '.bin', 'node');
const child = join(paths.root, 'test', 'train', 'child.ts');
const { f, method, config } = killTestSetup();

const metrics = (path: string) => readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);

test('kill -9 mid-run, then resume: same final weights (bitwise) and same metrics lines as an uninterrupted run', async () => {
  // Uninterrupted, in this process.
  const model = await buildModel(f.config, f.base, method, 'fp32', 0);
  const straightLines: Record<string, unknown>[] = [];
  await trainLoop({ model, config, train: f.train, eval: f.eval, padId: 0, seed: 7, quiet: true, onLog: (l) => straightLines.push(l) });
  const straight = new Map([...model.trainable].map(([n, v]) => [n, v.dataSync().slice()]));
  model.dispose();

  const dir = join(tmp, 'killed');
  const killed = spawnSync(node, [child, dir, '7'], { encoding: 'utf8', env: { ...process.env, LEDGERLAB_QUIET: '1' } });
  assert.is(killed.signal, 'SIGKILL', killed.stderr);
  assert.is(readCheckpoint(join(dir, CHECKPOINT_FILE))!.state.step, 4, 'the last checkpoint before the kill');
  assert.equal(metrics(join(dir, 'metrics.jsonl')).filter((l) => 'loss' in l).map((l) => l.step), [1, 2, 3, 4, 5, 6, 7]);
  // A checkpoint write killed half-way leaves only its temp file behind; resume must ignore it.
  const ckpt = readFileSync(join(dir, CHECKPOINT_FILE));
  writeFileSync(join(dir, `.${CHECKPOINT_FILE}.99999.1.tmp`), ckpt.subarray(0, ckpt.length >> 1));

  const resumed = spawnSync(node, [child, dir], { encoding: 'utf8', env: { ...process.env, LEDGERLAB_QUIET: '1' } });
  assert.is(resumed.status, 0, resumed.stderr);
  const final = readSafetensors(join(dir, 'final.safetensors')).tensors;
  assert.equal([...final.keys()].sort(), [...straight.keys()].sort());
  for (const [n, w] of straight) assert.equal(new Float32Array(final.get(n)!.data.slice().buffer), w, n);
  assert.equal(metrics(join(dir, 'metrics.jsonl')).map(deterministicFields), straightLines.map(deterministicFields));
  assert.is(straightLines.filter((l) => 'loss' in l).length, 12);
});

test('checkpoint file: trainable + AdamW moments + loop state in one safetensors; mismatches are located errors', async () => {
  const dir = join(tmp, 'inspect');
  const model = await buildModel(f.config, f.base, method, 'fp32', 0);
  await trainLoop({ model, config, train: f.train, padId: 0, seed: 7, quiet: true, checkpointDir: dir, stopAfter: 4 });
  const c = readCheckpoint(join(dir, CHECKPOINT_FILE))!;
  assert.equal([c.state.step, c.optimizer.step, c.state.iterator.epoch, c.state.iterator.batch], [4, 4, 1, 3], '4 steps × 2 micro-batches = 8 batches; 18 examples in batches of 4 = 5 per epoch');
  assert.equal([...c.params.keys()].sort(), [...model.trainable.keys()].sort());
  assert.equal([...c.optimizer.m.keys()].sort(), [...model.trainable.keys()].sort());
  for (const [n, v] of model.trainable) assert.equal(c.params.get(n), v.dataSync(), n);
  assert.is(c.state.rng.length, 5);
  model.dispose();

  const other = await buildModel(f.config, f.base, method, 'fp32', 0);
  try {
    await trainLoop({ model: other, config: TrainSchema.parse({ ...config, lr: 0.5 }), train: f.train, padId: 0, seed: 7, quiet: true, checkpointDir: dir, resume: true });
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /checkpoint was written with a different training config, seed or set of trainable tensors/);
  }
  other.dispose();

  const foreign = join(tmp, 'foreign.safetensors');
  writeSafetensors(foreign, { x: tensorFromArray('F32', [1], new Float32Array([1])) }, { format: 'something-else' });
  assert.throws(() => readCheckpoint(foreign), /not a LedgerLab training checkpoint \(format "something-else"\)/);
  assert.is(readCheckpoint(join(tmp, 'nothing-here.safetensors')), undefined);
  copyFileSync(join(dir, CHECKPOINT_FILE), join(tmp, 'copy.safetensors'));
  assert.is(readCheckpoint(join(tmp, 'copy.safetensors'))!.state.step, 4);
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
