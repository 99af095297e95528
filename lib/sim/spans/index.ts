/** sim/spans/: span-matching attribution (suffix array, Infini-gram style) on a real-text Datanet through a real model. */
export { SuffixArray, buildSuffixArray } from './suffix-array.ts';
export { buildSpanIndex, matchLengths, maximalSpans, spanCredit } from './match.ts';
export type { SpanIndex, Span, SpanOptions } from './match.ts';
export { bruteForceSpans } from './brute.ts';
export { paraphrase } from './paraphrase.ts';
export { buildTextDatanet, frequentPhrases, TEXT_ATTACKS } from './datanet.ts';
export type { TextItem, TextDatanet, TextAttack, ItemKind } from './datanet.ts';
export { TEXT_METHODS, spanWeights, retrievalWeights, knnShapleyWeights, hashedEmbedding } from './methods.ts';
export type { TextMethod } from './methods.ts';
export type { ModelOptions, TrainedOutputs, SpanTrainer } from './trainer.ts';
export { SpansSchema, SpanModelSchema, spansConfig } from './config.ts';
export type { SpansConfig, SpanModelConfig } from './config.ts';
export { runSpanStudy, formatSpanStudy, attributeOutputs, textEpisode, ownerShares, qualityOf } from './study.ts';
export type { SpanStudy, MethodOutcome, OwnerShare } from './study.ts';
