/**
 * Examples to token sequences for supervised fine-tuning. A training sequence is
 *   prompt = <bos> source-tokens <sep>      (at most maxSource tokens; the source is cut from the end)
 *   target = target-tokens <eos>            (at most maxTarget tokens; the target is cut from the end)
 * as in ChatGLM's P-Tuning preprocessing (source cut to max_source_length, target to max_target_length,
 * special tokens counted inside the limits).
 */
import type { Example } from '../types.ts';
import type { Tokenizer } from '../tokenizer/index.ts';
import { LedgerLabError } from '../../errors.ts';

export interface EncodedExample {
  id: string;
  prompt: number[];
  target: number[];
}

export interface LengthLimits {
  /** Longest prompt in tokens, <bos> and <sep> included (>= 2). */
  maxSource: number;
  /** Longest target in tokens, <eos> included (>= 1). */
  maxTarget: number;
}

export function checkLimits(l: LengthLimits): void {
  if (!Number.isInteger(l.maxSource) || l.maxSource < 2) throw new LedgerLabError({ kind: 'config', problem: `maxSource must be an integer >= 2 (room for <bos> and <sep>), got ${l.maxSource}`, where: 'maxSource' });
  if (!Number.isInteger(l.maxTarget) || l.maxTarget < 1) throw new LedgerLabError({ kind: 'config', problem: `maxTarget must be an integer >= 1 (room for <eos>), got ${l.maxTarget}`, where: 'maxTarget' });
}

/**
 * Tokenizes and truncates one example.
 *
 * @example
 * const e = encodeExample(tok, example, { maxSource: 64, maxTarget: 128 });
 * e.prompt[0] === tok.special.bos; e.target.at(-1) === tok.special.eos; // true, true
 */
export function encodeExample(tok: Tokenizer, ex: Pick<Example, 'id' | 'source' | 'target'>, limits: LengthLimits): EncodedExample {
  checkLimits(limits);
  const src = tok.encode(ex.source).slice(0, limits.maxSource - 2);
  const tgt = tok.encode(ex.target).slice(0, limits.maxTarget - 1);
  return { id: ex.id, prompt: [tok.special.bos, ...src, tok.special.sep], target: [...tgt, tok.special.eos] };
}

/** Encodes a list of examples. */
export function encodeExamples(tok: Tokenizer, exs: readonly Pick<Example, 'id' | 'source' | 'target'>[], limits: LengthLimits): EncodedExample[] {
  return exs.map((ex) => encodeExample(tok, ex, limits));
}
