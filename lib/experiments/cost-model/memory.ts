/**
 * Peak training memory, in bytes: the stored base, the trainable parameters with their gradients and AdamW
 * state (fp32), and the activations alive at the start of the backward. Not counted: the CUDA context and
 * allocator fragmentation (typically a few hundred MB on a GPU), temporary workspace of individual kernels.
 */
import { blockLinears, prefixOf, validateInputs, type BatchStats, type CostRecipe, type ModelShape } from './shape.ts';
import { computeBytes, isQuantized, outerBytes, parameterCounts, stashPerPosition, storageBytesPerElement } from './count.ts';

export interface MemoryEstimate { weights: number; trainable: number; grads: number; adam: number; activations: number; total: number }

export function peakMemory(m: ModelShape, r: CostRecipe, b: BatchStats): MemoryEstimate {
  validateInputs(m, r, b);
  const p = parameterCounts(m, r);
  const cb = computeBytes(r.compute);
  const N = b.batchSize * b.paddedLength;
  const weights = p.blockLinear * storageBytesPerElement(r.storage) + p.outer * outerBytes(r);
  // full fine-tuning of a half-precision base keeps an fp32 master copy; of an fp32 base, the weights are it
  const trainable = r.method.method === 'full' && r.storage === 'fp32' ? 0 : 4 * p.trainable;
  const stash = N * stashPerPosition(m, r, prefixOf(r.method) + b.paddedLength);
  // checkpointed: every block's input plus one block's stash being recomputed; otherwise every block's stash
  const blocks = r.checkpoint ? m.layers * N * m.d + stash : m.layers * stash;
  // logits and their gradient are alive together at the loss; a quantized base needs one dequantized tile
  const largest = Math.max(...blockLinears(m).map((l) => l.in * l.out));
  const activations = cb * (blocks + 2 * N * m.vocab + (isQuantized(r.storage) ? largest : 0));
  const grads = 4 * p.trainable;
  const adam = 8 * p.trainable;
  return { weights, trainable, grads, adam, activations, total: weights + trainable + grads + adam + activations };
}
