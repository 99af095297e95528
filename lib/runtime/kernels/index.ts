/**
 * Installs (and can remove) LedgerLab's kernel fixes for a tfjs backend. Removal exists so tests and the
 * kernel bench can compare the fixed kernels with tfjs' own on the same inputs.
 *
 * - UnsortedSegmentSum: missing on wasm (the embedding gradient), very slow on cpu.
 * - BatchMatMul, _FusedMatMul: wasm kernels run without transpose flags (segment-sum.ts, matmul-transpose.ts).
 * - Identity: wasm shares the buffer instead of copying it (copy-kernels.ts).
 * - OrtMatMul: wasm BatchMatMul computed by ONNX Runtime's MLAS (ort-matmul.ts); layered on the BatchMatMul
 *   fix, which still runs the products too small to be worth a native call.
 * - Sum, GatherV2, Tile, Cast: wasm leading-axis sums, row gathers, tiles and same-dtype casts as typed-array
 *   sums and copies, bitwise tfjs' results (copy-kernels.ts).
 * - Gradients: Mean's and a leading Tile's gradients with the same arithmetic in fewer kernels (gradients.ts).
 *
 * @example
 * await tf.setBackend('wasm');
 * installKernelFixes('wasm');   // ['UnsortedSegmentSum', 'BatchMatMul', '_FusedMatMul', 'Identity', 'Sum', 'GatherV2', 'Tile', 'Cast', 'Gradients', 'OrtMatMul']
 */
import * as tf from '@tensorflow/tfjs';
import { segmentSumKernel } from './segment-sum.ts';
import { untransposedMatMulKernel } from './matmul-transpose.ts';
import { ortMatMulKernel } from './ort-matmul.ts';
import { leadingSumKernel, rowGatherKernel, blockTileKernel, sharedCastKernel, sharedIdentityKernel } from './copy-kernels.ts';
import { installGradientFixes, removeGradientFixes } from './gradients.ts';
import { guardWasmBackend } from '../wasm-guard.ts';

/** Original kernels we replaced, by "backend/kernel" (undefined where there was none). */
const originals = new Map<string, tf.KernelConfig | undefined>();
/** Fixes in place, as "backend/fix" (OrtMatMul replaces the BatchMatMul kernel a second time). */
const installed = new Set<string>();

function replaceKernel(config: tf.KernelConfig): void {
  const key = `${config.backendName}/${config.kernelName}`;
  const current = tf.getKernel(config.kernelName, config.backendName);
  if (!originals.has(key)) originals.set(key, current);
  if (current) tf.unregisterKernel(config.kernelName, config.backendName);
  tf.registerKernel(config);
}

export const KERNEL_FIXES = ['UnsortedSegmentSum', 'BatchMatMul', '_FusedMatMul', 'Identity', 'Sum', 'GatherV2', 'Tile', 'Cast', 'Gradients', 'OrtMatMul'] as const;

const COPY_KERNELS: Record<string, (original: tf.KernelConfig) => tf.KernelConfig> = {
  Identity: sharedIdentityKernel, Sum: leadingSumKernel, GatherV2: rowGatherKernel, Tile: blockTileKernel, Cast: sharedCastKernel,
};

/**
 * One ORT thread by default: the step then uses one core like the single-threaded PyTorch reference it is compared
 * with, and `run --jobs 2` workers do not contend for the second core. LEDGERLAB_THREADS (set by `bench train
 * --threads N` before the backend starts) raises it, so timed work runs at the recorded thread count.
 */
const ortThreads = (): number => Math.max(1, Math.floor(Number(process.env.LEDGERLAB_THREADS)) || 1);

/** Registers the fixes that apply to `backend` (optionally only some); returns their names. Idempotent. */
export function installKernelFixes(backend: string, only: readonly string[] = KERNEL_FIXES): string[] {
  const fixed: string[] = [];
  if ((backend === 'wasm' || backend === 'cpu') && only.includes('UnsortedSegmentSum')) {
    replaceKernel(segmentSumKernel(backend));
    fixed.push('UnsortedSegmentSum');
  }
  if (backend === 'wasm') {
    const transpose = tf.getKernel('Transpose', 'wasm');
    const original = (name: string) => (originals.has(`wasm/${name}`) ? originals.get(`wasm/${name}`) : tf.getKernel(name, 'wasm'));
    for (const name of ['BatchMatMul', '_FusedMatMul'].filter((n) => only.includes(n))) {
      const o = original(name);
      if (!o || !transpose) continue;
      replaceKernel(untransposedMatMulKernel(o, transpose));
      fixed.push(name);
    }
    for (const [name, make] of Object.entries(COPY_KERNELS)) {
      const o = only.includes(name) ? original(name) : undefined;
      if (!o) continue;
      replaceKernel(make(o));
      fixed.push(name);
    }
    if (only.includes('Gradients')) {
      installGradientFixes();
      fixed.push('Gradients');
    }
    // Small products fall back to the kernel below: the untransposed one when that fix is in, else tfjs' own.
    const below = fixed.includes('BatchMatMul') ? tf.getKernel('BatchMatMul', 'wasm') : original('BatchMatMul');
    const ort = only.includes('OrtMatMul') && below ? ortMatMulKernel(below, { threads: ortThreads() }) : undefined;
    if (ort) {
      replaceKernel(ort);
      fixed.push('OrtMatMul');
    }
  }
  for (const f of fixed) installed.add(`${backend}/${f}`);
  // Fixes registered anew (a test reinstalling them) get the failure guard like every wasm kernel.
  if (backend === 'wasm' && fixed.length) guardWasmBackend();
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
  if (installed.has(`${backend}/Gradients`)) removeGradientFixes();
  for (const key of installed) if (key.startsWith(`${backend}/`)) installed.delete(key);
}

export function installedKernelFixes(backend: string): string[] {
  return [...installed].filter((k) => k.startsWith(`${backend}/`)).map((k) => k.split('/')[1]);
}
