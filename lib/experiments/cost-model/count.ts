/**
 * Counts of one training step: FLOPs, bytes moved and kernels launched. Conventions (all deliberate, see
 * docs/scale.md):
 * - a matmul of N rows through an in×out weight costs 2·N·in·out FLOPs; its backward costs the same again for
 *   the input gradient (needed for every weight, frozen or not, because gradients must flow down to the
 *   adapters or prefixes of lower layers) and the same again for the weight gradient, only if it is trainable;
 * - attention over a prefix of P positions and L tokens: QKᵀ and AV cost 2·L·(P+L)·d each per sequence
 *   (the full rectangle: causal masking does not skip work in the kernels we model); its backward is 2× that;
 *   P-Tuning's prefix gradients are the prefix rows of dK/dV, already inside that backward;
 * - gradient checkpointing recomputes exactly one forward of the blocks (not of the LM head);
 * - norms, activations and residual adds cost no FLOPs worth counting, but each is one kernel;
 * - every position of the padded batch is computed: padding waste is padded − real positions.
 */
import { blockLinears, kvDim, prefixOf, validateInputs, type BatchStats, type Compute, type CostRecipe, type ModelShape, type Storage } from './shape.ts';

export interface StepCounts {
  compute: Compute;
  flops: { forward: number; backwardInput: number; backwardWeight: number; recompute: number; total: number };
  /** positions computed that hold padding, and the FLOPs spent on them (their share of positions × total). */
  padding: { positions: number; flops: number };
  bytes: { weights: number; dequant: number; activations: number; optimizer: number; total: number };
  kernels: number;
  /**
   * Quantized weight values dequantized per step (reads × quantized block parameters). On a GPU the
   * dequantization is fused into a kernel and costs its bytes (counted above); on this engine (tfjs-wasm) it
   * runs in JavaScript, value by value, before the tile is uploaded: a cost per value of its own, which
   * devices with `secondsPerDequantValue` charge (lib/experiments/cost-model/device.ts).
   */
  dequantValues: number;
  trainableParams: number;
}

/** Bytes per stored element (4-bit and int8 include their fp32 absmax per 64 values; nf4-dq its 8-bit absmax per 64 + fp32 per 256 blocks). */
export function storageBytesPerElement(s: Storage): number {
  switch (s) {
    case 'fp32': return 4;
    case 'fp16': case 'bf16': return 2;
    case 'int8': return 1 + 4 / 64;
    case 'nf4': return 0.5 + 4 / 64;
    case 'nf4-dq': return 0.5 + 1 / 64 + 4 / (64 * 256);
  }
}

export const computeBytes = (c: Compute): number => (c === 'fp32' ? 4 : 2);
export const isQuantized = (s: Storage): boolean => s === 'int8' || s === 'nf4' || s === 'nf4-dq';
/** Embeddings and LM head: fp32 when the base is fp32, else the compute dtype (quantizers skip them). */
export const outerBytes = (r: CostRecipe): number => (r.storage === 'fp32' ? 4 : computeBytes(r.compute));

/** AdamW with fp32 state: read param, grad, m, v and write param, m, v = 7 × 4 bytes per trainable value. */
export const ADAM_BYTES_PER_PARAM = 28;

/**
 * Values kept per position per block for the backward: the norm inputs (2d), q/k/v inputs and outputs
 * (d + d + 2·kv), the attention probabilities (heads × (P+L)), the attention output (d), the MLP input (d) and
 * hidden (2·ffn, or 3·ffn when gated), plus each LoRA target's r-wide bottleneck.
 */
export function stashPerPosition(m: ModelShape, r: CostRecipe, context: number): number {
  const lora = r.method.method === 'lora' ? r.method.r * r.method.targets.length : 0;
  return 6 * m.d + 2 * kvDim(m) + m.heads * context + (m.arch === 'llama' ? 3 : 2) * m.ffn + lora;
}

/** Block parameters (linears only: norms are negligible) and the parameters the recipe trains. */
export function parameterCounts(m: ModelShape, r: CostRecipe): { blockLinear: number; outer: number; trainable: number; trainableTensors: number } {
  const linears = blockLinears(m);
  const blockLinear = m.layers * linears.reduce((a, l) => a + l.in * l.out, 0);
  const outer = m.vocab * m.d * (m.tiedHead ? 1 : 2);
  const meth = r.method;
  if (meth.method === 'lora') {
    const per = linears.filter((l) => meth.targets.includes(l.name)).reduce((a, l) => a + meth.r * (l.in + l.out), 0);
    return { blockLinear, outer, trainable: m.layers * per, trainableTensors: 2 * meth.targets.length * m.layers };
  }
  // ChatGLM2's prefix encoder without projection: one embedding of P × (layers · 2 · kvDim): a key and a value per layer.
  if (meth.method === 'ptuning-v2') return { blockLinear, outer, trainable: m.layers * 2 * meth.prefix * kvDim(m), trainableTensors: 1 };
  return { blockLinear, outer, trainable: blockLinear + outer, trainableTensors: m.layers * linears.length + (m.tiedHead ? 1 : 2) };
}

export function countStep(m: ModelShape, r: CostRecipe, b: BatchStats): StepCounts {
  validateInputs(m, r, b);
  const L = b.paddedLength;
  const N = b.batchSize * L;
  const P = prefixOf(r.method);
  const linears = blockLinears(m);
  const meth = r.method;
  const loraOf = (name: string) => (meth.method === 'lora' && meth.targets.includes(name as never) ? meth.r : 0);

  // ---- FLOPs
  const linearF = linears.reduce((a, l) => a + 2 * N * l.in * l.out, 0);
  const loraF = linears.reduce((a, l) => a + 2 * N * loraOf(l.name) * (l.in + l.out), 0);
  const attnF = 4 * b.batchSize * L * (P + L) * m.d;
  const headF = 2 * N * m.d * m.vocab;
  const blocksForward = m.layers * (linearF + loraF + attnF);
  const forward = blocksForward + headF;
  const backwardInput = m.layers * (linearF + loraF + 2 * attnF) + headF;
  const backwardWeight = meth.method === 'lora' ? m.layers * loraF : meth.method === 'full' ? m.layers * linearF + headF : 0;
  const recompute = r.checkpoint ? blocksForward : 0;
  const total = forward + backwardInput + backwardWeight + recompute;
  const padPositions = N - b.realTokens;

  // ---- bytes
  const params = parameterCounts(m, r);
  const cb = computeBytes(r.compute);
  // each frozen block weight is read in the forward, the backward (input grads) and, checkpointed, the recompute
  const reads = 2 + (r.checkpoint ? 1 : 0);
  const weights = reads * params.blockLinear * storageBytesPerElement(r.storage) + 2 * m.vocab * m.d * outerBytes(r);
  // a quantized weight is dequantized to a compute-dtype tile on every read: the tile is written and read back
  const dequant = isQuantized(r.storage) ? reads * params.blockLinear * 2 * cb : 0;
  const stash = m.layers * N * stashPerPosition(m, r, P + L);
  // stash written then read (2), activation gradients of the same size written then read (2); checkpointing
  // also writes and reads each block's input; the logits and their gradient are written and read once each
  const activations = cb * (4 * stash + (r.checkpoint ? 2 * m.layers * N * m.d : 0) + 4 * N * m.vocab);
  const optimizer = ADAM_BYTES_PER_PARAM * params.trainable;

  // ---- kernels: per block forward, one per linear, two per LoRA target, two attention matmuls, and the
  // elementwise ones (2 norms, softmax, activation, 2 residual adds, + the gate product when gated).
  const loraTargets = meth.method === 'lora' ? meth.targets.length : 0;
  const blockKernels = linears.length + 2 * loraTargets + 2 + 6 + (m.arch === 'llama' ? 1 : 0);
  const headKernels = 3; // head matmul, log-softmax, loss
  const forwardKernels = m.layers * blockKernels + headKernels;
  const dequantKernels = isQuantized(r.storage) ? reads * m.layers * linears.length : 0;
  // backward ≈ 2 kernels per forward kernel; one fused AdamW kernel per trainable tensor
  const kernels = 3 * forwardKernels + (r.checkpoint ? m.layers * blockKernels : 0) + dequantKernels + params.trainableTensors;

  return {
    compute: r.compute,
    flops: { forward, backwardInput, backwardWeight, recompute, total },
    padding: { positions: padPositions, flops: (total * padPositions) / N },
    bytes: { weights, dequant, activations, optimizer, total: weights + dequant + activations + optimizer },
    kernels,
    dequantValues: isQuantized(r.storage) ? reads * params.blockLinear : 0,
    trainableParams: params.trainable,
  };
}
