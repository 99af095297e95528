/**
 * A Hugging Face tokenizer (loadHfTokenizer) behind the interface batching, training and evaluation use, so
 * an experiment can fine-tune a checkpoint with the tokenizer it was trained with. Special ids come from
 * the tokenizer: bos (or eos when there is none, as GPT-2 and Qwen2 do), eos, pad (or eos). The separator
 * between prompt and target is the tokenizer's single token for "\n" when it has one (a base model has no
 * <sep>; a newline is what it has seen between a question and its answer), else eos.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerLabError } from '../../errors.ts';
import { loadHfTokenizer } from './hf.ts';
import type { Tokenizer } from './specials.ts';

export function hfTaskTokenizer(dir: string, vocabSize: number): Tokenizer {
  const t = loadHfTokenizer(dir);
  const eos = t.eosId;
  if (eos === null) throw new LedgerLabError({ kind: 'data', problem: 'the tokenizer has no EOS token; fine-tuning needs one to end targets', where: join(dir, 'tokenizer_config.json') });
  const nl = t.encode('\n', { addSpecialTokens: false }).ids;
  const special = { bos: t.bosId ?? eos, eos, pad: t.padId ?? eos, sep: nl.length === 1 ? nl[0] : eos, unk: t.unkId ?? eos };
  const sha = createHash('sha256').update(readFileSync(join(dir, 'tokenizer.json'))).digest('hex');
  return {
    kind: 'bpe',
    vocabSize,
    special,
    encode: (text) => t.encode(text, { addSpecialTokens: false }).ids,
    decode: (ids, opts) => t.decode(ids, { skipSpecialTokens: opts?.skipSpecial ?? false }),
    tokenString: (id) => t.idToToken(id) ?? '',
    toJSON: () => ({ type: 'huggingface', dir, tokenizerJsonSha256: sha }),
  };
}
