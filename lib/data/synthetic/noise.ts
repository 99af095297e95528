/**
 * Record corruptions for the synthetic data: typos, garbling (mojibake), truncation. Each takes an explicit
 * Rng so a record's noise is fixed by (seed, t, index). They work on code points, so emoji and CJK survive.
 */
import type { Rng } from '../../util/index.ts';

const ZH_CONFUSABLE = '的地得在再做作己已末未人入天夭土士日曰大太本木';
const EN_LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const JUNK = ['Ã', 'Â', 'â€™', 'â€œ', 'Ã©', '\ufffd', '¤', 'Å'];

/**
 * Typos: each character is hit with probability `rate` by one of delete / double / swap with the next /
 * substitute (a confusable hanzi or a random letter).
 *
 * @example
 * addTypos('soft and breathable', 0.1, new Rng(1)); // e.g. 'soft and braethable'
 */
export function addTypos(text: string, rate: number, rng: Rng): string {
  const cs = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < cs.length; i++) {
    const ch = cs[i];
    if (rng.next() >= rate || /\s/.test(ch)) {
      out.push(ch);
      continue;
    }
    const op = rng.int(4);
    if (op === 0) continue; // delete
    if (op === 1) out.push(ch, ch);
    else if (op === 2 && i + 1 < cs.length) {
      out.push(cs[i + 1], ch);
      i++;
    } else {
      const cjk = /[\u4e00-\u9fff]/.test(ch);
      out.push(cjk ? ZH_CONFUSABLE[rng.int(ZH_CONFUSABLE.length)] : EN_LETTERS[rng.int(EN_LETTERS.length)]);
    }
  }
  return out.join('');
}

/**
 * Garbles a span (20-50% of the text) the way a wrong charset does: its UTF-8 bytes read as Latin-1.
 *
 * @example
 * garble('简约的牛仔外套', new Rng(2)); // e.g. '简约çš„ç‰›ä»”外套'
 */
export function garble(text: string, rng: Rng): string {
  const cs = Array.from(text);
  if (cs.length === 0) return text;
  const len = Math.max(1, Math.round(cs.length * (0.2 + 0.3 * rng.next())));
  const start = rng.int(cs.length - len + 1);
  // Non-ASCII characters turn into their UTF-8 bytes read as Latin-1; ASCII survives that unchanged, so half
  // of it is replaced by the debris such text usually carries.
  const mojibake = cs.slice(start, start + len).map((ch) => {
    if (ch.charCodeAt(0) > 0x7f) return Array.from(new TextEncoder().encode(ch), (b) => String.fromCharCode(b)).join('');
    return rng.next() < 0.5 ? JUNK[rng.int(JUNK.length)] : ch;
  });
  return cs.slice(0, start).join('') + mojibake.join('') + cs.slice(start + len).join('');
}

/**
 * Cuts the text at 30-80% of its length (mid-sentence, like a record cut off by a crawler).
 *
 * @example
 * truncate('A B C D E F G H I J', new Rng(3)).length < 19; // true
 */
export function truncate(text: string, rng: Rng): string {
  const cs = Array.from(text);
  const keep = Math.max(1, Math.floor(cs.length * (0.3 + 0.5 * rng.next())));
  return cs.slice(0, keep).join('');
}
