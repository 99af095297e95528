// Backend choice is per process, so each case runs the real CLI in a child process.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ledgerlab } from '../helpers/cli.ts';

test('automatic choice here is wasm with the kernel fixes, and says why', () => {
  const r = ledgerlab(['env', '--json'], { env: { LEDGERLAB_BACKEND: undefined } });
  assert.is(r.code, 0, r.stderr);
  const env = JSON.parse(r.stdout);
  assert.is(env.backend.name, 'wasm');
  assert.equal(env.backend.kernelFixes, ['UnsortedSegmentSum', 'BatchMatMul', '_FusedMatMul', 'Identity', 'Sum', 'GatherV2', 'Tile', 'Cast', 'Gradients', 'OrtMatMul']);
  assert.match(env.backend.reason, /^@tensorflow\/tfjs-node-gpu not installed; webgpu: no adapter \([^)]+\); @tensorflow\/tfjs-node not installed; chose wasm/);
  assert.is(env.packages['@tensorflow/tfjs'], '4.22.0');
  assert.is(env.packages['@tensorflow/tfjs-node'], null, 'the danfojs alias folder is not tfjs-node');
  assert.is(env.accelerators.tfjsNode, false);
  assert.match(env.node.version, /^v2[2-9]\./);
});

test('LEDGERLAB_MATMUL=wasm keeps the products in tfjs; an unknown route is a usage error', () => {
  const r = ledgerlab(['env', '--json'], { env: { LEDGERLAB_MATMUL: 'wasm' } });
  assert.is(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).backend.kernelFixes, ['UnsortedSegmentSum', 'BatchMatMul', '_FusedMatMul', 'Identity', 'Sum', 'GatherV2', 'Tile', 'Cast', 'Gradients']);
  const bad = ledgerlab(['env'], { env: { LEDGERLAB_MATMUL: 'gpu' } });
  assert.is(bad.code, 2);
  assert.match(bad.stderr, 'LEDGERLAB_MATMUL="gpu" is not a matmul route');
  assert.match(bad.stderr, 'environment variable LEDGERLAB_MATMUL');
});

test('LEDGERLAB_BACKEND=cpu switches', () => {
  const r = ledgerlab(['env', '--json'], { env: { LEDGERLAB_BACKEND: 'cpu' } });
  assert.is(r.code, 0, r.stderr);
  const env = JSON.parse(r.stdout);
  assert.is(env.backend.name, 'cpu');
  assert.equal(env.backend.kernelFixes, ['UnsortedSegmentSum']);
  assert.is(env.backend.reason, 'LEDGERLAB_BACKEND=cpu (plain JavaScript kernels (slowest))');
});

test('an unknown or unavailable override is a clear error with non-zero exit', () => {
  const bad = ledgerlab(['env'], { env: { LEDGERLAB_BACKEND: 'cuda' } });
  assert.is(bad.code, 2);
  assert.match(bad.stderr, 'error (usage): LEDGERLAB_BACKEND="cuda" is not a backend');
  assert.match(bad.stderr, 'hint:  use one of node-gpu, webgpu, node, wasm, cpu');
  assert.not.match(bad.stderr, '    at ', 'no stack trace without --debug');
  const missing = ledgerlab(['env'], { env: { LEDGERLAB_BACKEND: 'node-gpu' } });
  assert.is(missing.code, 1);
  assert.match(missing.stderr, 'LEDGERLAB_BACKEND=node-gpu requested but unavailable: @tensorflow/tfjs-node-gpu not installed');
  assert.match(missing.stderr, 'hint:  not installed (its install downloads libtensorflow from outside the npm registry');
});

test('human-readable env names backend, reason and packages', () => {
  const r = ledgerlab(['env'], { env: { LEDGERLAB_BACKEND: undefined } });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /backend\s+wasm \(tfjs "wasm"\)/);
  assert.match(r.stdout, /kernel fixes\s+UnsortedSegmentSum, BatchMatMul, _FusedMatMul/);
  assert.match(r.stdout, /onnxruntime-node\s+1\.30\.0/);
});

test.run();
