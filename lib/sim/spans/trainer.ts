/**
 * What the span study needs from a model, as a type: a function that trains on the Datanet's items and
 * generates for the query prompts. The simulator engine (this layer) cannot import the training engine, which
 * sits above it; lib/experiments/simulate/spans-model.ts provides the real one (lib/train + lib/infer).
 */
import type { Tokenizer } from '../../data/index.ts';
import type { TextItem } from './datanet.ts';

export interface ModelOptions {
  vocab: number;
  layers: number;
  dModel: number;
  heads: number;
  steps: number;
  batchSize: number;
  lr: number;
  maxSource: number;
  maxTarget: number;
  maxNew: number;
  seed: number;
}

export interface TrainedOutputs {
  tokenizer: Tokenizer;
  /** Token ids of each item's text (what the span index is built over). */
  itemTokens: Int32Array[];
  /** Generated token ids per query prompt (no <eos>). */
  outputs: number[][];
  texts: string[];
  finalLoss: number;
  trainSeconds: number;
  generateSeconds: number;
}

export type SpanTrainer = (items: readonly TextItem[], prompts: readonly string[], o: ModelOptions) => Promise<TrainedOutputs>;
