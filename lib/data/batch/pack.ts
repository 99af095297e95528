/**
 * Packing unlabeled text for base-model pretraining: texts are tokenized, joined with <eos> between them and
 * cut into blocks of exactly `blockSize` tokens (the remainder is dropped), nanoGPT-style. Each block is an
 * EncodedExample with an empty prompt, so `BatchIterator` (maxSource: 0, maxTarget: blockSize) batches it
 * with no padding, labels on every position, and the same exact resume.
 */
import type { Tokenizer } from '../tokenizer/index.ts';
import type { EncodedExample } from './encode.ts';
import { LedgerLabError } from '../../errors.ts';

/**
 * @example
 * const blocks = packTexts(tok, corpus, 64);
 * const it = new BatchIterator(blocks, { batchSize: 16, seed: 0, padding: 'longest', maxSource: 0, maxTarget: 64, padId: 0 });
 */
export function packTexts(tok: Tokenizer, texts: Iterable<string>, blockSize: number): EncodedExample[] {
  if (!Number.isInteger(blockSize) || blockSize < 2) throw new LedgerLabError({ kind: 'config', problem: `blockSize must be an integer >= 2, got ${blockSize}`, where: 'blockSize' });
  const blocks: EncodedExample[] = [];
  let cur: number[] = [];
  const push = (id: number) => {
    cur.push(id);
    if (cur.length === blockSize) {
      blocks.push({ id: `block-${blocks.length}`, prompt: [], target: cur });
      cur = [];
    }
  };
  for (const text of texts) {
    for (const id of tok.encode(text)) push(id);
    push(tok.special.eos);
  }
  return blocks;
}

/**
 * Packs token sequences that already carry their own special tokens (e.g. each training example's
 * `<bos> source <sep> target <eos>`, the fine-tuning format) into blocks of exactly `blockSize` tokens, the
 * remainder dropped, like `packTexts`. A base pretrained this way has seen prompts followed by their targets,
 * so it learns to condition on the prompt before any adapter is trained.
 *
 * @example
 * packSequences([[1, 5, 2, 6, 0], [1, 7, 2, 8, 0]], 4); // blocks [1,5,2,6], [0,1,7,2] (the last two tokens dropped)
 */
export function packSequences(seqs: Iterable<readonly number[]>, blockSize: number): EncodedExample[] {
  if (!Number.isInteger(blockSize) || blockSize < 2) throw new LedgerLabError({ kind: 'config', problem: `blockSize must be an integer >= 2, got ${blockSize}`, where: 'blockSize' });
  const blocks: EncodedExample[] = [];
  let cur: number[] = [];
  for (const seq of seqs) {
    for (const id of seq) {
      cur.push(id);
      if (cur.length === blockSize) {
        blocks.push({ id: `block-${blocks.length}`, prompt: [], target: cur });
        cur = [];
      }
    }
  }
  return blocks;
}
