/**
 * Training memory by part, in bytes. Weights are counted tensor by tensor with lib/quant's exact packed sizes
 * (`theoreticalBytes`: nf4 ⌈n/2⌉ + 4·⌈n/64⌉, nf4-dq with its 8-bit absmax, second-level fp32 constants and offset,
 * int8 n + 4·⌈n/64⌉): block linear weights take the storage dtype, everything else (embeddings, head, norms,
 * biases) stays in the compute dtype, as bitsandbytes leaves them. Trainable tensors are fp32 with fp32 gradients
 * and AdamW's two fp32 moments. Activations are the cost model's `peakMemory` term (every block's backward stash,
 * or under checkpointing every block's input plus one block's stash; logits and their gradient; one dequantized
 * tile), so the scale kind and `estimate` agree. The device preset adds its framework overhead.
 */
import { theoreticalBytes } from '../quant/index.ts';
import { peakMemory, type Compute, type CostBatchStats, type CostRecipe, type ModelShape } from '../experiments/index.ts';
import { moduleParams, type ModuleTree } from './modules.ts';
import type { ParamCount } from './params.ts';
import type { WeightStorage } from './recipe.ts';
import type { DevicePreset } from './devices.ts';
import { engineMemory } from './engine-memory.ts';

export interface MemoryParts {
  /** frozen (or half-precision working) base weights, total and by dtype. */
  weights: number;
  weightsByDtype: Record<string, number>;
  /** fp32 trainable tensors (adapters, prompt encoders; full fine-tuning of a half base: the fp32 master copy). */
  trainable: number;
  gradients: number;
  /** AdamW: m and v, fp32. */
  optimizer: number;
  activations: number;
  /** the device preset's framework overhead. */
  overhead: number;
  /** LedgerLab's engine (`cpu`): a frozen tied head's transposed copy (engine-memory.ts); 0 elsewhere. */
  headCopy: number;
  total: number;
  /**
   * LedgerLab's engine (`cpu`): the run's peak with evaluation after training — the step's total plus the fp32
   * copy ONNX Runtime holds when the model is exported (the wasm heap keeps its high-water mark). Equal to
   * total on other devices.
   */
  withEvaluation: number;
  device: number;
  fits: boolean;
  /** device memory minus total (negative: short by that much). */
  headroom: number;
}

export function isQuantizedStorage(s: WeightStorage): boolean {
  return s === 'int8' || s === 'fp4' || s === 'nf4' || s === 'nf4-dq';
}

/** Bytes of the base's weights: block linears packed as `storage`, the rest in the compute dtype. */
export function weightBytes(tree: ModuleTree, storage: WeightStorage, compute: Compute): Record<string, number> {
  const other = storage === 'fp32' ? 'fp32' : storage === 'fp16' || storage === 'bf16' ? storage : compute;
  const otherBytes = other === 'fp32' ? 4 : 2;
  const out: Record<string, number> = {};
  const add = (k: string, v: number) => { if (v > 0) out[k] = (out[k] ?? 0) + v; };
  for (const m of tree.modules) {
    const n = moduleParams(m);
    if (m.block && (m.kind === 'linear' || m.kind === 'conv1d')) {
      add(storage, theoreticalBytes(m.in * m.out, storage));
      add(other, (n - m.in * m.out) * otherBytes);
    } else add(other, n * otherBytes);
  }
  return out;
}

export interface MemoryInput {
  tree: ModuleTree;
  params: ParamCount;
  full: boolean;
  storage: WeightStorage;
  compute: Compute;
  shape: ModelShape;
  recipe: CostRecipe;
  batch: CostBatchStats;
  device: DevicePreset;
  /** the method adds virtual tokens (prompt tuning, P-Tuning v1): LedgerLab evaluates those on tfjs. */
  virtualTokens?: boolean;
}

/** Parameters of the block linears (what a quantized or JS-held base stores apart). */
export function blockLinearParams(tree: ModuleTree): number {
  return tree.modules.reduce((a, m) => a + (m.block && (m.kind === 'linear' || m.kind === 'conv1d') ? m.in * m.out : 0), 0);
}

export function memoryParts(i: MemoryInput): MemoryParts {
  // full fine-tuning of an fp32 base trains the weights in place: they are the trainable tensors
  const inPlace = i.full && i.storage === 'fp32';
  const weightsByDtype = inPlace ? {} : weightBytes(i.tree, i.storage, i.compute);
  const weights = Object.values(weightsByDtype).reduce((a, b) => a + b, 0);
  const trainable = 4 * i.params.trainable;
  const gradients = 4 * i.params.trainable;
  const optimizer = 8 * i.params.trainable;
  const engine = i.device.engine === 'ledgerlab'
    ? engineMemory(i.shape, i.recipe, i.batch, { blockLinearParams: blockLinearParams(i.tree), virtualTokens: i.virtualTokens ?? false })
    : undefined;
  const activations = engine ? engine.activations : i.device.activationFactor * peakMemory(i.shape, i.recipe, i.batch).activations;
  const headCopy = engine?.headCopy ?? 0;
  const overhead = i.device.overheadBytes;
  const total = weights + trainable + gradients + optimizer + activations + headCopy + overhead;
  const withEvaluation = total + (engine?.evaluation ?? 0);
  return { weights, weightsByDtype, trainable, gradients, optimizer, activations, overhead, headCopy, total, withEvaluation, device: i.device.memoryBytes, fits: total <= i.device.memoryBytes, headroom: i.device.memoryBytes - total };
}
