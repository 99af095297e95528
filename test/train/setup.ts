/**
 * Shared tiny fixture for the training tests (and the child process the kill test spawns): a few AdvertiseGen
 * lines, a char tokenizer trained on them, and a 1-layer d32 model — small enough that a step takes
 * milliseconds, real enough that the loss means something.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAdvertiseGen, CharTokenizer, encodeExamples, type EncodedExample, type Example, type Tokenizer } from '../../lib/data/index.ts';
import { initWeights, type GptConfig, type Weights } from '../../lib/model/index.ts';
import { paths } from '../../lib/paths.ts';
import { TrainSchema } from '../../lib/train/config.ts';

export const DATA_FILE = join(paths.datasets, 'advertisegen', 'dev-sample.jsonl');

export interface Fixture {
  examples: Example[];
  tok: Tokenizer;
  config: GptConfig;
  base: Weights;
  train: EncodedExample[];
  eval: EncodedExample[];
}

export const LIMITS = { maxSource: 24, maxTarget: 24 };

export function fixture(n = 24, limits = LIMITS, context = 64, dropout = 0): Fixture {
  const lines = readFileSync(DATA_FILE, 'utf8').split('\n').slice(0, n).join('\n');
  const examples = parseAdvertiseGen(lines, DATA_FILE);
  const tok = CharTokenizer.train(examples.flatMap((e) => [e.source, e.target]), { vocabSize: 400 });
  const config: GptConfig = { layers: 1, dModel: 32, heads: 4, context, vocab: tok.vocabSize, tiedHead: true, dropout };
  const encoded = encodeExamples(tok, examples, limits);
  return { examples, tok, config, base: initWeights(config, 'test-base'), train: encoded.slice(0, n - 6), eval: encoded.slice(n - 6) };
}

/** The kill test's run: LoRA with dropout in the model and the adapter (so the RNG state matters), 12 steps, checkpoints every 4. */
export function killTestSetup() {
  const f = fixture(24, LIMITS, 64, 0.1);
  const method = { method: 'lora' as const, r: 4, alpha: 8, dropout: 0.1, targets: ['q' as const, 'v' as const], rslora: false };
  const config = TrainSchema.parse({ steps: 12, batchSize: 4, gradAccum: 2, lr: 1e-2, warmupSteps: 2, logEvery: 1, evalEvery: 3, checkpointEvery: 4, ...LIMITS });
  return { f, method, config };
}
