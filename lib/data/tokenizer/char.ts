/**
 * Character-level tokenizer (the natural unit for Chinese): one id per Unicode code point seen in the
 * training corpus (most frequent first, up to `vocabSize`), <unk> for anything else. Round-trips exactly on
 * text whose characters are all in the vocabulary; unknown characters decode as "<unk>" (even with
 * `skipSpecial`, since an <unk> stands for real content).
 */
import { SPECIAL_IDS, SPECIAL_TOKENS, type SpecialIds, type Tokenizer } from './specials.ts';
import { TOKENIZER_FORMAT, TOKENIZER_VERSION } from './format.ts';
import { LedgerLabError } from '../../errors.ts';

export interface CharTrainOptions {
  /** Maximum vocabulary size including the 5 special tokens. */
  vocabSize: number;
  /** Characters seen fewer times are left out (become <unk>). Default 1. */
  minFrequency?: number;
}

export interface CharFile {
  format: typeof TOKENIZER_FORMAT;
  version: typeof TOKENIZER_VERSION;
  kind: 'char';
  specials: string[];
  vocabSize: number;
  /** Characters for ids 5, 6, ... */
  chars: string[];
}

export class CharTokenizer implements Tokenizer {
  readonly kind = 'char' as const;
  readonly special: SpecialIds = SPECIAL_IDS;
  readonly chars: readonly string[];
  private readonly ids = new Map<string, number>();

  constructor(chars: readonly string[]) {
    this.chars = [...chars];
    chars.forEach((ch, i) => {
      if ([...ch].length !== 1) throw new LedgerLabError({ kind: 'data', problem: `char tokenizer entry ${i} ${JSON.stringify(ch)} is not a single character` });
      if (this.ids.has(ch)) throw new LedgerLabError({ kind: 'data', problem: `char tokenizer entry ${i} ${JSON.stringify(ch)} is duplicated` });
      this.ids.set(ch, SPECIAL_TOKENS.length + i);
    });
  }

  /**
   * Builds the vocabulary from a corpus: by frequency, ties by code point.
   *
   * @example
   * const tok = CharTokenizer.train(['简约外套', '简约'], { vocabSize: 100 });
   * tok.encode('简约'); // [5, 6]
   */
  static train(corpus: Iterable<string>, opts: CharTrainOptions): CharTokenizer {
    const freq = new Map<string, number>();
    for (const text of corpus) for (const ch of text) freq.set(ch, (freq.get(ch) ?? 0) + 1);
    const min = opts.minFrequency ?? 1;
    const chars = [...freq.entries()]
      .filter(([, n]) => n >= min)
      .sort((x, y) => y[1] - x[1] || (x[0].codePointAt(0)! - y[0].codePointAt(0)!))
      .slice(0, Math.max(0, opts.vocabSize - SPECIAL_TOKENS.length))
      .map(([ch]) => ch);
    return new CharTokenizer(chars);
  }

  get vocabSize(): number {
    return SPECIAL_TOKENS.length + this.chars.length;
  }

  tokenString(id: number): string {
    return id < SPECIAL_TOKENS.length ? SPECIAL_TOKENS[id] : this.chars[id - SPECIAL_TOKENS.length];
  }

  encode(text: string): number[] {
    const out: number[] = [];
    for (const ch of text) out.push(this.ids.get(ch) ?? SPECIAL_IDS.unk);
    return out;
  }

  decode(ids: ArrayLike<number>, opts: { skipSpecial?: boolean } = {}): string {
    let s = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id < SPECIAL_TOKENS.length) {
        if (!opts.skipSpecial || id === SPECIAL_IDS.unk) s += SPECIAL_TOKENS[id];
        continue;
      }
      const ch = this.chars[id - SPECIAL_TOKENS.length];
      if (ch === undefined) throw new LedgerLabError({ kind: 'data', problem: `token id ${id} is outside the vocabulary (size ${this.vocabSize})` });
      s += ch;
    }
    return s;
  }

  toJSON(): CharFile {
    return { format: TOKENIZER_FORMAT, version: TOKENIZER_VERSION, kind: 'char', specials: [...SPECIAL_TOKENS], vocabSize: this.vocabSize, chars: [...this.chars] };
  }
}
