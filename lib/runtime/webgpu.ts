/**
 * The WebGPU path: `@tensorflow/tfjs-backend-webgpu` on Dawn's Node bindings (the `webgpu` package: Vulkan on
 * Linux, Metal on macOS, D3D12 on Windows). This module finds out whether a usable adapter exists, says
 * exactly why not when there is none, and activates the backend when there is one.
 *
 * Why a probe of our own before tfjs: tfjs-backend-webgpu registers its backend only if `navigator.gpu`
 * exists when it is imported, and its factory assumes `requestAdapter()` returns an adapter; with none it
 * throws deep inside tfjs. Probing first keeps the "no adapter" case an ordinary, explained fallback.
 *
 * @example
 * const probe = await probeWebGpu();
 * probe.adapter?.vendor   // "nvidia"; null here, with probe.detail saying why
 */
import * as tf from '@tensorflow/tfjs';
import { existsSync, readdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { platform } from 'node:os';
import { LedgerLabError } from '../errors.ts';
import { isInstalled } from './packages.ts';

/** The limits tfjs-backend-webgpu asks the device for, plus the buffer sizes that bound model size. */
export const REPORTED_LIMITS = [
  'maxBufferSize',
  'maxStorageBufferBindingSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupsPerDimension',
] as const;

export interface WebGpuAdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A software (CPU) adapter: usable when forced, never chosen automatically (wasm is faster). */
  isFallbackAdapter: boolean;
  limits: Record<(typeof REPORTED_LIMITS)[number], number>;
  features: string[];
}

export interface WebGpuProbe {
  /** Both `webgpu` (Dawn) and `@tensorflow/tfjs-backend-webgpu` are installed. */
  installed: boolean;
  adapter: WebGpuAdapterInfo | null;
  /** A few words for the backend choice's reason, e.g. "no adapter (no Vulkan loader)". */
  summary: string;
  /** Why there is no adapter (and what to install), or what was found. Starts with "no adapter" when there is none. */
  detail: string;
}

interface GpuLike {
  requestAdapter(opts?: { powerPreference?: string }): Promise<AdapterLike | null>;
}
interface AdapterLike {
  info?: { vendor?: string; architecture?: string; device?: string; description?: string; isFallbackAdapter?: boolean };
  isFallbackAdapter?: boolean;
  limits: Record<string, number>;
  features: Set<string>;
}

/**
 * Is a Vulkan loader present? Dawn's Linux backend needs `libvulkan.so.1`; without it Dawn prints a warning on
 * stderr and finds nothing, so checking first keeps every process that picks a backend quiet and fast.
 */
export function vulkanLoaderPresent(): boolean {
  const r = spawnSync('ldconfig', ['-p'], { encoding: 'utf8', timeout: 5000 });
  if (r.status === 0 && /libvulkan\.so\.1\b/.test(r.stdout)) return true;
  const dirs = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/usr/local/lib',
    ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean)];
  return dirs.some((d) => existsSync(`${d}/libvulkan.so.1`));
}

let gpu: GpuLike | undefined;

/** Dawn's `navigator.gpu`, created once per process (the binding keeps one instance). */
async function dawnGpu(): Promise<GpuLike> {
  if (!gpu) {
    const dawn = (await import('webgpu')) as unknown as { create(flags: string[]): GpuLike; globals: Record<string, unknown> };
    // tfjs-backend-webgpu uses the WebGPU globals (GPUBufferUsage, GPUMapMode, …) by name.
    Object.assign(globalThis, dawn.globals);
    gpu = dawn.create([]);
  }
  return gpu;
}

/** GPU device nodes a hardware Vulkan driver opens on Linux (DRM render nodes, NVIDIA's, WSL's). */
export function gpuDeviceNodes(): string[] {
  const nodes: string[] = [];
  try {
    nodes.push(...readdirSync('/dev/dri').filter((n) => n.startsWith('renderD')).map((n) => `/dev/dri/${n}`));
  } catch {
    /* no DRM devices */
  }
  for (const n of ['/dev/nvidia0', '/dev/dxg']) if (existsSync(n)) nodes.push(n);
  return nodes;
}

let probed: Promise<WebGpuProbe> | undefined;
let asked: Promise<WebGpuProbe> | undefined;

/**
 * Looks for a WebGPU adapter once per process. Never throws: a failure is a probe without an adapter.
 * The automatic backend choice runs in every process, so on Linux it first checks, without loading Dawn,
 * that a Vulkan loader and a GPU device node exist (Dawn would otherwise print warnings on stderr and find
 * nothing). With `LEDGERLAB_BACKEND=webgpu` Dawn is always asked, so a software adapter can be forced.
 */
export function probeWebGpu(): Promise<WebGpuProbe> {
  probed ??= probe(process.env.LEDGERLAB_BACKEND?.trim() === 'webgpu');
  return probed;
}

/**
 * The probe for a report (`ledgerlab env`, the device check): where the cheap checks passed over Dawn (a
 * Vulkan loader but no GPU device node), Dawn is asked anyway, so a machine with only a software adapter
 * (Mesa's lavapipe) says so instead of "no adapter". Dawn prints two warnings on stderr when it starts.
 */
export async function probeWebGpuForReport(): Promise<WebGpuProbe> {
  const p = await probeWebGpu();
  if (p.adapter || !p.installed || !p.summary.startsWith('no adapter (no GPU device node)')) return p;
  asked ??= probe(true);
  return asked;
}

async function probe(askDawn: boolean): Promise<WebGpuProbe> {
  const installed = isInstalled('webgpu') && isInstalled('@tensorflow/tfjs-backend-webgpu');
  if (!installed) {
    return { installed, adapter: null, summary: 'not installed', detail: 'no adapter: the webgpu and @tensorflow/tfjs-backend-webgpu packages are not both installed' };
  }
  if (!askDawn && platform() === 'linux') {
    if (!vulkanLoaderPresent()) {
      return {
        installed, adapter: null, summary: 'no adapter (no Vulkan loader libvulkan.so.1)',
        detail: 'no adapter: no Vulkan loader (libvulkan.so.1) on this machine, so Dawn cannot see a GPU; with a GPU, install the loader (Debian/Ubuntu: apt-get install libvulkan1) and the GPU vendor\'s Vulkan driver',
      };
    }
    if (gpuDeviceNodes().length === 0) {
      return {
        installed, adapter: null, summary: 'no adapter (no GPU device node)',
        detail: 'no adapter: no GPU device node (/dev/dri/renderD*, /dev/nvidia0, /dev/dxg), so no hardware Vulkan driver can run; LEDGERLAB_BACKEND=webgpu asks Dawn anyway (e.g. for a software adapter)',
      };
    }
  }
  try {
    const adapter = await withTimeout((await dawnGpu()).requestAdapter({ powerPreference: 'high-performance' }), 15_000);
    if (!adapter) {
      return { installed, adapter: null, summary: `no adapter (Dawn found no ${nativeApi()} device)`, detail: `no adapter: Dawn found no ${nativeApi()} device that meets WebGPU's requirements` };
    }
    const info = describeAdapter(adapter);
    const what = `${info.vendor || 'unknown vendor'} ${info.architecture || ''} ${info.device || info.description || ''}`.replace(/\s+/g, ' ').trim();
    return info.isFallbackAdapter
      ? { installed, adapter: info, summary: `software adapter only (${what})`, detail: `software adapter only: ${what}, no GPU adapter (never chosen automatically, slower than wasm; LEDGERLAB_BACKEND=webgpu uses it)` }
      : { installed, adapter: info, summary: `adapter ${what}`, detail: `adapter ${what}` };
  } catch (err) {
    return { installed, adapter: null, summary: 'no adapter (probe failed)', detail: `no adapter: probing WebGPU failed: ${(err as Error).message}` };
  }
}

function nativeApi(): string {
  return platform() === 'darwin' ? 'Metal' : platform() === 'win32' ? 'D3D12 or Vulkan' : 'Vulkan';
}

function describeAdapter(a: AdapterLike): WebGpuAdapterInfo {
  const limits = Object.fromEntries(REPORTED_LIMITS.map((k) => [k, Number(a.limits[k] ?? 0)])) as WebGpuAdapterInfo['limits'];
  return {
    vendor: a.info?.vendor ?? '',
    architecture: a.info?.architecture ?? '',
    device: a.info?.device ?? '',
    description: a.info?.description ?? '',
    // Dawn 0.6 says it in `info` (the spec's newer place): Mesa's lavapipe has it there, not on the adapter.
    isFallbackAdapter: a.isFallbackAdapter === true || a.info?.isFallbackAdapter === true || a.info?.architecture === 'software',
    limits,
    features: [...a.features].sort(),
  };
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer from requestAdapter() within ${ms / 1000} s`)), ms);
    p.then((v) => { clearTimeout(t); resolve(v); }, (e) => { clearTimeout(t); reject(e); });
  });
}

/**
 * Makes `webgpu` the active tfjs backend. Needs a probe with an adapter (the caller decided); throws a
 * LedgerLabError otherwise, or when tfjs' initialisation fails.
 */
export async function activateWebGpu(): Promise<void> {
  const p = await probeWebGpu();
  if (!p.adapter) {
    throw new LedgerLabError({ kind: 'runtime', problem: `the webgpu backend cannot start: ${p.detail}`, where: 'tensor backend' });
  }
  const nav = (globalThis as { navigator?: object }).navigator;
  const gpuObject = await dawnGpu();
  if (nav) Object.defineProperty(nav, 'gpu', { value: gpuObject, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu: gpuObject }, configurable: true });
  // Imported only now: the package registers its backend on import, and only when navigator.gpu exists.
  await import('@tensorflow/tfjs-backend-webgpu');
  // setBackend resolves false when the factory fails while getBackend() may still name webgpu: check the value.
  if (!(await tf.setBackend('webgpu'))) {
    throw new LedgerLabError({ kind: 'runtime', problem: 'tfjs backend "webgpu" failed to initialise on the adapter found', where: 'tensor backend', hint: p.detail });
  }
}

/**
 * Names of the kernels tfjs-backend-webgpu registers. Importing the package registers its kernels whether or
 * not an adapter exists (only the backend itself needs one), so this works on any machine.
 */
export async function webgpuKernelNames(): Promise<Set<string> | null> {
  if (!isInstalled('@tensorflow/tfjs-backend-webgpu')) return null;
  await import('@tensorflow/tfjs-backend-webgpu');
  return new Set(tf.getKernelsForBackend('webgpu').map((k) => k.kernelName));
}
