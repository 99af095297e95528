/**
 * train/: turning data and a model into trained weights and evaluated predictions.
 *   config.ts      TrainSchema: the strict, typed training config
 *   optim.ts       AdamW with savable state, global-norm clipping, warm-up + constant/linear/cosine schedule
 *   loop.ts        the nanoGPT-style loop: accumulation, clipping, metrics.jsonl, eval, early stop, resume
 *   checkpoint.ts  one atomic safetensors file per run: trainable tensors, AdamW moments, loop state
 *   eval-loss.ts   teacher-forced loss and perplexity on a split
 *   pretrain.ts    base-model pretraining on domain text, cached by a hash of everything that shapes it
 *   generate.ts    greedy / seeded top-k sampling with the KV cache
 *   evaluate.ts    predictions per example + perplexity + a pluggable scorer (Chinese ROUGE from lib/metrics)
 */
export { TrainSchema, trainConfig } from './config.ts';
export type { TrainConfig } from './config.ts';
export { AdamW, clipByGlobalNorm, lrAt } from './optim.ts';
export type { AdamWOptions, AdamWState } from './optim.ts';
export { trainLoop, deterministicFields, TIMING_KEYS } from './loop.ts';
export type { TrainLoopOptions, TrainLoopResult } from './loop.ts';
export { saveCheckpoint, readCheckpoint, restoreCheckpoint, CHECKPOINT_FILE, CHECKPOINT_FORMAT, CHECKPOINT_VERSION } from './checkpoint.ts';
export type { LoopState, LogWindow, EarlyStopState, TrainCheckpoint } from './checkpoint.ts';
export { evalLoss } from './eval-loss.ts';
export type { EvalLoss, EvalLossOptions } from './eval-loss.ts';
export { pretrainBase, pretrainKey, domainTexts, loadPretrained, readWeights, weightsToSafetensors, PRETRAIN_CACHE_VERSION } from './pretrain.ts';
export type { PretrainOptions, PretrainedBase, PretrainMeta } from './pretrain.ts';
export { generateTokens, sampleRow } from './generate.ts';
export type { GenerateTokensOptions } from './generate.ts';
export { evaluate, zhRougeScorer, predictionsJsonl } from './evaluate.ts';
export type { EvaluateOptions, EvaluateResult, EvalPrediction, Scorer } from './evaluate.ts';
