/**
 * Identity for the wasm backend that shares the input's buffer (reference-counted) instead of copying it.
 *
 * Why: tfjs' engine clones every tensor a kernel saves for its gradient (`keep(clone(x))`), and wasm's
 * Identity copies; a training step of the reference model makes ~120 such copies of activations. Sharing is
 * what tfjs' cpu backend does for Identity and what wasm's own Reshape already does: tensors are immutable
 * (a Variable's assign swaps its buffer, never writes into it), so an alias cannot be observed.
 */
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs';

interface BackendLike {
  incRef(dataId: unknown): void;
}

export function sharedIdentityKernel(original: KernelConfig): KernelConfig {
  const kernelFunc = ((args: { inputs: { x: TensorInfo }; backend: BackendLike }) => {
    const { x } = args.inputs;
    if (x.dtype === 'string') return (original.kernelFunc as unknown as (a: unknown) => TensorInfo)(args);
    args.backend.incRef(x.dataId);
    return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
  }) as unknown as KernelFunc;
  return { ...original, kernelFunc };
}
