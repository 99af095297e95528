// The WebGPU path on a machine without a GPU: the real Dawn binding and tfjs-backend-webgpu are installed, and
// Mesa's lavapipe (scripts/setup-system.sh test) gives Dawn a software adapter, so these tests run the real probe
// and the real fallback; each backend choice is per process (child CLI runs). test/gpu/ trains on that adapter.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ledgerlab, repoRoot } from '../helpers/cli.ts';
import { BACKENDS, nodeGpuStatus, type NodeGpuFacts } from '../../lib/index.ts';

test('order of the automatic choice: GPU backends first, then native CPU, wasm, cpu', () => {
  assert.equal([...BACKENDS], ['node-gpu', 'webgpu', 'node', 'wasm', 'cpu']);
});

test('automatic choice: only a software adapter here, so webgpu is passed over with the reason and wasm runs', () => {
  const r = ledgerlab(['env', '--json'], { env: { LEDGERLAB_BACKEND: undefined } });
  assert.is(r.code, 0, r.stderr);
  const env = JSON.parse(r.stdout);
  assert.is(env.backend.name, 'wasm');
  assert.match(env.backend.reason, /webgpu: no adapter \(/);
  const w = env.accelerators.webgpu;
  assert.is(w.installed, true, 'webgpu and @tensorflow/tfjs-backend-webgpu are dependencies');
  assert.is(w.adapter.isFallbackAdapter, true, 'env asks Dawn, and reports what it found as software');
  assert.match(w.detail, /^software adapter only: mesa software llvmpipe.*, no GPU adapter \(never chosen automatically/);
  assert.equal(w.missingKernels, [], 'tfjs-backend-webgpu has a kernel for every op the engine dispatches');
  assert.equal(env.engineKernelsMissing, [], 'wasm with the kernel fixes runs every engine op');
  assert.is(env.packages.webgpu, '0.6.2');
  assert.is(env.packages['@tensorflow/tfjs-backend-webgpu'], '4.22.0');
  // Other commands never load Dawn without a GPU device node (a run records the automatic probe's report).
  const other = spawnSync(process.execPath, ['-e', `import(${JSON.stringify(join(repoRoot, 'lib/index.ts'))}).then((m) => m.environmentReport()).then((e) => console.log(e.accelerators.webgpu.summary))`], { encoding: 'utf8', env: { ...process.env, LEDGERLAB_BACKEND: '' } });
  assert.equal([other.status, other.stdout.trim()], [0, 'no adapter (no GPU device node)'], other.stderr);
  assert.is(other.stderr.includes('artificially reduced'), false, 'Dawn was not started');
});

test('LEDGERLAB_BACKEND=webgpu starts tfjs-backend-webgpu on the software adapter and says it is one', () => {
  const r = ledgerlab(['env', '--json'], { env: { LEDGERLAB_BACKEND: 'webgpu' } });
  assert.is(r.code, 0, r.stderr);
  const env = JSON.parse(r.stdout);
  assert.equal([env.backend.name, env.backend.tfBackend], ['webgpu', 'webgpu']);
  assert.match(env.backend.reason, /^LEDGERLAB_BACKEND=webgpu \(webgpu: software adapter only \(mesa software llvmpipe/);
  // What keeps it out of the automatic choice even where Dawn is asked (a machine with a GPU device node).
  const w = env.backend.candidates.find((c: { name: string }) => c.name === 'webgpu');
  assert.equal([w.available, w.notAutomatic], [true, 'a software adapter is slower than wasm']);
  assert.equal(env.engineKernelsMissing, []);
});

test('LEDGERLAB_BACKEND=webgpu asks Dawn itself and fails clearly when it finds no adapter', () => {
  // No Vulkan driver at all: the loader is pointed at a driver list that does not exist.
  const r = ledgerlab(['env'], { env: { LEDGERLAB_BACKEND: 'webgpu', VK_ICD_FILENAMES: '/nonexistent/icd.json' } });
  assert.is(r.code, 1);
  assert.match(r.stderr, /error \(runtime\): LEDGERLAB_BACKEND=webgpu requested but unavailable: webgpu: no adapter \(Dawn found no \w+/);
  assert.match(r.stderr, "hint:  no adapter: Dawn found no");
  assert.not.match(r.stderr, '    at Object', 'no JavaScript stack trace without --debug');
});

test('human-readable env says why tfjs-node-gpu and webgpu are not used (software adapter only / no adapter) and lists missing ops', () => {
  const r = ledgerlab(['env'], { env: { LEDGERLAB_BACKEND: undefined } });
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /tfjs-node-gpu\s+not used: not installed \(its install downloads libtensorflow/);
  assert.match(r.stdout, /webgpu\s+software adapter only: mesa software llvmpipe/);
  assert.match(r.stdout, /adapter\s+vendor mesa, architecture software, device llvmpipe.* \(software\)/);
  // Without any Vulkan driver, the same line says there is no adapter at all.
  const none = ledgerlab(['env'], { env: { LEDGERLAB_BACKEND: undefined, VK_ICD_FILENAMES: '/nonexistent/icd.json' } });
  assert.match(none.stdout, /webgpu\s+no adapter: Dawn found no \w+ device/);
  assert.match(r.stdout, /engine ops missing\s+none \(every engine kernel has a WebGPU kernel\)/);
});

const facts = (o: Partial<NodeGpuFacts>): NodeGpuFacts => ({
  nodeGpuVersion: '4.22.0', tfjsVersion: '4.22.0', gpu: { found: true, detail: 'GPU 0: NVIDIA A100' },
  cudaLibraries: [{ name: 'libcudart.so.11.0', found: true }, { name: 'libcublas.so.11', found: true }, { name: 'libcudnn.so.8', found: true }],
  ...o,
});

test('tfjs-node-gpu: the first unmet requirement, in the order a user fixes them', () => {
  assert.equal(nodeGpuStatus(facts({ nodeGpuVersion: null })).summary, 'not installed');
  const mismatch = nodeGpuStatus(facts({ nodeGpuVersion: '4.21.0' }));
  assert.is(mismatch.usable, false);
  assert.is(mismatch.summary, 'version mismatch (4.21.0 vs tfjs 4.22.0)');
  assert.is(mismatch.detail, 'version mismatch: @tensorflow/tfjs-node-gpu 4.21.0 with @tensorflow/tfjs 4.22.0 (install the same version of both)');
  const noGpu = nodeGpuStatus(facts({ gpu: { found: false, detail: 'nvidia-smi not found, no /proc/driver/nvidia' } }));
  assert.is(noGpu.detail, 'installed (4.22.0), but no NVIDIA GPU is visible: nvidia-smi not found, no /proc/driver/nvidia');
  const noCuda = nodeGpuStatus(facts({ cudaLibraries: [{ name: 'libcudart.so.11.0', found: false }, { name: 'libcublas.so.11', found: true }, { name: 'libcudnn.so.8', found: false }] }));
  assert.is(noCuda.summary, 'CUDA libraries missing (libcudart.so.11.0, libcudnn.so.8)');
  assert.match(noCuda.detail, 'libtensorflow 2.9.1 needs CUDA 11.2 and cuDNN 8.1');
  const ok = nodeGpuStatus(facts({}));
  assert.equal([ok.usable, ok.summary], [true, 'usable']);
});

test.run();
