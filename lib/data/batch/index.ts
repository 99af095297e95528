/** Batching for SFT: encode + truncate, pad ('longest' | 'max_length'), -100 labels, resumable iterator. */
export { encodeExample, encodeExamples, type EncodedExample, type LengthLimits } from './encode.ts';
export { collate, collatePrompts, shiftedLabels, summarizePadding, IGNORE_INDEX, type Batch, type BatchStats, type CollateOptions, type PaddingStrategy, type PaddingSummary, type PromptBatch } from './collate.ts';
export { BatchIterator, type BatchIteratorOptions, type IteratorState, type PositionedBatch } from './iterator.ts';
export { packTexts, packSequences } from './pack.ts';
