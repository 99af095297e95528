/**
 * The checks behind scripts/device-check.sh (run that: it installs what this needs first).
 *
 *   node scripts/device-check.ts OUT.json
 *
 * Steps, each recorded in the summary: find the GPU backend (tfjs-node-gpu when usable, else WebGPU, asking
 * Dawn directly), the environment report on it, parity with wasm (lib/bench/device-parity.ts), then `bench
 * train` for every method at sizes s and l in child processes on that backend. A failing step stops the run,
 * is named on stderr and in the summary (`stoppedAt`), and exits 1; no GPU adapter exits 3.
 */
import { spawnSync } from 'node:child_process';
import { hostname } from 'node:os';
import { join } from 'node:path';
import {
  backendParity, environmentReport, gitState, nodeGpuFacts, nodeGpuStatus, nvidiaGpu, probeWebGpu, writeJsonAtomic,
  type ParityResult, type WebGpuAdapterInfo,
} from '../lib/index.ts';

const root = join(import.meta.dirname, '..');
const out = process.argv[2];
if (!out) {
  console.error('usage: node scripts/device-check.ts OUT.json');
  process.exit(2);
}

interface Summary {
  schemaVersion: 1;
  startedAt: string;
  finishedAt?: string;
  host: string;
  commit: string | null;
  status: 'passed' | 'failed' | 'no-gpu-adapter';
  /** LedgerLab's backend name (node-gpu | webgpu), null without a GPU. */
  backend: string | null;
  adapter: WebGpuAdapterInfo | null;
  /** Why this backend, or why there is none. */
  reason: string;
  stoppedAt: string | null;
  tests: { name: string; passed: boolean; detail: string; seconds: number }[];
  /** Median tokens/s per "arch/size/method" from bench train on the GPU backend. */
  tokensPerSecond: Record<string, number>;
}

const summary: Summary = {
  schemaVersion: 1, startedAt: new Date().toISOString(), host: hostname(), commit: gitState(root).commit ?? null,
  status: 'failed', backend: null, adapter: null, reason: '', stoppedAt: null, tests: [], tokensPerSecond: {},
};
const save = () => {
  summary.finishedAt = new Date().toISOString();
  writeJsonAtomic(out, summary);
};
const say = (s: string) => console.error(`device-check: ${s}`);

async function step<T>(name: string, f: () => Promise<T> | T): Promise<T> {
  say(name);
  try {
    return await f();
  } catch (err) {
    summary.stoppedAt = name;
    summary.reason ||= (err as Error).message;
    save();
    say(`stopped at step "${name}": ${(err as Error).message}`);
    process.exit(1);
  }
}

// 1. Which GPU backend. Forcing webgpu makes the probe ask Dawn even where the cheap pre-checks would not.
const pick = await step('find a GPU backend', async () => {
  const nodeGpu = nodeGpuStatus(nodeGpuFacts(nvidiaGpu()));
  if (nodeGpu.usable) return { backend: 'node-gpu', reason: `tfjs-node-gpu: ${nodeGpu.detail}`, adapter: null };
  process.env.LEDGERLAB_BACKEND = 'webgpu';
  const w = await probeWebGpu();
  if (w.adapter && !w.adapter.isFallbackAdapter) return { backend: 'webgpu', reason: `webgpu: ${w.detail}; tfjs-node-gpu: ${nodeGpu.summary}`, adapter: w.adapter };
  // "software adapter only" (Mesa's lavapipe: WebGPU works, on the CPU) is told apart from no adapter at all.
  const why = w.adapter ? w.summary : w.detail.replace(/^no adapter: /, '');
  return { backend: null, reason: `no GPU adapter — webgpu: ${why}; tfjs-node-gpu: ${nodeGpu.detail}`, adapter: w.adapter };
});
summary.reason = pick.reason;
summary.adapter = pick.adapter;
if (!pick.backend) {
  summary.status = 'no-gpu-adapter';
  save();
  say(`${pick.reason}`);
  say(`stopped: ${pick.adapter ? 'software adapter only, no GPU adapter' : 'no GPU adapter'} — nothing to check on this machine (summary: ${out})`);
  process.exit(3);
}
summary.backend = pick.backend;
process.env.LEDGERLAB_BACKEND = pick.backend;

// 2. The environment on that backend (initialises it: a failure here is the backend failing to start).
const env = await step(`start the ${pick.backend} backend`, () => environmentReport());
const tfBackend = env.backend.tfBackend;
if (env.engineKernelsMissing.length) say(`engine ops without a ${tfBackend} kernel: ${env.engineKernelsMissing.join(', ')}`);

// 3. Parity with wasm.
const record = (r: ParityResult, seconds: number) => {
  summary.tests.push({ ...r, seconds });
  say(`${r.passed ? 'pass' : 'FAIL'} ${r.name}: ${r.detail}`);
};
await step('parity with wasm', async () => {
  const t0 = performance.now();
  const results = await backendParity(tfBackend);
  const s = (performance.now() - t0) / 1000 / results.length;
  for (const r of results) record(r, s);
});

// 4. bench train per arch and size, in child processes (one backend per process).
const help = spawnSync(process.execPath, [join(root, 'bin/ledgerlab.js'), 'bench', 'train', '--help'], { encoding: 'utf8' }).stdout;
const shapes = help.includes('--size') ? ['gpt2', 'llama'].flatMap((arch) => ['s', 'l'].map((size) => ({ arch, size }))) : [{ arch: 'gpt2', size: 'reference' }];
for (const { arch, size } of shapes) {
  await step(`bench train ${arch} ${size}`, () => {
    const extra = size === 'reference' ? [] : ['--arch', arch, '--size', size];
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [join(root, 'bin/ledgerlab.js'), 'bench', 'train', '--json', '--no-torch', '--repeats', '5', '--warmup', '2', ...extra], {
      encoding: 'utf8', timeout: 150_000, env: { ...process.env, LEDGERLAB_BACKEND: pick.backend!, LEDGERLAB_QUIET: '1' },
    });
    const seconds = (performance.now() - t0) / 1000;
    const ok = r.status === 0;
    summary.tests.push({ name: `bench train ${arch} ${size}`, passed: ok, detail: ok ? 'ran' : `exit ${r.status ?? r.signal}: ${r.stderr.trim().split('\n').slice(-3).join(' | ')}`, seconds });
    if (!ok) throw new Error(`bench train ${arch} ${size} failed (exit ${r.status ?? r.signal})`);
    for (const row of JSON.parse(r.stdout).rows as { label: string; tokensPerSecond: number }[]) {
      summary.tokensPerSecond[`${arch}/${size}/${row.label}`] = Math.round(row.tokensPerSecond);
    }
  });
}

summary.status = summary.tests.every((t) => t.passed) ? 'passed' : 'failed';
save();
say(`${summary.status}: ${summary.tests.filter((t) => t.passed).length}/${summary.tests.length} tests passed (summary: ${out})`);
process.exit(summary.status === 'passed' ? 0 : 1);
