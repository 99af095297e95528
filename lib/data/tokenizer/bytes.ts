/**
 * GPT-2's byte-level pieces: every byte maps to a printable unicode character (so tokens are readable strings
 * and no byte is lost), and text is pre-split into words with GPT-2's pattern before BPE runs inside words.
 */

/**
 * GPT-2's bytes_to_unicode: printable Latin-1 bytes map to themselves; the other 68 bytes (controls, space,
 * 0x7f-0xa0, 0xad) map to U+0100 upwards. Index = byte, value = its character.
 *
 * @example
 * BYTE_TO_CHAR[0x20]; // 'Ġ' (space)
 * BYTE_TO_CHAR[0x0a]; // 'Ċ' (newline)
 */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const printable: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) printable.push(b);
  for (let b = 0xa1; b <= 0xac; b++) printable.push(b);
  for (let b = 0xae; b <= 0xff; b++) printable.push(b);
  const keep = new Set(printable);
  const out: string[] = new Array(256);
  let n = 0;
  for (let b = 0; b < 256; b++) out[b] = keep.has(b) ? String.fromCharCode(b) : String.fromCharCode(256 + n++);
  return out;
})();

export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

/** GPT-2's pre-tokenizer pattern (contractions, letters, numbers, other symbols, whitespace runs). */
const GPT2_SPLIT = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/**
 * Splits text into GPT-2 pre-tokens; concatenating them gives the text back exactly.
 *
 * @example
 * pretokenize("Hi there, it's 2 cats"); // ['Hi', ' there', ',', ' it', "'s", ' 2', ' cats']
 */
export function pretokenize(text: string): string[] {
  return text.match(GPT2_SPLIT) ?? [];
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: false });

export function utf8Bytes(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Bytes to text; invalid UTF-8 (a cut multi-byte character) becomes U+FFFD. */
export function utf8Text(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
