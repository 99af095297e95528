/**
 * Byte-level BPE tokenizer (GPT-2 style): text -> GPT-2 pre-tokens -> UTF-8 bytes -> merges applied by rank.
 * Ids: 0..4 special tokens, 5..260 the 256 bytes, then one id per merge. Every string round-trips exactly
 * (any byte sequence is representable), including Chinese, emoji and odd whitespace.
 */
import { BYTE_TO_CHAR, CHAR_TO_BYTE, pretokenize, utf8Bytes, utf8Text } from './bytes.ts';
import { BYTE_ID_OFFSET, FIRST_MERGE_ID, trainBpeMerges, type BpeTrainOptions, type Merge } from './bpe-train.ts';
import { SPECIAL_IDS, SPECIAL_TOKENS, type SpecialIds, type Tokenizer } from './specials.ts';
import { TOKENIZER_FORMAT, TOKENIZER_VERSION } from './format.ts';
import { LedgerLabError } from '../../errors.ts';

export interface BpeFile {
  format: typeof TOKENIZER_FORMAT;
  version: typeof TOKENIZER_VERSION;
  kind: 'bpe';
  specials: string[];
  vocabSize: number;
  pretokenizer: 'gpt2';
  /** [leftId, rightId]; merge i creates id 261 + i. */
  merges: Merge[];
}

const KEY_BASE = 1 << 20;

export class BpeTokenizer implements Tokenizer {
  readonly kind = 'bpe' as const;
  readonly special: SpecialIds = SPECIAL_IDS;
  readonly merges: readonly Merge[];
  private readonly rank = new Map<number, number>();
  private readonly tokens: string[];
  /** Bytes of each token id (empty for specials), for decoding. */
  private readonly tokenBytes: Uint8Array[];
  private readonly cache = new Map<string, number[]>();

  constructor(merges: readonly Merge[]) {
    this.merges = merges.map(([a, b]) => [a, b] as Merge);
    this.tokens = [...SPECIAL_TOKENS, ...BYTE_TO_CHAR];
    this.tokenBytes = [...SPECIAL_TOKENS.map(() => new Uint8Array(0)), ...BYTE_TO_CHAR.map((_, b) => Uint8Array.of(b))];
    merges.forEach(([a, b], i) => {
      const id = FIRST_MERGE_ID + i;
      if (!(a >= BYTE_ID_OFFSET && a < id && b >= BYTE_ID_OFFSET && b < id)) throw new LedgerLabError({ kind: 'data', problem: `merge ${i} [${a}, ${b}] refers to an id that is not defined before it` });
      this.rank.set(a * KEY_BASE + b, i);
      this.tokens.push(this.tokens[a] + this.tokens[b]);
      const bytes = new Uint8Array(this.tokenBytes[a].length + this.tokenBytes[b].length);
      bytes.set(this.tokenBytes[a]);
      bytes.set(this.tokenBytes[b], this.tokenBytes[a].length);
      this.tokenBytes.push(bytes);
    });
  }

  /**
   * Trains merges on a corpus.
   *
   * @example
   * const tok = BpeTokenizer.train(texts, { vocabSize: 2000 });
   * tok.decode(tok.encode('简约的牛仔外套 ✨')) === '简约的牛仔外套 ✨'; // true
   */
  static train(corpus: Iterable<string>, opts: BpeTrainOptions): BpeTokenizer {
    return new BpeTokenizer(trainBpeMerges(corpus, opts));
  }

  get vocabSize(): number {
    return this.tokens.length;
  }

  tokenString(id: number): string {
    return this.tokens[id];
  }

  encode(text: string): number[] {
    const out: number[] = [];
    for (const word of pretokenize(text)) {
      let ids = this.cache.get(word);
      if (!ids) {
        ids = this.encodeWord(word);
        if (this.cache.size < 100_000) this.cache.set(word, ids);
      }
      for (const id of ids) out.push(id);
    }
    return out;
  }

  decode(ids: ArrayLike<number>, opts: { skipSpecial?: boolean } = {}): string {
    const parts: string[] = [];
    let bytes: number[] = [];
    const flush = () => {
      if (bytes.length) parts.push(utf8Text(Uint8Array.from(bytes)));
      bytes = [];
    };
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id < BYTE_ID_OFFSET) {
        if (!opts.skipSpecial) {
          flush();
          parts.push(SPECIAL_TOKENS[id]);
        }
        continue;
      }
      const tb = this.tokenBytes[id];
      if (!tb) throw new LedgerLabError({ kind: 'data', problem: `token id ${id} is outside the vocabulary (size ${this.vocabSize})` });
      for (const b of tb) bytes.push(b);
    }
    flush();
    return parts.join('');
  }

  toJSON(): BpeFile {
    return {
      format: TOKENIZER_FORMAT,
      version: TOKENIZER_VERSION,
      kind: 'bpe',
      specials: [...SPECIAL_TOKENS],
      vocabSize: this.vocabSize,
      pretokenizer: 'gpt2',
      merges: this.merges.map(([a, b]) => [a, b]),
    };
  }

  /** GPT-2's bpe(): repeatedly merge the lowest-ranked adjacent pair (all its occurrences) until none is left. */
  private encodeWord(word: string): number[] {
    let s = Array.from(utf8Bytes(word), (b) => b + BYTE_ID_OFFSET);
    while (s.length > 1) {
      let best = -1;
      for (let i = 0; i + 1 < s.length; i++) {
        const r = this.rank.get(s[i] * KEY_BASE + s[i + 1]);
        if (r !== undefined && (best < 0 || r < best)) best = r;
      }
      if (best < 0) break;
      const [a, b] = this.merges[best];
      const c = FIRST_MERGE_ID + best;
      const out: number[] = [];
      for (let i = 0; i < s.length; ) {
        if (i + 1 < s.length && s[i] === a && s[i + 1] === b) {
          out.push(c);
          i += 2;
        } else {
          out.push(s[i++]);
        }
      }
      s = out;
    }
    return s;
  }
}

/** The byte a GPT-2 byte-to-unicode character stands for (for inspecting token strings). */
export function byteOfChar(ch: string): number | undefined {
  return CHAR_TO_BYTE.get(ch);
}
