/**
 * Why `@tensorflow/tfjs-node-gpu` is or is not used, in one sentence. It needs, all at once: the package
 * (whose install downloads libtensorflow 2.9.1 from outside the npm registry, so it is never a dependency),
 * the same version as `@tensorflow/tfjs` (tfjs-core is shared; mixed versions break kernel registration), an
 * NVIDIA GPU, and the CUDA 11.2 / cuDNN 8.1 runtime libraries libtensorflow 2.9.1 was built against.
 *
 * @example
 * nodeGpuStatus(nodeGpuFacts()).detail   // "not installed (…)" here
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { installedPackageJson } from './packages.ts';

/** The runtime libraries libtensorflow 2.9.1's GPU build loads (CUDA 11.2 and cuDNN 8.1 ship these sonames). */
export const CUDA_LIBRARIES = ['libcudart.so.11.0', 'libcublas.so.11', 'libcudnn.so.8'] as const;

export interface NodeGpuFacts {
  /** Version of @tensorflow/tfjs-node-gpu, null when not installed. */
  nodeGpuVersion: string | null;
  tfjsVersion: string | null;
  gpu: { found: boolean; detail: string };
  /** Which of CUDA_LIBRARIES the dynamic loader can find. */
  cudaLibraries: { name: string; found: boolean }[];
}

export interface NodeGpuStatus {
  usable: boolean;
  /** A few words for the backend choice's reason, e.g. "not installed", "no NVIDIA GPU". */
  summary: string;
  /** The whole sentence: what is missing and how to get it. */
  detail: string;
}

/** Pure: the first unmet requirement, in the order a user would fix them. */
export function nodeGpuStatus(f: NodeGpuFacts): NodeGpuStatus {
  if (!f.nodeGpuVersion) {
    return { usable: false, summary: 'not installed', detail: 'not installed (its install downloads libtensorflow from outside the npm registry; on a machine with internet: npm i @tensorflow/tfjs-node-gpu@' + (f.tfjsVersion ?? '4.22.0') + ', with CUDA 11.2 + cuDNN 8.1)' };
  }
  if (f.tfjsVersion && f.nodeGpuVersion !== f.tfjsVersion) {
    return { usable: false, summary: `version mismatch (${f.nodeGpuVersion} vs tfjs ${f.tfjsVersion})`, detail: `version mismatch: @tensorflow/tfjs-node-gpu ${f.nodeGpuVersion} with @tensorflow/tfjs ${f.tfjsVersion} (install the same version of both)` };
  }
  if (!f.gpu.found) return { usable: false, summary: 'installed, no NVIDIA GPU', detail: `installed (${f.nodeGpuVersion}), but no NVIDIA GPU is visible: ${f.gpu.detail}` };
  const missing = f.cudaLibraries.filter((l) => !l.found).map((l) => l.name);
  if (missing.length) {
    return { usable: false, summary: `CUDA libraries missing (${missing.join(', ')})`, detail: `installed (${f.nodeGpuVersion}) and ${f.gpu.detail}, but the CUDA libraries ${missing.join(', ')} are not on the loader path (libtensorflow 2.9.1 needs CUDA 11.2 and cuDNN 8.1; add their lib folder to LD_LIBRARY_PATH)` };
  }
  return { usable: true, summary: 'usable', detail: `@tensorflow/tfjs-node-gpu ${f.nodeGpuVersion}; ${f.gpu.detail}; CUDA libraries found` };
}

/** Can the dynamic loader find `soname`? (ldconfig's cache, then LD_LIBRARY_PATH and the usual CUDA folders.) */
export function loaderFinds(soname: string, ldconfigOutput?: string): boolean {
  if (ldconfigOutput?.includes(soname)) return true;
  const dirs = [...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean), '/usr/local/cuda/lib64', '/usr/lib/x86_64-linux-gnu'];
  return dirs.some((d) => existsSync(`${d}/${soname}`));
}

/** Reads the facts from this machine. `gpu` comes from the caller (backend.ts probes /proc and nvidia-smi). */
export function nodeGpuFacts(gpu: { found: boolean; detail: string }): NodeGpuFacts {
  const nodeGpuVersion = installedPackageJson('@tensorflow/tfjs-node-gpu')?.version ?? null;
  // Only look for libraries when they could matter: ldconfig costs a process start.
  const ld = nodeGpuVersion && gpu.found ? spawnSync('ldconfig', ['-p'], { encoding: 'utf8', timeout: 5000 }).stdout ?? '' : '';
  return {
    nodeGpuVersion,
    tfjsVersion: installedPackageJson('@tensorflow/tfjs')?.version ?? null,
    gpu,
    cudaLibraries: CUDA_LIBRARIES.map((name) => ({ name, found: nodeGpuVersion && gpu.found ? loaderFinds(name, ld) : false })),
  };
}
