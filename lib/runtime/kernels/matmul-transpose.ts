/**
 * Wraps the wasm backend's BatchMatMul and _FusedMatMul so they never run with transposeA/transposeB set:
 * the operand is transposed explicitly first, then the plain (untransposed) kernel runs.
 *
 * Why: XNNPACK's path in tfjs-backend-wasm is fast only for untransposed operands; with a transpose flag the
 * same product is ~10x slower. Forward attention (q·kᵀ) and, above all, the default matMul gradients
 * (dA = dY·Bᵀ, dB = Aᵀ·dY) set those flags, so a training step spends most of its time there. Fixing it at
 * the kernel, rather than with a custom gradient per call site, covers every op that lowers to a matmul.
 */
import type { KernelConfig, KernelFunc, TensorInfo, NamedAttrMap } from '@tensorflow/tfjs';

interface BackendLike {
  disposeData(dataId: unknown): void;
}

type Args = { inputs: Record<string, TensorInfo>; backend: BackendLike; attrs: NamedAttrMap };

/** The permutation that swaps a rank-`rank` tensor's last two axes. */
export function swapLastTwo(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  [perm[rank - 2], perm[rank - 1]] = [perm[rank - 1], perm[rank - 2]];
  return perm;
}

/**
 * Builds the wrapped kernel config from the backend's original matmul kernel and its Transpose kernel.
 * Keeps the original setup/dispose functions (they initialise the wasm bindings the kernel calls).
 */
export function untransposedMatMulKernel(original: KernelConfig, transpose: KernelConfig): KernelConfig {
  const kernelFunc = ((args: Args) => {
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return (original.kernelFunc as unknown as (a: Args) => TensorInfo)(args);
    const { a, b } = args.inputs;
    const t = (x: TensorInfo) =>
      (transpose.kernelFunc as unknown as (a: unknown) => TensorInfo)({
        inputs: { x },
        backend: args.backend,
        attrs: { perm: swapLastTwo(x.shape.length) },
      });
    const aT = transposeA ? t(a) : a;
    const bT = transposeB ? t(b) : b;
    try {
      return (original.kernelFunc as unknown as (a: Args) => TensorInfo)({
        inputs: { ...args.inputs, a: aT, b: bT },
        backend: args.backend,
        attrs: { ...args.attrs, transposeA: false, transposeB: false },
      });
    } finally {
      if (aT !== a) args.backend.disposeData(aT.dataId);
      if (bT !== b) args.backend.disposeData(bT.dataId);
    }
  }) as unknown as KernelFunc;
  return { ...original, kernelFunc };
}
