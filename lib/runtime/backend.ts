/**
 * Chooses the TensorFlow.js backend once, explicitly, and says why.
 *
 * Order: `@tensorflow/tfjs-node-gpu` if it can run (package, matching version, NVIDIA GPU, CUDA libraries),
 * else WebGPU if Dawn finds a hardware adapter, else `@tensorflow/tfjs-node` if installed, else wasm (SIMD),
 * else cpu. `LEDGERLAB_BACKEND=node-gpu|webgpu|node|wasm|cpu` overrides (and fails loudly if that backend
 * cannot load). tfjs-node(-gpu) are never dependencies — their install downloads libtensorflow from outside
 * the npm registry — so they are loaded only when a user has added them.
 *
 * @example
 * const choice = await initBackend();
 * console.log(choice.name, choice.reason);   // "wasm", "no tfjs-node packages installed; wasm with SIMD"
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { LedgerLabError } from '../errors.ts';
import { installKernelFixes, KERNEL_FIXES } from './kernels/index.ts';
import { installedPackageJson, isInstalled } from './packages.ts';
import { nodeGpuFacts, nodeGpuStatus } from './node-gpu.ts';
import { activateWebGpu, probeWebGpu } from './webgpu.ts';
import { guardWasmBackend, noteWasmStderr } from './wasm-guard.ts';
import { sniffWasmStderr } from './wasm-stderr.ts';

export { installedPackageJson, isInstalled };

export const BACKENDS = ['node-gpu', 'webgpu', 'node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKENDS)[number];

export interface Candidate {
  name: BackendName;
  available: boolean;
  detail: string;
  /** Available when forced but passed over by the automatic choice (a software WebGPU adapter), and why. */
  notAutomatic?: string;
  /** The whole explanation (what is missing, what to install) where `detail` is a summary. */
  explanation?: string;
}

export interface BackendChoice {
  name: BackendName;
  /** The name tfjs knows it by (tfjs-node registers "tensorflow"). */
  tfBackend: string;
  reason: string;
  candidates: Candidate[];
  /** Kernel fixes installed for this backend. */
  kernelFixes: string[];
  wasmSimd: boolean | null;
}

/** Is an NVIDIA GPU visible to this process? (driver's /proc entry, else nvidia-smi). */
export function nvidiaGpu(): { found: boolean; detail: string } {
  try {
    const dir = '/proc/driver/nvidia/gpus';
    if (existsSync(dir) && readdirSync(dir).length > 0) return { found: true, detail: `${readdirSync(dir).length} GPU(s) in ${dir}` };
  } catch {
    /* fall through to nvidia-smi */
  }
  const r = spawnSync('nvidia-smi', ['-L'], { encoding: 'utf8', timeout: 5000 });
  if (r.status === 0 && /GPU \d/.test(r.stdout)) return { found: true, detail: r.stdout.trim().split('\n')[0] };
  return { found: false, detail: r.error ? 'nvidia-smi not found, no /proc/driver/nvidia' : 'nvidia-smi found no GPU' };
}

/** Feature test for WebAssembly SIMD (a module using v128 ops must validate). */
export function wasmSimdSupported(): boolean {
  const bytes = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 10, 1, 8, 0, 65, 0, 253, 15, 253, 98, 11]);
  // tsconfig has no DOM lib, where the WebAssembly types live; the global exists in Node.
  const wasm = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
  return wasm.validate(bytes);
}

async function candidates(): Promise<Candidate[]> {
  const nodeGpu = nodeGpuStatus(nodeGpuFacts(nvidiaGpu()));
  const webgpu = await probeWebGpu();
  const hasNodePkg = isInstalled('@tensorflow/tfjs-node');
  const simd = wasmSimdSupported();
  return [
    { name: 'node-gpu', available: nodeGpu.usable, detail: `@tensorflow/tfjs-node-gpu ${nodeGpu.summary}`, explanation: nodeGpu.detail },
    {
      name: 'webgpu', available: webgpu.adapter !== null, detail: `webgpu: ${webgpu.summary}`, explanation: webgpu.detail,
      notAutomatic: webgpu.adapter?.isFallbackAdapter ? 'a software adapter is slower than wasm' : undefined,
    },
    { name: 'node', available: hasNodePkg, detail: hasNodePkg ? '@tensorflow/tfjs-node installed' : '@tensorflow/tfjs-node not installed' },
    { name: 'wasm', available: true, detail: simd ? 'WebAssembly SIMD supported' : 'WebAssembly without SIMD (slower)' },
    { name: 'cpu', available: true, detail: 'plain JavaScript kernels (slowest)' },
  ];
}

async function activate(name: BackendName): Promise<string> {
  if (name === 'node-gpu' || name === 'node') {
    const pkg = name === 'node-gpu' ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
    try {
      await import(pkg);
    } catch (err) {
      throw new LedgerLabError({ kind: 'runtime', problem: `cannot load ${pkg}: ${(err as Error).message}`, where: 'tensor backend', cause: err });
    }
    if (!(await tf.setBackend('tensorflow'))) {
      throw new LedgerLabError({ kind: 'runtime', problem: `${pkg} loaded but its "tensorflow" backend failed to initialise`, where: 'tensor backend' });
    }
    return 'tensorflow';
  }
  if (name === 'webgpu') {
    await activateWebGpu();
    return 'webgpu';
  }
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  // setBackend resolves false (instead of throwing) when initialisation fails; check it. wasm's stderr is
  // watched from its instantiation on: XNNPACK reports failures only there (wasm-guard.ts).
  const ok = name === 'wasm' ? await sniffWasmStderr(() => tf.setBackend(name), noteWasmStderr) : await tf.setBackend(name);
  if (!ok) {
    throw new LedgerLabError({ kind: 'runtime', problem: `tfjs backend "${name}" failed to initialise`, where: 'tensor backend' });
  }
  if (name === 'cpu') silenceCpuNotice();
  return name;
}

/**
 * tfjs' cpu backend prints a banner on first use in Node recommending tfjs-node; `ledgerlab env` already
 * reports which accelerators exist, so the banner is noise in benchmarks, tests and notebooks.
 */
export function silenceCpuNotice(): void {
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu) cpu.firstUse = false;
}

let chosen: Promise<BackendChoice> | undefined;

/**
 * Initialises the backend once per process (later calls return the same choice). `kernelFixes: false` skips
 * LedgerLab's kernel fixes (for comparisons only).
 */
export function initBackend(opts: { kernelFixes?: boolean } = {}): Promise<BackendChoice> {
  chosen ??= choose(opts.kernelFixes ?? true);
  return chosen;
}

/** The choice made by initBackend, if any (without initialising). */
export async function currentBackend(): Promise<BackendChoice | undefined> {
  return chosen;
}

async function choose(withFixes: boolean): Promise<BackendChoice> {
  // Read before any backend starts: a bad value is the user's mistake, not a backend failure to skip past.
  const route = matmulRoute();
  const kernelFixes = withFixes ? KERNEL_FIXES.filter((f) => f !== 'OrtMatMul' || route === 'ort') : [];
  const list = await candidates();
  const override = process.env.LEDGERLAB_BACKEND?.trim();
  if (override) {
    const c = list.find((x) => x.name === override);
    if (!c) {
      throw new LedgerLabError({
        kind: 'usage',
        problem: `LEDGERLAB_BACKEND="${override}" is not a backend`,
        where: 'environment variable LEDGERLAB_BACKEND',
        hint: `use one of ${BACKENDS.join(', ')}, or unset it for automatic choice`,
      });
    }
    if (!c.available) {
      throw new LedgerLabError({ kind: 'runtime', problem: `LEDGERLAB_BACKEND=${override} requested but unavailable: ${c.detail}`, where: 'environment variable LEDGERLAB_BACKEND', hint: c.explanation });
    }
    const tfBackend = await activate(c.name);
    return finish(c, tfBackend, `LEDGERLAB_BACKEND=${override} (${c.detail})`, list, kernelFixes);
  }
  // Automatic: the first available candidate that initialises; a failure is noted and the next one tried.
  const notes: string[] = [];
  for (const c of list) {
    if (!c.available || c.notAutomatic) {
      notes.push(c.notAutomatic ? `${c.detail}: skipped, ${c.notAutomatic}` : c.detail);
      continue;
    }
    try {
      const tfBackend = await activate(c.name);
      return finish(c, tfBackend, [...notes, `chose ${c.name}: ${c.detail}`].join('; '), list, kernelFixes);
    } catch (err) {
      notes.push(`${c.name} failed: ${(err as Error).message}`);
    }
  }
  throw new LedgerLabError({ kind: 'runtime', problem: `no tfjs backend could start (${notes.join('; ')})`, where: 'tensor backend' });
}

/**
 * `LEDGERLAB_MATMUL=wasm` keeps wasm's batched products in tfjs instead of ONNX Runtime (the OrtMatMul fix),
 * to measure what the routing buys; `ort` (the default) routes them when onnxruntime-node loads.
 */
export function matmulRoute(): 'ort' | 'wasm' {
  const v = process.env.LEDGERLAB_MATMUL?.trim() || 'ort';
  if (v !== 'ort' && v !== 'wasm') {
    throw new LedgerLabError({ kind: 'usage', problem: `LEDGERLAB_MATMUL="${v}" is not a matmul route`, where: 'environment variable LEDGERLAB_MATMUL', hint: 'use ort or wasm, or unset it' });
  }
  return v;
}

function finish(pick: Candidate, tfBackend: string, reason: string, list: Candidate[], kernelFixes: readonly string[]): BackendChoice {
  const fixes = kernelFixes.length ? installKernelFixes(tfBackend, kernelFixes) : [];
  // After the fixes, so the kernels they register are guarded too.
  if (tfBackend === 'wasm') guardWasmBackend();
  return { name: pick.name, tfBackend, reason, candidates: list, kernelFixes: fixes, wasmSimd: wasmSimdSupported() };
}
