/**
 * Token-by-token generation for one prompt, yielded as each token is chosen (what a chat page streams).
 * The same cached decoder and token choice as `generate`, so a seeded stream equals `generate`'s row.
 *
 * @example
 * for await (const t of streamTokens(decoder, prompt, { maxNew: 32, eos, temperature: 0.8, topP: 0.9 })) out.push(t);
 */
import { LedgerLabError } from '../errors.ts';
import { Rng } from '../util/index.ts';
import { banRepeatedNgrams, pickToken, type CachedDecoder, type GenerateOptions } from './generate.ts';

export async function* streamTokens(decoder: CachedDecoder, prompt: readonly number[], o: GenerateOptions): AsyncGenerator<number> {
  if (prompt.length === 0) throw new LedgerLabError({ kind: 'usage', problem: 'the prompt is empty', where: 'generate prompt' });
  const maxNew = Math.min(o.maxNew, decoder.context - prompt.length + 1);
  if (maxNew <= 0) throw new LedgerLabError({ kind: 'usage', problem: `the prompt (${prompt.length} tokens) fills the model's context ${decoder.context}`, where: 'generate prompt', hint: 'shorten the prompt' });
  // Row 0's stream in `generate`, so a seeded stream reproduces generate()'s first row token for token.
  const rng = new Rng(`${o.seed ?? 0}:0`);
  decoder.reset();
  let ids = Int32Array.from(prompt);
  let len = prompt.length;
  const out: number[] = [];
  for (let n = 0; n < maxNew; n++) {
    const logits = await decoder.step(ids, 1, len);
    if (o.noRepeatNgram) banRepeatedNgrams(logits, 0, out, o.noRepeatNgram);
    const t = pickToken(logits, 0, decoder.vocab, o, rng);
    if (o.eos !== undefined && t === o.eos) return;
    out.push(t);
    yield t;
    ids = Int32Array.of(t);
    len = 1;
  }
}
