/**
 * Strict UTF-8 decoding with located errors. Node's `readFileSync(path, 'utf8')` turns invalid bytes into
 * U+FFFD without a word, so a GBK- or Latin-1-encoded dataset would train on replacement characters; here a
 * bad byte is an error naming file:line:col (col counts characters, as an editor shows them).
 *
 * @example
 * const text = decodeUtf8(readFileSync(path), path); // throws LedgerLabError at "path:3:17"
 */
import { LedgerLabError } from '../errors.ts';

const fatal = new TextDecoder('utf-8', { fatal: true });
const lenient = new TextDecoder('utf-8');

/** Byte offset of the first invalid UTF-8 sequence, or -1 when the bytes are valid UTF-8. */
export function utf8ErrorOffset(b: Uint8Array): number {
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    if (c < 0x80) { i++; continue; }
    let n: number, min: number;
    if (c >= 0xc2 && c <= 0xdf) { n = 1; min = 0x80; }
    else if (c >= 0xe0 && c <= 0xef) { n = 2; min = 0x800; }
    else if (c >= 0xf0 && c <= 0xf4) { n = 3; min = 0x10000; }
    else return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const x = b[i + k];
      if (x === undefined || (x & 0xc0) !== 0x80) return i; // cut off by the end, or not a continuation byte
      cp = (cp << 6) | (x & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}

function badBytes(b: Uint8Array, at: number): string {
  return [...b.subarray(at, at + 4)].map((x) => `0x${x.toString(16).toUpperCase().padStart(2, '0')}`).join(' ');
}

/**
 * Decodes bytes that must be UTF-8; `firstLine` is the line number of the first byte (for one line of a
 * larger file). A BOM at the very start is dropped.
 */
export function decodeUtf8(bytes: Uint8Array, file: string, firstLine = 1): string {
  try {
    return fatal.decode(bytes); // drops a leading BOM (ignoreBOM is false)
  } catch {
    const at = utf8ErrorOffset(bytes);
    const before = bytes.subarray(0, Math.max(at, 0));
    const nl = before.lastIndexOf(0x0a);
    const line = firstLine + before.reduce((n, x) => n + (x === 0x0a ? 1 : 0), 0);
    const col = [...lenient.decode(before.subarray(nl + 1))].length + 1;
    throw new LedgerLabError({
      kind: 'data',
      problem: `the file is not valid UTF-8 (bytes ${badBytes(bytes, at)})`,
      where: `${file}:${line}:${col}`,
      hint: 'save the file as UTF-8, e.g. `iconv -f GBK -t UTF-8 in.jsonl > out.jsonl` (use the encoding it was written in)',
    });
  }
}
