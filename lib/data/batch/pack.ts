/**
 * Packing unlabeled text for base-model pretraining: texts are tokenized, joined with <eos> between them and
 * cut into blocks of exactly `blockSize` tokens (the remainder is dropped), nanoGPT-style. Each block is an
 * EncodedExample with an empty prompt, so `BatchIterator` (maxSource: 0, maxTarget: blockSize) batches it
 * with no padding, labels on every position, and the same exact resume.
 */
import type { Tokenizer } from '../tokenizer/specials.ts';
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
