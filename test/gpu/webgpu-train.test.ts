// Training, evaluation and generation on the WebGPU path, on Mesa's lavapipe (a software Vulkan device: the
// same tfjs-backend-webgpu code a GPU runs), against wasm on the same seeds: the smoke experiment, a fine-tuning
// run with LoRA and with P-Tuning v2, the qlora kind over every storage (fp32, fp16, int8, nf4, nf4-dq) and the drift kind (LoRA,
// QLoRA, P-Tuning v2 cycles with checkpoints), each cut to a few steps of a tiny model (lavapipe is a CPU).
// Without an adapter these fail, saying why; they never skip.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.ts';
import { LOSS_REL_TOL, failure, ledgerlabOn, numbersApart, onBoth, rel, runsOf, type SideRun } from './webgpu.ts';

const TINY = JSON.stringify({ layers: 1, dModel: 32, heads: 2, context: 256, vocab: 2000 });
// Timings, memory measured from the process, cache keys and hashes differ between identical runs.
const NOT_MATH = /^(time|seconds|.*[sS]econds|.*Ms|ms|stepMs|tokensPerS|.*PerS|paddedTokensPerS|samplesPerS|tfBytes|rssBytes|peak.*|.*Bytes.*|key|sha256|.*Sha256|checkpoint|environment|timing|decode.*|dequant.*|speed.*|throughput.*|memory)$/;

function bothFinished(r: Record<'wasm' | 'webgpu', SideRun>): void {
  for (const side of [r.wasm, r.webgpu]) assert.is(side.result.code, 0, failure(side));
}

/** Every metrics line's losses (train loss, eval loss, grad norm) within LOSS_REL_TOL, line by line. */
function lossesAgree(r: Record<'wasm' | 'webgpu', SideRun>): number {
  const a = runsOf(r.wasm), b = runsOf(r.webgpu);
  assert.equal(b.map((x) => x.runId), a.map((x) => x.runId), 'the same runs on both sides');
  let compared = 0;
  a.forEach((run, i) => {
    assert.is(b[i]!.record.status, 'finished', `${run.runId} on webgpu`);
    assert.is(b[i]!.metrics.length, run.metrics.length, `${run.runId}: metrics lines`);
    run.metrics.forEach((line, j) => {
      for (const k of ['loss', 'evalLoss', 'gradNorm', 'trainLoss'] as const) {
        const x = line[k], y = b[i]!.metrics[j]![k];
        if (typeof x !== 'number') continue;
        assert.ok(typeof y === 'number' && rel(x, y) <= LOSS_REL_TOL, `${run.runId} line ${j + 1} ${k}: wasm ${x} vs webgpu ${y}`);
        compared++;
      }
    });
  });
  return compared;
}

test('the software adapter starts tfjs-backend-webgpu (else: why, and what to install)', async () => {
  const r = await ledgerlabOn('webgpu', ['env', '--json'], join(repoRoot, '.cache'));
  assert.is(r.code, 0, `no WebGPU adapter for the GPU-path tests: ${r.stderr.trim()}\nInstall Mesa's lavapipe (≥ 24) and the Vulkan loader: bash scripts/setup-system.sh test (as root)`);
  assert.is(JSON.parse(r.stdout).backend.tfBackend, 'webgpu');
});

test('finetune, LoRA and P-Tuning v2: every logged loss, eval loss and gradient norm within 1e-4 of wasm', async () => {
  const methods = [{ method: 'lora', r: 4, targets: ['q', 'v'] }, { method: 'ptuning-v2', prefixLength: 4 }];
  const r = await onBoth(['run', join(repoRoot, 'test', 'fixtures', 'finetune-tiny.json'), '--set', `sweep=${JSON.stringify({ method: methods })}`, '--set', 'train.steps=4', '--set', 'train.evalEvery=2', '--json']);
  bothFinished(r);
  assert.ok(lossesAgree(r) >= 2 * (4 + 4), 'train losses, norms and eval losses of both methods were compared');
  const [a, b] = [runsOf(r.wasm), runsOf(r.webgpu)];
  a.forEach((run, i) => assert.equal(numbersApart(run.record.summary, b[i]!.record.summary, LOSS_REL_TOL, NOT_MATH), [], `${run.runId} summary`));
});

test('experiments/smoke.json (its data, LoRA on q, k, v), cut to a tiny model and a few steps: losses within 1e-4 of wasm', async () => {
  const sets = {
    model: TINY, pretrain: JSON.stringify({ steps: 2, batchSize: 4, blockSize: 32 }), 'data.evalCount': '4',
    train: JSON.stringify({ steps: 4, batchSize: 4, lr: 0.005, evalEvery: 2, checkpointEvery: 2, logEvery: 1 }), eval: JSON.stringify({ count: 2, maxNew: 4 }),
  };
  const r = await onBoth(['run', join(repoRoot, 'experiments', 'smoke.json'), ...Object.entries(sets).flatMap(([k, v]) => ['--set', `${k}=${v}`]), '--json']);
  bothFinished(r);
  assert.ok(lossesAgree(r) >= 4, 'train losses and eval losses compared');
});

test('qlora kind on every storage (fp32, fp16, int8, nf4, nf4-dq): losses within 1e-4 of wasm', async () => {
  const sets = {
    model: TINY, pretrain: JSON.stringify({ steps: 2, batchSize: 4, blockSize: 32 }), 'data.evalCount': '4', trainSteps: '2',
    dtypes: JSON.stringify(['fp32', 'fp16', 'int8', 'nf4', 'nf4-dq']), quality: JSON.stringify(['fp16', 'nf4-dq']),
    timing: JSON.stringify({ warmup: 0, steps: 1 }), eval: JSON.stringify({ count: 2, maxNew: 4 }), 'scaling.ladder': '[]', seeds: '[0]',
  };
  const r = await onBoth(['run', join(repoRoot, 'experiments', 'qlora-quick.json'), ...Object.entries(sets).flatMap(([k, v]) => ['--set', `${k}=${v}`]), '--json']);
  bothFinished(r);
  lossesAgree(r);
  const [a, b] = [runsOf(r.wasm)[0]!, runsOf(r.webgpu)[0]!];
  const dtypes = (s: Record<string, unknown> | undefined) => s?.dtypes as Record<string, { quality?: { evalLoss: number; finalLoss: number } }>;
  for (const d of ['fp16', 'nf4-dq']) {
    const x = dtypes(a.record.summary)[d]!.quality!, y = dtypes(b.record.summary)[d]!.quality!;
    assert.ok(rel(x.evalLoss, y.evalLoss) <= LOSS_REL_TOL && rel(x.finalLoss, y.finalLoss) <= LOSS_REL_TOL, `${d}: wasm ${JSON.stringify(x)} vs webgpu ${JSON.stringify(y)}`);
  }
  assert.equal(Object.keys(dtypes(b.record.summary)).sort(), ['fp16', 'fp32', 'int8', 'nf4', 'nf4-dq'], 'a timed training step on every storage');
});

test('drift kind (LoRA, QLoRA, P-Tuning v2 cycles, checkpointed between cycles): losses within 1e-4 of wasm', async () => {
  const sets = {
    model: JSON.stringify({ layers: 1, dModel: 32, heads: 2, context: 160, vocab: 2000 }), pretrain: JSON.stringify({ steps: 2, batchSize: 4, blockSize: 32 }),
    cycles: '2', window: '8', stepsPerCycle: '2', batchSize: '4', maxSource: '32', maxTarget: '32',
    eval: JSON.stringify({ heldOut: 2, window: 0, maxNew: 4, resamples: 10 }), detect: JSON.stringify({ baseline: 2 }),
  };
  const r = await onBoth(['run', join(repoRoot, 'experiments', 'drift-quick.json'), ...Object.entries(sets).flatMap(([k, v]) => ['--set', `${k}=${v}`]), '--json']);
  bothFinished(r);
  assert.ok(lossesAgree(r) > 0, 'cycle losses compared');
});

test.run();
