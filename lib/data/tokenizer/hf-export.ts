/**
 * Saves LedgerLab's own tokenizers as Hugging Face `tokenizer.json` (+ `tokenizer_config.json`) so Python's
 * tokenizers / transformers and @huggingface/tokenizers read them and produce the same ids.
 *  - byte-level BPE -> model BPE (vocab = GPT-2 byte-to-unicode strings, merges in rank order), ByteLevel
 *    pre-tokenizer with GPT-2's regex and no prefix space, ByteLevel decoder;
 *  - char -> model BPE with no merges and unk "<unk>" (each code point is looked up alone; unknown ones become
 *    <unk>), no pre-tokenizer, Fuse decoder (tokens joined without spaces).
 * The five specials are added tokens 0..4. One difference is inherent to the format: Hugging Face matches
 * added tokens inside the text, so a text that literally contains "<eos>" encodes to id 2 there, while
 * LedgerLab's encode spells it out character by character.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerLabError } from '../../errors.ts';
import { BpeTokenizer } from './bpe.ts';
import { CharTokenizer } from './char.ts';
import { SPECIAL_TOKENS, type Tokenizer } from './specials.ts';

const ADDED = SPECIAL_TOKENS.map((content, id) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true }));
const BYTE_LEVEL = { add_prefix_space: false, trim_offsets: true, use_regex: true };

/** The tokenizer.json object for a LedgerLab tokenizer. */
export function toHfTokenizerJson(tok: Tokenizer): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  for (let id = 0; id < tok.vocabSize; id++) {
    const s = tok.tokenString(id);
    if (s in vocab) {
      // A vocab maps strings to ids, so two ids spelling the same string cannot be written.
      throw new LedgerLabError({
        kind: 'data', problem: `tokens ${vocab[s]} and ${id} are both ${JSON.stringify(s)}; tokenizer.json cannot hold two ids for one string`,
        where: `token ${id}`, hint: 'retrain the tokenizer (a merge that rebuilds an existing token string cannot be exported)',
      });
    }
    vocab[s] = id;
  }
  const base = { version: '1.0', truncation: null, padding: null, added_tokens: ADDED, normalizer: null, post_processor: null };
  if (tok instanceof BpeTokenizer) {
    return {
      ...base,
      pre_tokenizer: { type: 'ByteLevel', ...BYTE_LEVEL },
      decoder: { type: 'ByteLevel', ...BYTE_LEVEL },
      model: {
        type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
        fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab,
        merges: tok.merges.map(([a, b]) => `${tok.tokenString(a)} ${tok.tokenString(b)}`),
      },
    };
  }
  if (tok instanceof CharTokenizer) {
    return {
      ...base,
      pre_tokenizer: null,
      decoder: { type: 'Fuse' },
      model: {
        type: 'BPE', dropout: null, unk_token: '<unk>', continuing_subword_prefix: null, end_of_word_suffix: null,
        fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges: [],
      },
    };
  }
  throw new LedgerLabError({ kind: 'data', problem: `cannot export a tokenizer of kind ${JSON.stringify(tok.kind)} as tokenizer.json`, where: 'tokenizer' });
}

/** tokenizer_config.json naming the special tokens, so transformers' AutoTokenizer sets bos/eos/pad/unk. */
export function hfTokenizerConfig(): Record<string, unknown> {
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: '<bos>', eos_token: '<eos>', pad_token: '<pad>', unk_token: '<unk>', sep_token: '<sep>',
    clean_up_tokenization_spaces: false, model_max_length: 1_000_000_000,
  };
}

/**
 * Writes `tokenizer.json` and `tokenizer_config.json` into `dir` (each atomically: temp file then rename).
 *
 * @example
 * saveHfTokenizer(BpeTokenizer.train(texts, { vocabSize: 2000 }), 'results/tok');
 * loadHfTokenizer('results/tok').encode('text', { addSpecialTokens: false }).ids; // same ids as tok.encode('text')
 */
export function saveHfTokenizer(tok: Tokenizer, dir: string): void {
  const files: [string, unknown][] = [['tokenizer.json', toHfTokenizerJson(tok)], ['tokenizer_config.json', hfTokenizerConfig()]];
  mkdirSync(dir, { recursive: true });
  for (const [name, obj] of files) {
    const path = join(dir, name);
    const tmp = `${path}.tmp-${process.pid}`;
    writeFileSync(tmp, JSON.stringify(obj, null, 1) + '\n');
    renameSync(tmp, path);
  }
}
