/**
 * LedgerLab's own engine (the `cpu` preset: tfjs-wasm + JS-held frozen weights + ONNX Runtime for evaluation)
 * by its memory layout, counted from the code rather than fitted (issue 30; docs/training.md "memory layout at
 * real sizes", docs/estimate.md):
 *
 * - **Where weights live.** A frozen fp32 base past FROZEN_JS_BYTES of block linears keeps them as JS arrays;
 *   quantized block linears are packed in JS, and the frozen embedding goes with them; everything else (norms,
 *   biases, an untied head, trainable tensors, AdamW moments) is a tfjs variable. Both kinds are resident. A frozen tied head is also held transposed once
 *   ([d, vocab], in JS beside JS-held linears, as a kept tensor otherwise): the embedding counts twice.
 * - **What a training step keeps.** The training loop's gradient function (lib/runtime/grads.ts) keeps what
 *   each op's gradient reads, nothing else, counted per token and layer the way tfjs counts it (`savedPerToken`:
 *   a tensor two ops save is two handles); dense (heap) products also save their weight. Gradient checkpointing
 *   keeps each block's input and one block's set.
 * - **The head and the loss.** Small vocab × tokens: the logits, their softmax, its saved copy and the gradient
 *   (4 × tokens × vocab) at the loss. Past 2 × LOSS_CHUNK_BYTES of logits (a frozen head) the loss is chunked: about three chunks' worth
 *   (logits, softmax, gradient) live at once, plus the hidden states' gradient.
 * - **Evaluation.** A model that exports to ONNX Runtime (not a large quantized base, not a virtual-token
 *   method) is copied there in fp32 (every parameter, and a tied head's transpose as its own initializer);
 *   the wasm heap keeps its high-water mark (emscripten never shrinks it), so the run's peak is the training
 *   peak plus that copy.
 */
import { FROZEN_JS_BYTES, LOSS_CHUNK_BYTES } from '../model/index.ts';
import type { CostBatchStats, CostRecipe, ModelShape } from '../experiments/index.ts';

export interface EngineMemory {
  /** the tied head's transposed copy (0 when the head is trained or untied). */
  headCopy: number;
  /** what a step keeps for the backward pass (blocks) and the loss's transient, bytes. */
  activations: number;
  /** the fp32 copy ONNX Runtime holds while evaluating (0 when evaluation generates on tfjs). */
  evaluation: number;
  /** block linears held in JS memory (fp32 or packed), outside the wasm heap. */
  inJs: boolean;
}

const kvWidth = (m: ModelShape) => (m.d / m.heads) * m.kvHeads;

/**
 * Floats one token keeps per layer for the backward pass, counted as tfjs counts them: each op's saved copy
 * of an input is a handle of its own in tfjs' byte count (`tf.memory().numBytes`, the engine peak bench train
 * reports), even when two ops save the same buffer. On the 0.5B LoRA step this count (1,701 MiB) is within 5%
 * of the wasm heap's high-water mark (1,777 MiB): the double-counted handles stand in for the transients and
 * fragmentation the count leaves out.
 */
export function savedPerToken(m: ModelShape, r: CostRecipe, keys: number, heapLinears: boolean): number {
  const t = r.method.method === 'lora' ? r.method.targets : [];
  const lora = r.method.method === 'lora' ? r.method.r * t.length : 0;
  const dense = heapLinears || r.method.method === 'full' ? 1 : 0;
  const n = (names: readonly string[]) => t.filter((x) => names.includes(x)).length;
  // a dense product saves its input; a LoRA adapter's A product saves it once more
  const attnIn = (3 * dense + n(['q', 'k', 'v'])) * m.d;
  const oIn = (dense + n(['o'])) * m.d;
  const downIn = (dense + n(['down'])) * m.ffn;
  if (m.arch === 'gpt2') {
    // LayerNorm: centred input (Square), centred input (Mul), normalized (Mul by gain) = 3 × d each; q and k
    // (scores product), v (output product); scores (scaled), softmax twice; fc input; GELU's Mul/sigmoid saves 9 × ffn
    const fcIn = (dense + n(['up'])) * m.d;
    return 3 * m.d + attnIn + 3 * m.d + 3 * m.heads * keys + oIn + 3 * m.d + fcIn + 9 * m.ffn + downIn + lora;
  }
  const mlpIn = (2 * dense + n(['gate', 'up'])) * m.d;
  // RMSNorm's normalized input (× 2 norms); q: transposed (rope Mul and rotate-half product), rotated half,
  // roped (scale Mul), scaled (scores product) = 5 × d; k likewise 4 × kv width, v 1 ×; softmax twice; gate, up
  return m.d + attnIn + 5 * m.d + 5 * kvWidth(m) + 2 * m.heads * keys + oIn + m.d + mlpIn + 2 * m.ffn + downIn + lora;
}

export function engineMemory(m: ModelShape, r: CostRecipe, b: CostBatchStats, o: { blockLinearParams: number; virtualTokens: boolean }): EngineMemory {
  const full = r.method.method === 'full';
  const quantized = r.storage !== 'fp32' && r.storage !== 'fp16' && r.storage !== 'bf16';
  const inJs = !full && (r.storage !== 'fp32' || 4 * o.blockLinearParams > FROZEN_JS_BYTES);
  const N = b.batchSize * b.paddedLength;
  const prefix = r.method.method === 'ptuning-v2' ? r.method.prefix : 0;
  const perToken = savedPerToken(m, r, b.paddedLength + prefix, !inJs);
  const blocks = r.checkpoint ? m.layers * N * m.d + N * perToken : m.layers * N * perToken;
  const logits = 4 * N * m.vocab;
  const frozenHead = !full;
  // fused: about three chunks (logits, softmax, gradient) and the hidden states' gradient; unfused: the logits,
  // the softmax and its saved copy, and the gradient at the loss
  const head = frozenHead && logits > 2 * LOSS_CHUNK_BYTES ? 3 * LOSS_CHUNK_BYTES + 4 * N * m.d : 4 * logits;
  // dense (heap) products also save their weight: a copy handle per frozen block linear, and an untied head's
  const weightHandles = inJs ? 0 : 4 * (o.blockLinearParams + (m.tiedHead ? 0 : m.vocab * m.d));
  const activations = 4 * (blocks + N * m.d) + head + weightHandles;
  const headCopy = m.tiedHead && frozenHead ? 4 * m.vocab * m.d : 0;
  const params = o.blockLinearParams + m.vocab * m.d * (m.tiedHead ? 1 : 2);
  const onnx = !o.virtualTokens && !(quantized && 4 * o.blockLinearParams > FROZEN_JS_BYTES);
  const evaluation = onnx ? 4 * (params + (m.tiedHead ? m.vocab * m.d : 0)) : 0;
  return { headCopy, activations, evaluation, inJs };
}
