// A backend failure must become a located LedgerLabError and a non-zero exit, never a result (issue 29): at a
// 0.5B model's size XNNPACK ran out of memory, printed one line and returned garbage tokens with exit 0.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initBackend, withPhase, currentPhase, guardWasmBackend } from '../../lib/runtime/index.ts';
import { noteWasmStderr } from '../../lib/runtime/wasm-guard.ts';
import { LedgerLabError } from '../../lib/errors.ts';

const fixture = fileURLToPath(new URL('./fixtures/exhaust-heap.ts', import.meta.url));
const wasmApi = (globalThis as unknown as { WebAssembly: { RuntimeError: new (m: string) => Error } }).WebAssembly;

/** Runs the heap-exhaustion fixture in its own process (a grown wasm heap never shrinks). */
function exhaust(mode: string): { status: number | null; result?: number[]; error?: { code: string; where: string; problem: string } } {
  const r = spawnSync(process.execPath, [fixture, mode], { encoding: 'utf8', timeout: 120_000 });
  const line = (text: string, key: string) => text.split('\n').find((l) => l.startsWith(`{"${key}"`));
  const out = line(r.stdout, 'result'), err = line(r.stderr, 'error');
  return { status: r.status, ...(out ? JSON.parse(out) : {}), ...(err ? JSON.parse(err) : {}) };
}

function throwsLocated(fn: () => unknown, code: string, where: RegExp): void {
  try {
    fn();
  } catch (err) {
    assert.instance(err, LedgerLabError);
    assert.is((err as LedgerLabError).code, code);
    assert.match((err as LedgerLabError).where ?? '', where);
    return;
  }
  assert.unreachable(`expected ${code}`);
}

test.before(async () => {
  process.env.LEDGERLAB_BACKEND = 'wasm';
  await initBackend();
});

test('phases nest and survive awaits', async () => {
  assert.is(currentPhase(), undefined);
  await withPhase('generate', async () => {
    await new Promise((r) => setTimeout(r, 1));
    withPhase('decode step 3', () => assert.is(currentPhase(), 'generate › decode step 3'));
  });
});

test('an XNNPACK status line makes the kernel throw, naming the kernel and phase', () => {
  const x = tf.ones([4]);
  noteWasmStderr('XNN status for xnn_create_fully_connected_nc_f32 is not successful. Got status 6. Use -c dbg to see XNN logs.');
  throwsLocated(() => withPhase('decode step 2', () => tf.add(x, x)), 'runtime.xnn_status', /^decode step 2, tfjs wasm kernel Add$/);
  // Reported once: the next op is fine again.
  assert.equal(Array.from(tf.add(x, x).dataSync()), [2, 2, 2, 2]);
});

test('a read after an unreported status throws instead of returning values', () => {
  const x = tf.ones([4]);
  noteWasmStderr('XNN status for xnn_create_convolution2d_nhwc_f32 is not successful. Got status 6.');
  throwsLocated(() => x.dataSync(), 'runtime.xnn_status', /tfjs wasm backend/);
});

test('a wasm trap inside a kernel becomes runtime.wasm_trap naming kernel and phase', () => {
  tf.registerKernel({ kernelName: 'LedgerLabTrapProbe', backendName: 'wasm', kernelFunc: () => { throw new wasmApi.RuntimeError('memory access out of bounds'); } });
  guardWasmBackend();
  const x = tf.ones([2]);
  throwsLocated(() => withPhase('train step 1', () => tf.engine().runKernel('LedgerLabTrapProbe', { x }, {})), 'runtime.wasm_trap', /^train step 1, tfjs wasm kernel LedgerLabTrapProbe$/);
});

test('real heap exhaustion: XNNPACK out of memory exits non-zero with a located error', () => {
  const r = exhaust('xnn');
  assert.is(r.result, undefined, 'no value may come back');
  assert.is(r.status, 1);
  assert.is(r.error?.code, 'runtime.xnn_status');
  assert.is(r.error?.where, 'probe step, tfjs wasm kernel BatchMatMul');
  assert.match(r.error?.problem ?? '', /xnn_create_fully_connected_nc_f32 failed with status 6 \(out of memory\)/);
});

test('real heap exhaustion: a tensor that cannot be allocated is an error, not a write over address 0', () => {
  const r = exhaust('alloc');
  assert.is(r.result, undefined);
  assert.is(r.status, 1);
  assert.is(r.error?.code, 'runtime.wasm_heap_full');
  assert.match(r.error?.where ?? '', /^probe step/);
});

test('with room left, the same product is computed (the guard changes nothing when all is well)', () => {
  const r = exhaust('fits');
  assert.is(r.status, 0);
  assert.equal(r.result, [300, 300, 300, 300]);
});

test.run();
