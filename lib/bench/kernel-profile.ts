/**
 * Where a step's time goes, from tf.profile's per-kernel records: time and calls per kernel name, and per
 * (kernel, input shapes) for the products, so a slow shape stands out. Kernel times are wall times of each
 * kernel call (on a loaded machine they include waiting for the CPU).
 */
import type * as tf from '@tensorflow/tfjs';

/** tf.profile's result (its type is not re-exported by @tensorflow/tfjs). */
type ProfileInfo = Awaited<ReturnType<typeof tf.profile>>;

export interface KernelShare { name: string; calls: number; ms: number; share: number }

export interface KernelProfile {
  totalMs: number;
  kernels: number;
  byKernel: KernelShare[];
  /** The products (BatchMatMul, _FusedMatMul) by input shapes. */
  byMatMulShape: KernelShare[];
}

export function kernelProfile(info: ProfileInfo, top = 12): KernelProfile {
  const byName = new Map<string, { calls: number; ms: number }>();
  const byShape = new Map<string, { calls: number; ms: number }>();
  let total = 0;
  for (const k of info.kernels) {
    const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    total += ms;
    const add = (m: Map<string, { calls: number; ms: number }>, key: string) => {
      const e = m.get(key) ?? { calls: 0, ms: 0 };
      e.calls++;
      e.ms += ms;
      m.set(key, e);
    };
    add(byName, k.name);
    if (/MatMul/.test(k.name)) add(byShape, `${k.name} ${k.inputShapes.map((s: number[]) => `[${s.join(',')}]`).join('·')}`);
  }
  const rows = (m: Map<string, { calls: number; ms: number }>) => [...m].map(([name, v]) => ({ name, calls: v.calls, ms: v.ms, share: total > 0 ? v.ms / total : 0 })).sort((a, b) => b.ms - a.ms).slice(0, top);
  return { totalMs: total, kernels: info.kernels.length, byKernel: rows(byName), byMatMulShape: rows(byShape) };
}
