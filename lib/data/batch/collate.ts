/**
 * Collating encoded examples into a padded batch, with the two padding strategies the 3.7x question turns on:
 *   'longest'    pad each batch to its longest example (LLaMA-Factory's DataCollatorForSeq2Seq);
 *   'max_length' pad every example to maxSource + maxTarget (ChatGLM P-Tuning's preprocessing).
 * Labels follow the Hugging Face convention: aligned with input_ids (the loss shifts by one), -100 on the
 * prompt and on padding, so only target tokens (and <eos>) are learned. `shiftedLabels` gives next-token
 * targets directly. Every batch reports its real and padded token counts.
 */
import type { EncodedExample, LengthLimits } from './encode.ts';
import { LedgerLabError } from '../../errors.ts';

export const IGNORE_INDEX = -100;

export type PaddingStrategy = 'longest' | 'max_length';

export interface CollateOptions extends LengthLimits {
  padding: PaddingStrategy;
  padId: number;
  /** 'right' for training (default); 'left' puts prompts flush against generation. */
  side?: 'right' | 'left';
}

export interface BatchStats {
  examples: number;
  /** Non-pad positions (prompt + target tokens). */
  realTokens: number;
  /** Pad positions: batch * seqLen - realTokens. */
  padTokens: number;
  /** Positions the loss covers (labels != -100). */
  targetTokens: number;
}

export interface Batch {
  /** [batch, seqLen], row-major. */
  shape: [number, number];
  inputIds: Int32Array;
  /** IGNORE_INDEX (-100) on prompt and pad positions; otherwise equal to inputIds. */
  labels: Int32Array;
  /** 1 on real tokens, 0 on padding. */
  attentionMask: Int32Array;
  ids: string[];
  stats: BatchStats;
}

/**
 * Pads encoded examples into one batch.
 *
 * @example
 * const b = collate(encoded.slice(0, 4), { padding: 'longest', maxSource: 64, maxTarget: 128, padId: tok.special.pad });
 * b.shape;             // [4, longest prompt+target in these 4]
 * b.stats.padTokens;   // positions wasted on padding
 */
export function collate(examples: readonly EncodedExample[], opts: CollateOptions): Batch {
  if (!(Number.isInteger(opts.maxSource) && opts.maxSource >= 0 && Number.isInteger(opts.maxTarget) && opts.maxTarget >= 1)) {
    throw new LedgerLabError({ kind: 'config', problem: `maxSource must be an integer >= 0 and maxTarget >= 1, got ${opts.maxSource} / ${opts.maxTarget}`, where: 'maxSource/maxTarget' });
  }
  if (examples.length === 0) throw new LedgerLabError({ kind: 'data', problem: 'cannot collate an empty batch', where: 'collate' });
  const maxLen = opts.maxSource + opts.maxTarget;
  for (const ex of examples) {
    if (ex.prompt.length > opts.maxSource || ex.target.length > opts.maxTarget) {
      throw new LedgerLabError({ kind: 'data', problem: `example ${ex.id} has ${ex.prompt.length}+${ex.target.length} tokens, over maxSource ${opts.maxSource} / maxTarget ${opts.maxTarget}`, where: `example ${ex.id}`, hint: 'encode with the same limits you collate with' });
    }
  }
  const lengths = examples.map((ex) => ex.prompt.length + ex.target.length);
  const seqLen = opts.padding === 'longest' ? Math.max(...lengths) : maxLen;
  const B = examples.length;
  const inputIds = new Int32Array(B * seqLen).fill(opts.padId);
  const labels = new Int32Array(B * seqLen).fill(IGNORE_INDEX);
  const attentionMask = new Int32Array(B * seqLen);
  let realTokens = 0;
  let targetTokens = 0;
  examples.forEach((ex, r) => {
    const len = lengths[r];
    const start = r * seqLen + (opts.side === 'left' ? seqLen - len : 0);
    let j = start;
    for (const id of ex.prompt) {
      inputIds[j] = id;
      attentionMask[j++] = 1;
    }
    for (const id of ex.target) {
      inputIds[j] = id;
      labels[j] = id;
      attentionMask[j++] = 1;
    }
    realTokens += len;
    targetTokens += ex.target.length;
  });
  return {
    shape: [B, seqLen],
    inputIds,
    labels,
    attentionMask,
    ids: examples.map((e) => e.id),
    stats: { examples: B, realTokens, padTokens: B * seqLen - realTokens, targetTokens },
  };
}

/**
 * Next-token targets: out[r, t] = labels[r, t + 1], and -100 at each row's last position.
 *
 * @example
 * shiftedLabels(batch); // feed to a cross-entropy that ignores -100, against logits at every position
 */
export function shiftedLabels(batch: Pick<Batch, 'shape' | 'labels'>): Int32Array {
  const [B, L] = batch.shape;
  const out = new Int32Array(B * L).fill(IGNORE_INDEX);
  for (let r = 0; r < B; r++) for (let t = 0; t + 1 < L; t++) out[r * L + t] = batch.labels[r * L + t + 1];
  return out;
}

export interface PaddingSummary extends BatchStats {
  batches: number;
  /** padTokens / (realTokens + padTokens). */
  padFraction: number;
}

/** Totals over many batches (the padding waste a strategy costs). */
export function summarizePadding(batches: Iterable<Pick<Batch, 'stats'>>): PaddingSummary {
  const s = { batches: 0, examples: 0, realTokens: 0, padTokens: 0, targetTokens: 0, padFraction: 0 };
  for (const b of batches) {
    s.batches++;
    s.examples += b.stats.examples;
    s.realTokens += b.stats.realTokens;
    s.padTokens += b.stats.padTokens;
    s.targetTokens += b.stats.targetTokens;
  }
  const total = s.realTokens + s.padTokens;
  s.padFraction = total === 0 ? 0 : s.padTokens / total;
  return s;
}

export interface PromptBatch {
  shape: [number, number];
  /** Left-padded prompts: the last column is every row's last prompt token, where generation continues. */
  inputIds: Int32Array;
  attentionMask: Int32Array;
  ids: string[];
}

/**
 * Prompts only, left-padded to the longest, for batched generation on the eval split.
 *
 * @example
 * const p = collatePrompts(encoded.slice(0, 8), tok.special.pad);
 * // generate from p.inputIds; compare with encoded[i].target (minus <eos>)
 */
export function collatePrompts(examples: readonly EncodedExample[], padId: number): PromptBatch {
  if (examples.length === 0) throw new LedgerLabError({ kind: 'data', problem: 'cannot collate an empty batch', where: 'collatePrompts' });
  const L = Math.max(...examples.map((e) => e.prompt.length));
  const inputIds = new Int32Array(examples.length * L).fill(padId);
  const attentionMask = new Int32Array(examples.length * L);
  examples.forEach((ex, r) => {
    const start = r * L + L - ex.prompt.length;
    inputIds.set(ex.prompt, start);
    attentionMask.fill(1, start, start + ex.prompt.length);
  });
  return { shape: [examples.length, L], inputIds, attentionMask, ids: examples.map((e) => e.id) };
}
