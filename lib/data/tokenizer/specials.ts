/** Special tokens shared by every LedgerLab tokenizer; they take ids 0..4 in this order. */

export const SPECIAL_TOKENS = ['<pad>', '<bos>', '<eos>', '<sep>', '<unk>'] as const;

export interface SpecialIds {
  pad: number;
  bos: number;
  eos: number;
  /** Separates the prompt from the target in a training sequence. */
  sep: number;
  /** Unknown character (char tokenizer only; byte-level BPE never needs it). */
  unk: number;
}

export const SPECIAL_IDS: SpecialIds = { pad: 0, bos: 1, eos: 2, sep: 3, unk: 4 };

/** The interface batching, training and evaluation use; both tokenizers implement it. */
export interface Tokenizer {
  readonly kind: 'bpe' | 'char';
  readonly vocabSize: number;
  readonly special: SpecialIds;
  /** Text to ids (never emits special tokens: "<eos>" in text is encoded as ordinary characters). */
  encode(text: string): number[];
  /** Ids to text. Special tokens are written as their names unless `skipSpecial`. */
  decode(ids: ArrayLike<number>, opts?: { skipSpecial?: boolean }): string;
  /** The token's display string (byte-level BPE: the GPT-2 byte-to-unicode form). */
  tokenString(id: number): string;
  toJSON(): unknown;
}
