/**
 * Per-example measures besides ROUGE/BLEU that drift makes worth watching:
 *   - hallucination proxy: attribute values (from the synthetic generator's lexicon, Chinese and English
 *     surfaces) that the output names but the prompt does not contain. Benefit phrases are masked first
 *     (they are template text and contain value words), then matching is longest-first with the matched
 *     span masked, so 有机棉 counts once and not also as 棉;
 *   - length: output characters vs reference characters (length drift shows up before ROUGE moves).
 * It is a proxy: a value the copy may legitimately add (a colour implied by a pattern) counts too, and
 * values outside the lexicon (real AdvertiseGen data) are invisible to it.
 *
 * @example
 * hallucinatedValues('一款红色的棉质上衣', '类型#上衣*材质#棉'); // ['红色']
 */
import { CATEGORIES, VALUES, valuesOf } from '../../data/index.ts';

let lexicon: string[] | undefined;
let benefits: string[] | undefined;

/** The lexicon's benefit phrases (复古学院风, 温柔百搭 ...): template text that itself contains value words. */
function benefitPhrases(): string[] {
  if (benefits) return benefits;
  const all = new Set<string>();
  for (const vs of Object.values(VALUES)) for (const v of vs) { all.add(v.zhB); all.add(v.enB); }
  for (const cat of CATEGORIES) for (const v of valuesOf('length', cat)) { all.add(v.zhB); all.add(v.enB); }
  benefits = [...all].sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  return benefits;
}

/** Every value surface of the lexicon (zh and en), longest first. */
export function lexiconValues(): string[] {
  if (lexicon) return lexicon;
  const all = new Set<string>();
  for (const vs of Object.values(VALUES)) for (const v of vs) { all.add(v.zh); all.add(v.en); }
  for (const cat of CATEGORIES) for (const v of valuesOf('length', cat)) { all.add(v.zh); all.add(v.en); }
  // English single words like "print" or "knit" also occur as ordinary words; they stay (copy is Chinese,
  // so an English value in it is a value), but very short ones would match inside words: need ≥ 3 letters.
  lexicon = [...all].filter((v) => v.length >= (/^[\x00-\x7f]+$/.test(v) ? 3 : 1)).sort((a, b) => b.length - a.length || (a < b ? -1 : 1));
  return lexicon;
}

/** Lexicon values named in `text`, in order of first appearance, each once. */
export function mentionedValues(text: string): string[] {
  // Benefit phrases are masked first: 格子's "复古学院风" names no style the copy claims.
  let masked = text;
  for (const b of benefitPhrases()) masked = masked.split(b).join('\u0000'.repeat(b.length));
  const found: { at: number; v: string }[] = [];
  for (const v of lexiconValues()) {
    const ascii = /^[\x00-\x7f]+$/.test(v);
    for (let at = masked.indexOf(v); at >= 0; at = masked.indexOf(v, at + 1)) {
      // English values must sit on word boundaries ("lace" is not in "necklace").
      if (ascii && (/[A-Za-z]/.test(masked[at - 1] ?? '') || /[A-Za-z]/.test(masked[at + v.length] ?? ''))) continue;
      found.push({ at, v });
      masked = masked.slice(0, at) + '\u0000'.repeat(v.length) + masked.slice(at + v.length);
    }
  }
  const seen = new Set<string>();
  return found.sort((a, b) => a.at - b.at).map((f) => f.v).filter((v) => (seen.has(v) ? false : (seen.add(v), true)));
}

/** Values the output names that the prompt does not contain. */
export function hallucinatedValues(output: string, prompt: string): string[] {
  return mentionedValues(output).filter((v) => !prompt.includes(v));
}

/** Length in characters (code points), as the Chinese metric counts. */
export function charLength(text: string): number {
  return Array.from(text).length;
}
