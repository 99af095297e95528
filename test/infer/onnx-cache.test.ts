import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../lib/runtime/index.ts';
import { exportOnnx, OrtDecoder, type OrtCache } from '../../lib/infer/index.ts';
import { LedgerLabError } from '../../lib/errors.ts';
import { makeModel, maxAbsDiff, randomIds, tfjsLogits, SMALL, type Kind } from './fixtures.ts';

const TOL = 1e-4;
await initBackend();

/** Rows [b, t0, t1) of logits [B, T, V] as one flat array (for comparing chunks against the full run). */
function rows(logits: Float32Array, B: number, T: number, t0: number, t1: number, V: number): Float32Array {
  const out = new Float32Array(B * (t1 - t0) * V);
  for (let b = 0; b < B; b++) out.set(logits.subarray((b * T + t0) * V, (b * T + t1) * V), b * (t1 - t0) * V);
  return out;
}

function cols(ids: Int32Array, B: number, T: number, t0: number, t1: number): Int32Array {
  const out = new Int32Array(B * (t1 - t0));
  for (let b = 0; b < B; b++) out.set(ids.subarray(b * T + t0, b * T + t1), b * (t1 - t0));
  return out;
}

/** Feeds ids in chunks (prefill 4, then 3, then one at a time) and checks each chunk against the full run. */
async function incremental(kind: Kind) {
  const B = 2, T = 10, V = SMALL.vocab;
  const model = await makeModel(kind);
  const ids = randomIds(`cache-${kind}`, B * T, V);
  const full = await tfjsLogits(model, ids, B, T);
  const dec = await OrtDecoder.create(await exportOnnx(model));
  const onnxFull = (await dec.run(ids, B, T)).logits;
  assert.ok(maxAbsDiff(onnxFull, full) <= TOL);
  let past: OrtCache | undefined;
  const bounds = [0, 4, 7, 8, 9, 10];
  let worst = 0;
  for (let j = 0; j + 1 < bounds.length; j++) {
    const [t0, t1] = [bounds[j], bounds[j + 1]];
    const r = await dec.run(cols(ids, B, T, t0, t1), B, t1 - t0, past);
    worst = Math.max(worst, maxAbsDiff(r.logits, rows(full, B, T, t0, t1, V)));
    assert.is(r.present.length, t1);
    assert.equal(r.present.values[1].dims, [B, SMALL.heads, t1, SMALL.dModel / SMALL.heads]);
    past = r.present;
  }
  assert.ok(worst <= TOL, `${kind}: cached vs full ${worst}`);
  // The cache is exactly the full run's keys: the last present equals a one-shot run's present.
  const one = await dec.run(ids, B, T);
  assert.ok(maxAbsDiff(past!.keys[0].data as Float32Array, one.present.keys[0].data as Float32Array) <= 1e-5);
  await dec.dispose();
  model.dispose();
}

test('full: incremental logits with the cache equal the full-sequence tfjs logits', async () => { await incremental('full'); });
test('LoRA merged: incremental equals full', async () => { await incremental('lora'); });
test('P-Tuning v2: the mask and positions account for prefix + past', async () => { await incremental('ptuning-v2'); });

test('tfjs model with its own cache agrees with the ORT cache step by step (prefix model)', async () => {
  const model = await makeModel('ptuning-v2');
  const dec = await OrtDecoder.create(await exportOnnx(model));
  const { TfjsDecoder } = await import('../../lib/infer/index.ts');
  const tj = new TfjsDecoder(model);
  const ids = randomIds('tj', 6, SMALL.vocab);
  const a = await tj.step(ids.subarray(0, 5), 1, 5);
  const b = await dec.step(ids.subarray(0, 5), 1, 5);
  assert.is(a.length, SMALL.vocab);
  assert.ok(maxAbsDiff(a, b) <= TOL);
  const a2 = await tj.step(ids.subarray(5, 6), 1, 1);
  const b2 = await dec.step(ids.subarray(5, 6), 1, 1);
  assert.ok(maxAbsDiff(a2, b2) <= TOL);
  assert.ok(maxAbsDiff(a2, a) > 0.01, 'the second step is a different position');
  tj.dispose();
  await dec.dispose();
  model.dispose();
});

test('export writes the .onnx atomically; a session opened from the file reads its config from metadata', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'll-onnx-'));
  try {
    const model = await makeModel('lora');
    const path = join(dir, 'sub', 'model.onnx');
    const exp = await exportOnnx(model, path);
    assert.equal(readdirSync(join(dir, 'sub')), ['model.onnx']); // no temp file left behind
    assert.ok(readFileSync(path).equals(exp.bytes), 'file bytes equal the export');
    assert.is(exp.bytes.constructor, Uint8Array);
    const dec = await OrtDecoder.create(path);
    assert.equal(dec.config, SMALL);
    assert.equal(dec.session.inputNames, ['input_ids', 'past.0.key', 'past.0.value', 'past.1.key', 'past.1.value']);
    assert.equal(dec.session.outputNames, ['logits', 'present.0.key', 'present.0.value', 'present.1.key', 'present.1.value']);
    const ids = randomIds('file', 5, SMALL.vocab);
    assert.ok(maxAbsDiff((await dec.run(ids, 1, 5)).logits, await tfjsLogits(model, ids, 1, 5)) <= TOL);
    await dec.dispose();
    model.dispose();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('context overflow and wrong id counts are usage errors', async () => {
  const model = await makeModel('full');
  const dec = await OrtDecoder.create(await exportOnnx(model));
  const r = await dec.run(randomIds('c', 60, SMALL.vocab), 1, 60);
  try {
    await dec.run(randomIds('d', 5, SMALL.vocab), 1, 5, r.present);
    assert.unreachable();
  } catch (err) {
    assert.instance(err, LedgerLabError);
    assert.is((err as LedgerLabError).problem, '60 cached + 5 new positions exceed the context 64');
  }
  try {
    await dec.run(Int32Array.of(1, 2, 3), 2, 2);
    assert.unreachable();
  } catch (err) {
    assert.is((err as LedgerLabError).problem, 'ids has 3 values, expected 2×2');
  }
  await dec.dispose();
  model.dispose();
});

test.run();
