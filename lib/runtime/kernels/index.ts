/**
 * Installs (and can remove) LedgerLab's kernel fixes for a tfjs backend. Removal exists so tests and the
 * kernel bench can compare the fixed kernels with tfjs' own on the same inputs.
 *
 * @example
 * await tf.setBackend('wasm');
 * installKernelFixes('wasm');   // ['UnsortedSegmentSum', 'BatchMatMul', '_FusedMatMul']
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { segmentSumKernel } from './segment-sum.ts';
import { untransposedMatMulKernel } from './matmul-transpose.ts';

/** Original kernels we replaced, by "backend/kernel" (undefined where there was none). */
const originals = new Map<string, KernelConfig | undefined>();

function replaceKernel(config: KernelConfig): void {
  const key = `${config.backendName}/${config.kernelName}`;
  const current = tf.getKernel(config.kernelName, config.backendName);
  if (!originals.has(key)) originals.set(key, current);
  if (current) tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
}

export const KERNEL_FIXES = ['UnsortedSegmentSum', 'BatchMatMul', '_FusedMatMul'] as const;

/** Registers the fixes that apply to `backend` (optionally only some); returns their names. Idempotent. */
export function installKernelFixes(backend: string, only: readonly string[] = KERNEL_FIXES): string[] {
  const fixed: string[] = [];
  if ((backend === 'wasm' || backend === 'cpu') && only.includes('UnsortedSegmentSum')) {
    replaceKernel(segmentSumKernel(backend));
    fixed.push('UnsortedSegmentSum');
  }
  if (backend === 'wasm') {
    const transpose = tf.getKernel('Transpose', 'wasm');
    for (const name of ['BatchMatMul', '_FusedMatMul'].filter((n) => only.includes(n))) {
      const original = originals.has(`wasm/${name}`) ? originals.get(`wasm/${name}`) : tf.getKernel(name, 'wasm');
      if (!original || !transpose) continue;
      replaceKernel(untransposedMatMulKernel(original, transpose));
      fixed.push(name);
    }
  }
  return fixed;
}

/** Restores tfjs' own kernels for `backend` (or leaves the kernel unregistered where tfjs had none). */
export function removeKernelFixes(backend: string): void {
  for (const [key, original] of originals) {
    const [b, name] = key.split('/');
    if (b !== backend) continue;
    if (tf.getKernel(name, b)) tf.unregisterKernel(name, b);
    if (original) tf.registerKernel(original);
    originals.delete(key);
  }
}

export function installedKernelFixes(backend: string): string[] {
  return [...originals.keys()].filter((k) => k.startsWith(`${backend}/`)).map((k) => k.split('/')[1]);
}
