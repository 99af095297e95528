/**
 * Autoregressive generation in tfjs with the model's key/value cache: the prompt runs once with
 * `returnPresents`, then each new token runs alone with `prefix: presents, positionOffset: positions` (the
 * method's prompt or prefix is inside the cache from the first call). Greedy (argmax, ties to the lowest
 * id) or seeded sampling (temperature, top-k). Stops at <eos>, after `maxNew` tokens, or at the context.
 *
 * Batching: only prompts of the same length share a batch. The model gives every row the same positions and
 * the cache keeps no padding mask, so left-padded rows would see pad keys and shifted positions; grouping
 * by length keeps batched output identical to one-at-a-time output. Sampling draws from one Rng per prompt
 * (`${seed}:${index}`), so results do not depend on the batching either.
 *
 * lib/infer has the backend-agnostic loop (`generate` over a `CachedDecoder`: ONNX Runtime or tfjs); this
 * one is the synchronous tfjs path training and evaluation use without an export step.
 *
 * @example
 * const [ids] = generateTokens(model, [encodeExample(tok, ex, limits).prompt], { maxNew: 64, eos: tok.special.eos });
 * tok.decode(ids, { skipSpecial: true });
 */
import * as tf from '@tensorflow/tfjs';
import { LedgerLabError } from '../errors.ts';
import type { Gpt, KvPrefix } from '../model/gpt.ts';
import { Rng } from '../util/random.ts';

export interface GenerateTokensOptions {
  /** Most new tokens per prompt (an <eos> counts but is not returned). */
  maxNew: number;
  eos: number;
  strategy?: 'greedy' | 'sample';
  /** Sampling temperature (> 0); default 1. */
  temperature?: number;
  /** Sample among the k most likely tokens; 0 or undefined = all. */
  topK?: number;
  seed?: number | string;
  /** Most prompts per forward batch (same-length prompts only); default 8. */
  batchSize?: number;
}

/** Index of the largest value in row r of a [rows, V] buffer; ties go to the lowest index. */
function argmax(x: Float32Array, r: number, V: number): number {
  let best = 0;
  let bv = -Infinity;
  for (let j = 0; j < V; j++) {
    const v = x[r * V + j];
    if (v > bv) {
      bv = v;
      best = j;
    }
  }
  return best;
}

/** Samples from softmax(row / temperature) restricted to the top k (float64 in JS, one uniform draw). */
export function sampleRow(row: ArrayLike<number>, temperature: number, topK: number, rng: Rng): number {
  const V = row.length;
  let idx = Array.from({ length: V }, (_, j) => j);
  if (topK > 0 && topK < V) idx = idx.sort((a, b) => row[b] - row[a] || a - b).slice(0, topK);
  let max = -Infinity;
  for (const j of idx) max = Math.max(max, row[j]);
  const w = idx.map((j) => Math.exp((row[j] - max) / temperature));
  const total = w.reduce((a, b) => a + b, 0);
  let u = rng.next() * total;
  for (let i = 0; i < idx.length; i++) {
    u -= w[i];
    if (u < 0) return idx[i];
  }
  return idx[idx.length - 1];
}

function disposeCache(c: KvPrefix | undefined): void {
  if (c) tf.dispose([...c.keys, ...c.values]);
}

/** Generates a continuation for each prompt (token ids, without the prompt and without <eos>). */
export function generateTokens(model: Gpt, prompts: readonly (readonly number[])[], o: GenerateTokensOptions): number[][] {
  const strategy = o.strategy ?? 'greedy';
  const temperature = o.temperature ?? 1;
  if (strategy === 'sample' && !(temperature > 0)) throw new LedgerLabError({ kind: 'config', problem: `temperature must be > 0 for sampling, got ${temperature}`, where: 'generate.temperature', hint: "use strategy 'greedy' for deterministic argmax decoding" });
  if (!(Number.isInteger(o.maxNew) && o.maxNew >= 1)) throw new LedgerLabError({ kind: 'config', problem: `maxNew must be an integer ≥ 1, got ${o.maxNew}`, where: 'generate.maxNew' });
  const out: number[][] = prompts.map(() => []);
  const byLength = new Map<number, number[]>();
  prompts.forEach((p, i) => {
    if (p.length === 0) throw new LedgerLabError({ kind: 'data', problem: `prompt ${i} is empty`, where: 'generate', hint: 'prompts start with <bos>' });
    byLength.set(p.length, [...(byLength.get(p.length) ?? []), i]);
  });
  const bs = o.batchSize ?? 8;
  for (const [L, members] of byLength) {
    for (let s = 0; s < members.length; s += bs) {
      const rows = members.slice(s, s + bs);
      const rngs = rows.map((i) => new Rng(`${o.seed ?? 0}:${i}`));
      const B = rows.length;
      const V = model.config.vocab;
      const done = new Array<boolean>(B).fill(false);
      let cache: KvPrefix | undefined;
      let positions = 0;
      let input = tf.tensor2d(rows.flatMap((i) => [...prompts[i]]), [B, L], 'int32');
      for (let n = 0; n < o.maxNew; n++) {
        const r = model.forward(input, { prefix: cache, positionOffset: cache ? positions : undefined, returnPresents: true });
        input.dispose();
        disposeCache(cache);
        cache = r.presents;
        positions = r.positions;
        const T = r.logits.shape[1];
        const last = tf.tidy(() => tf.slice(r.logits, [0, T - 1, 0], [B, 1, V]).dataSync() as Float32Array);
        r.logits.dispose();
        const next: number[] = [];
        for (let b = 0; b < B; b++) {
          const tok = strategy === 'greedy' ? argmax(last, b, V) : sampleRow(last.subarray(b * V, (b + 1) * V), temperature, o.topK ?? 0, rngs[b]);
          next.push(tok);
          if (done[b]) continue;
          if (tok === o.eos) done[b] = true;
          else out[rows[b]].push(tok);
        }
        // The next call needs one more position; stop at the context rather than fail mid-batch.
        if (n + 1 === o.maxNew || done.every(Boolean) || positions + 1 > model.config.context) break;
        input = tf.tensor2d(next, [B, 1], 'int32');
      }
      disposeCache(cache);
    }
  }
  return out;
}
