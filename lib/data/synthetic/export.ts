/** Synthetic records as Examples or as AdvertiseGen JSONL (so they go through the same loader as real data). */
import type { Example } from '../types.ts';
import { detectLang } from '../lang.ts';
import { contentId } from '../ids.ts';
import type { AdRecord } from './generator.ts';

/**
 * @example
 * const exs = generateAds({ seed: 1 }, 0, 100).map((r) => adRecordToExample(r, 1));
 */
export function adRecordToExample(r: AdRecord, seed: number | string): Example {
  return {
    id: contentId('syn', String(seed), String(r.t), String(r.index)),
    source: r.content,
    target: r.summary,
    references: [r.summary],
    attributes: r.attributes.map((a) => ({ ...a })),
    lang: detectLang(r.summary),
  };
}

/** One `{"content": ..., "summary": ...}` line per record, newline-terminated. */
export function toAdvertiseGenJsonl(records: readonly AdRecord[]): string {
  return records.map((r) => JSON.stringify({ content: r.content, summary: r.summary }) + '\n').join('');
}
