/**
 * The environment report: what every run record and report carries so a figure can be traced to the machine
 * and software that produced it. Cheap to collect (no GPU probing beyond /proc and nvidia-smi -L).
 *
 * @example
 * const env = await environmentReport();   // initialises the tensor backend if needed
 * console.log(formatEnvironment(env));
 */
import { cpus, totalmem, freemem, release, platform, arch, hostname } from 'node:os';
import { readFileSync } from 'node:fs';
import { backendLabel } from './backend-label.ts';
import { initBackend, installedPackageJson, isInstalled, nvidiaGpu, type BackendChoice } from './backend.ts';
import { nodeGpuFacts, nodeGpuStatus, type NodeGpuStatus } from './node-gpu.ts';
import { probeWebGpu, probeWebGpuForReport, webgpuKernelNames, type WebGpuAdapterInfo } from './webgpu.ts';
import { missingEngineKernels } from './engine-kernels.ts';

/** Packages whose versions matter for results (reported when installed). */
export const TRACKED_PACKAGES = [
  '@tensorflow/tfjs',
  '@tensorflow/tfjs-backend-wasm',
  '@tensorflow/tfjs-node',
  '@tensorflow/tfjs-node-gpu',
  '@tensorflow/tfjs-backend-webgpu',
  'webgpu',
  'onnxruntime-node',
  'hardhat',
  'ethers',
  'solc',
  'danfojs-node',
  'vega',
  'vega-lite',
  '@node-rs/jieba',
  'tslab',
  'typescript',
] as const;

export interface EnvironmentReport {
  schemaVersion: 1;
  /**
   * gc: V8's garbage collector on the main thread only ('single-threaded': bin/ledgerlab.js sets it for one-thread
   * bench commands, the runner for workers pinned to a core) or with its helper threads ('parallel').
   * malloc: glibc malloc's mmap and trim thresholds when set (lib/measure/allocator.ts: bench commands and run
   * workers), else 'default'.
   */
  node: { version: string; execPath: string; platform: string; arch: string; gc?: 'single-threaded' | 'parallel'; malloc?: MallocSettings };
  packages: Record<string, string | null>;
  cpu: { model: string; cores: number; mhz: number };
  memory: { totalBytes: number; freeBytes: number };
  os: { release: string; distro: string | null; hostname: string };
  backend: BackendChoice;
  /** Kernels the engine uses that the chosen backend has none for (empty when it can run everything). */
  engineKernelsMissing: string[];
  accelerators: {
    nvidiaGpu: { found: boolean; detail: string };
    tfjsNodeGpu: boolean;
    /** Why tfjs-node-gpu is or is not used. */
    nodeGpu: NodeGpuStatus;
    webgpu: {
      installed: boolean;
      adapter: WebGpuAdapterInfo | null;
      detail: string;
      /** Engine kernels tfjs-backend-webgpu has no kernel for (null when the package is not installed). */
      missingKernels: string[] | null;
    };
    tfjsNode: boolean;
    onnxruntime: { installed: boolean; version: string | null };
  };
}

export function packageVersion(pkg: string): string | null {
  return installedPackageJson(pkg)?.version ?? null;
}

function distro(): string | null {
  try {
    const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'));
    return m ? m[1] : null;
  } catch {
    return null;
  }
}

/**
 * `askDawn`: where the automatic choice did not load Dawn (no GPU device node), ask it anyway, to tell "software
 * adapter only" from "no adapter" (`ledgerlab env` does; run records do not, to keep Dawn's warnings out of runs).
 */
export async function environmentReport(opts: { askDawn?: boolean } = {}): Promise<EnvironmentReport> {
  const backend = await initBackend();
  const c = cpus();
  const gpu = nvidiaGpu();
  const webgpu = opts.askDawn ? await probeWebGpuForReport() : await probeWebGpu();
  const webgpuKernels = await webgpuKernelNames();
  return {
    schemaVersion: 1,
    node: { version: process.version, execPath: process.execPath, platform: platform(), arch: arch(), gc: gcMode(), malloc: mallocSettings() },
    packages: Object.fromEntries(TRACKED_PACKAGES.map((p) => [p, packageVersion(p)])),
    cpu: { model: c[0]?.model ?? 'unknown', cores: c.length, mhz: c[0]?.speed ?? 0 },
    memory: { totalBytes: totalmem(), freeBytes: freemem() },
    os: { release: release(), distro: distro(), hostname: hostname() },
    backend,
    engineKernelsMissing: missingEngineKernels(backend.tfBackend),
    accelerators: {
      nvidiaGpu: gpu,
      tfjsNodeGpu: isInstalled('@tensorflow/tfjs-node-gpu'),
      nodeGpu: nodeGpuStatus(nodeGpuFacts(gpu)),
      webgpu: { ...webgpu, missingKernels: webgpuKernels ? missingEngineKernels('webgpu', webgpuKernels) : null },
      tfjsNode: isInstalled('@tensorflow/tfjs-node'),
      onnxruntime: { installed: isInstalled('onnxruntime-node'), version: packageVersion('onnxruntime-node') },
    },
  };
}

/** How V8 collects garbage in this process (see EnvironmentReport.node.gc). */
export const gcMode = (): 'single-threaded' | 'parallel' => (process.execArgv.includes('--single-threaded-gc') ? 'single-threaded' : 'parallel');

export type MallocSettings = 'default' | { mmapThresholdBytes: number | null; trimThresholdBytes: number | null };

/** glibc malloc's thresholds as this process's environment sets them (see EnvironmentReport.node.malloc). */
export function mallocSettings(env: NodeJS.ProcessEnv = process.env): MallocSettings {
  const read = (name: string) => (env[name] !== undefined && /^\d+$/.test(env[name]!) ? Number(env[name]) : null);
  const mmap = read('MALLOC_MMAP_THRESHOLD_'), trim = read('MALLOC_TRIM_THRESHOLD_');
  return mmap === null && trim === null ? 'default' : { mmapThresholdBytes: mmap, trimThresholdBytes: trim };
}

const gib = (b: number) => `${(b / 2 ** 30).toFixed(1)} GiB`;

/** One line that identifies the setup in a chart caption or report footer. */
export function environmentSummary(env: EnvironmentReport): string {
  return `${backendLabel(env)} backend, tfjs ${env.packages['@tensorflow/tfjs']}, Node ${env.node.version}${env.node.gc === 'single-threaded' ? ' (single-threaded GC)' : ''}, ${env.cpu.cores}× ${env.cpu.model}, ${gib(env.memory.totalBytes)}`;
}

export function formatEnvironment(env: EnvironmentReport): string {
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const rows: [string, string][] = [
    ['node', `${env.node.version} (${env.node.execPath})${env.node.gc ? `, ${env.node.gc} GC` : ''}${env.node.malloc && env.node.malloc !== 'default' ? `, malloc keeps freed memory (mmap ≥ ${env.node.malloc.mmapThresholdBytes ?? '?'} B, trim ≥ ${env.node.malloc.trimThresholdBytes ?? '?'} B)` : ''}`],
    ['platform', `${env.node.platform}/${env.node.arch}, ${env.os.distro ?? 'unknown distro'}, kernel ${env.os.release}`],
    ['cpu', `${env.cpu.cores} × ${env.cpu.model}`],
    ['memory', `${gib(env.memory.totalBytes)} total, ${gib(env.memory.freeBytes)} free`],
    ['backend', `${env.backend.name} (tfjs "${env.backend.tfBackend}")`],
    ['  why', env.backend.reason],
    ['  kernel fixes', env.backend.kernelFixes.join(', ') || 'none'],
    ['  wasm SIMD', env.backend.wasmSimd === null ? 'n/a' : yes(env.backend.wasmSimd)],
    ['  engine ops missing', env.engineKernelsMissing.join(', ') || 'none'],
    ['accelerators', ''],
    ['  NVIDIA GPU', `${yes(env.accelerators.nvidiaGpu.found)} (${env.accelerators.nvidiaGpu.detail})`],
    ['  tfjs-node-gpu', `${env.accelerators.nodeGpu.usable ? 'usable' : 'not used'}: ${env.accelerators.nodeGpu.detail}`],
    ...webgpuRows(env.accelerators.webgpu),
    ['  tfjs-node', yes(env.accelerators.tfjsNode)],
    ['  onnxruntime-node', env.accelerators.onnxruntime.version ?? 'not installed'],
    ['packages', ''],
    ...Object.entries(env.packages).map(([k, v]): [string, string] => [`  ${k}`, v ?? '—']),
  ];
  const w = Math.max(...rows.map((r) => r[0].length));
  return rows.map(([k, v]) => `${k.padEnd(w)}  ${v}`).join('\n');
}

function webgpuRows(w: EnvironmentReport['accelerators']['webgpu']): [string, string][] {
  const rows: [string, string][] = [['  webgpu', w.detail]];
  if (w.adapter) {
    const a = w.adapter;
    rows.push(['    adapter', `vendor ${a.vendor || '?'}, architecture ${a.architecture || '?'}, device ${a.device || a.description || '?'}${a.isFallbackAdapter ? ' (software)' : ''}`]);
    rows.push(['    limits', Object.entries(a.limits).map(([k, v]) => `${k} ${v}`).join(', ')]);
  }
  rows.push(['    engine ops missing', w.missingKernels === null ? 'n/a (not installed)' : w.missingKernels.join(', ') || 'none (every engine kernel has a WebGPU kernel)']);
  return rows;
}
