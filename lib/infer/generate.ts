/**
 * Backend-agnostic autoregressive generation over a key/value-cached decoder: the same loop and the same
 * token choice drive ONNX Runtime and tfjs, so their outputs can be compared token for token and their speed
 * measured on identical work.
 */
import { LedgerLabError } from '../errors.ts';
import { Rng } from '../util/index.ts';
import { waitWhileTiming } from '../measure/index.ts';
import { withPhase } from '../runtime/index.ts';

/** A decoder that keeps its own key/value cache between calls. */
export interface CachedDecoder {
  readonly vocab: number;
  /** Longest sequence (positions) the model accepts. */
  readonly context: number;
  /** Drops the cache; the next `step` starts a new sequence. */
  reset(): void;
  /**
   * Appends tokens ids [B, T] (row-major) to the cached sequence and returns the logits of each row's last
   * position, [B, vocab] row-major.
   */
  step(ids: Int32Array, batch: number, tokens: number): Promise<Float32Array>;
  dispose(): void | Promise<void>;
}

export interface SamplingOptions {
  /** 0 (default) = greedy argmax; otherwise logits are divided by it before the softmax. */
  temperature?: number;
  /** Keep only the k most likely tokens before sampling (0 = all). topK 1 is greedy. */
  topK?: number;
  /** Nucleus sampling: keep the most likely tokens whose probabilities (after temperature and topK) first reach p (1 = all). */
  topP?: number;
  /**
   * Never emit a token that would repeat an n-gram of this size already in the row's new tokens (0 = off),
   * like transformers' `no_repeat_ngram_size`, except that the prompt does not count: copy may repeat the
   * prompt's attribute values, it must not loop on itself (greedy decoding of a small model otherwise does).
   */
  noRepeatNgram?: number;
}

/**
 * Sets to -Infinity the logits (row at `offset`) of every token that would complete an n-gram already in
 * `history`: the tokens that followed each earlier occurrence of history's last n−1 tokens.
 *
 * @example
 * const l = Float32Array.of(0, 0, 0, 0);
 * banRepeatedNgrams(l, 0, [1, 2, 3, 1, 2], 3); // l[3] = -Infinity ("1 2 3" was seen; "1 2" is the tail)
 */
export function banRepeatedNgrams(logits: Float32Array, offset: number, history: readonly number[], n: number): void {
  if (!Number.isInteger(n) || n < 0) throw new LedgerLabError({ kind: 'usage', problem: `noRepeatNgram must be an integer ≥ 0, got ${n}`, where: 'generate options.noRepeatNgram' });
  if (n === 0 || history.length < n - 1) return;
  if (n === 1) {
    for (const t of history) logits[offset + t] = -Infinity;
    return;
  }
  const tail = history.length - (n - 1);
  for (let i = 0; i + n - 1 < history.length; i++) {
    let same = true;
    for (let j = 0; j < n - 1 && same; j++) same = history[i + j] === history[tail + j];
    if (same) logits[offset + history[i + n - 1]!] = -Infinity;
  }
}

export interface GenerateOptions extends SamplingOptions {
  /** Most new tokens per row. */
  maxNew: number;
  /** A row stops when it emits this token (not included in its output). */
  eos?: number;
  /** Sampling seed; row b draws from Rng(`${seed}:${b}`), so a row's tokens do not depend on the batch. */
  seed?: number | string;
  /** Called with each kept new token as it is chosen (streaming output). */
  onToken?: (row: number, token: number) => void;
}

export interface GenerateResult {
  /** New tokens per row (prompt and eos excluded). */
  tokens: number[][];
  /** Whether each row emitted eos. */
  finished: boolean[];
  /** Decoder calls made (1 prefill + incremental steps). */
  calls: number;
}

/** Index of the largest value in logits[offset, offset+n); ties go to the lowest index. */
export function argmax(logits: Float32Array, offset = 0, n = logits.length - offset): number {
  let best = 0;
  let bestV = -Infinity;
  for (let i = 0; i < n; i++) {
    const v = logits[offset + i];
    if (v > bestV) {
      bestV = v;
      best = i;
    }
  }
  return best;
}

/**
 * Chooses the next token from one row of logits: argmax when greedy (temperature 0 or topK 1), otherwise a
 * draw from softmax(logits/temperature) restricted to the top k. One `rng.next()` per sampled token, so a
 * seed fixes the whole sequence.
 *
 * @example
 * pickToken(Float32Array.of(0, 2, 1), 0, 3, { temperature: 0 }, new Rng(1)); // 1
 */
export function pickToken(logits: Float32Array, offset: number, n: number, o: SamplingOptions, rng: Rng): number {
  const temperature = o.temperature ?? 0;
  const topK = o.topK ?? 0;
  if (!(temperature >= 0)) throw new LedgerLabError({ kind: 'usage', problem: `temperature must be ≥ 0, got ${temperature}`, where: 'generate options.temperature' });
  if (!Number.isInteger(topK) || topK < 0) throw new LedgerLabError({ kind: 'usage', problem: `topK must be an integer ≥ 0, got ${topK}`, where: 'generate options.topK' });
  const topP = o.topP ?? 1;
  if (!(topP > 0 && topP <= 1)) throw new LedgerLabError({ kind: 'usage', problem: `topP must be in (0, 1], got ${topP}`, where: 'generate options.topP' });
  if (temperature === 0 || topK === 1) return argmax(logits, offset, n);
  let idx = Array.from({ length: n }, (_, i) => i);
  if ((topK > 0 && topK < n) || topP < 1) {
    // Stable order (by value, then index) keeps the candidate set deterministic under ties.
    idx.sort((a, b) => logits[offset + b] - logits[offset + a] || a - b);
    if (topK > 0 && topK < n) idx = idx.slice(0, topK);
  }
  let max = -Infinity;
  for (const i of idx) max = Math.max(max, logits[offset + i]);
  let w = idx.map((i) => Math.exp((logits[offset + i] - max) / temperature));
  let total = w.reduce((a, b) => a + b, 0);
  if (topP < 1) {
    // The smallest most-likely prefix whose mass reaches topP (transformers' TopPLogitsWarper keeps the token that crosses it).
    let mass = 0;
    let keep = 0;
    while (keep < w.length && mass < topP * total) mass += w[keep++];
    idx = idx.slice(0, Math.max(1, keep));
    w = w.slice(0, idx.length);
    total = w.reduce((a, b) => a + b, 0);
  }
  let u = rng.next() * total;
  for (let j = 0; j < idx.length; j++) {
    u -= w[j];
    if (u < 0) return idx[j];
  }
  return idx[idx.length - 1];
}

/**
 * Generates up to `maxNew` tokens after each prompt (all prompts the same length: no padding), with the
 * decoder's cache: one prefill call, then one call per new token. Stops when every row has emitted `eos`.
 *
 * @example
 * const { tokens } = await generate(await OrtDecoder.create(exp), [[1, 2, 3]], { maxNew: 8, eos: 0 });
 */
export async function generate(decoder: CachedDecoder, prompts: number[][], o: GenerateOptions): Promise<GenerateResult> {
  const B = prompts.length;
  const T = prompts[0]?.length ?? 0;
  if (B === 0 || T === 0) throw new LedgerLabError({ kind: 'usage', problem: 'generate needs at least one non-empty prompt', where: 'generate prompts' });
  if (prompts.some((p) => p.length !== T)) {
    throw new LedgerLabError({ kind: 'usage', problem: `prompts have different lengths (${prompts.map((p) => p.length).join(', ')})`, where: 'generate prompts', hint: 'generate rows of equal length together (there is no padding mask here)' });
  }
  if (!Number.isInteger(o.maxNew) || o.maxNew < 0) throw new LedgerLabError({ kind: 'usage', problem: `maxNew must be an integer ≥ 0, got ${o.maxNew}`, where: 'generate options.maxNew' });
  // The last new token is never fed back, so T + maxNew - 1 positions are used.
  if (T + o.maxNew - 1 > decoder.context) {
    throw new LedgerLabError({ kind: 'usage', problem: `prompt ${T} + ${o.maxNew} new tokens exceeds the model's context ${decoder.context}`, where: 'generate', hint: 'lower maxNew or shorten the prompt' });
  }
  // One stream per row, so a row's tokens do not depend on what else is in the batch.
  const rngs = prompts.map((_, b) => new Rng(`${o.seed ?? 0}:${b}`));
  const out: number[][] = prompts.map(() => []);
  const done = new Array<boolean>(B).fill(false);
  decoder.reset();
  let calls = 0;
  let ids = Int32Array.from(prompts.flat());
  let len = T;
  for (let n = 0; n < o.maxNew; n++) {
    // The phase names the step in any backend failure (a wasm trap, an XNNPACK or ORT status).
    const logits = await withPhase(n === 0 ? 'prompt forward' : `decode step ${n}`, () => decoder.step(ids, B, len));
    calls++;
    const next = new Int32Array(B);
    for (let b = 0; b < B; b++) {
      // A finished row keeps running (rows never attend to each other), its tokens are just not kept.
      if (o.noRepeatNgram) banRepeatedNgrams(logits, b * decoder.vocab, out[b], o.noRepeatNgram);
      const t = pickToken(logits, b * decoder.vocab, decoder.vocab, o, rngs[b]);
      next[b] = t;
      if (done[b]) continue;
      if (o.eos !== undefined && t === o.eos) done[b] = true;
      else {
        out[b].push(t);
        o.onToken?.(b, t);
      }
    }
    if (done.every(Boolean) || n === o.maxNew - 1) break;
    ids = next;
    len = 1;
  }
  return { tokens: out, finished: done, calls };
}

/**
 * Prompts of any lengths, in input order: grouped by length (the decoders have no padding mask), at most
 * `batchSize` rows per call, and `maxNew` capped so that no row runs past the context. What evaluation uses.
 *
 * @example
 * const texts = (await generateBatched(new TfjsDecoder(model), prompts, { maxNew: 64, eos })).map((t) => tok.decode(t));
 */
export async function generateBatched(decoder: CachedDecoder, prompts: readonly number[][], o: GenerateOptions & { batchSize?: number; onProgress?: (done: number, total: number) => void }): Promise<number[][]> {
  const bs = o.batchSize ?? 8;
  const out: number[][] = prompts.map(() => []);
  const byLength = new Map<number, number[]>();
  prompts.forEach((p, i) => byLength.set(p.length, [...(byLength.get(p.length) ?? []), i]));
  let done = 0;
  for (const [L, members] of byLength) {
    for (let s = 0; s < members.length; s += bs) {
      const rows = members.slice(s, s + bs);
      const maxNew = Math.min(o.maxNew, decoder.context - L + 1);
      await waitWhileTiming(); // untimed work pauses while another LedgerLab process times (lib/measure/lock.ts)
      const { tokens } = await generate(decoder, rows.map((i) => prompts[i]!), { ...o, maxNew, seed: `${o.seed ?? 0}:${L}:${s}` });
      rows.forEach((i, r) => (out[i] = tokens[r]!));
      done += rows.length;
      o.onProgress?.(done, prompts.length);
    }
  }
  return out;
}
