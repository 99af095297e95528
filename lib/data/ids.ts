/** Stable example ids: a short content hash, made unique within one load by an occurrence suffix. */
import { sha256 } from '../util/index.ts';

/** 16 hex digits of sha256 over the given parts (NUL-separated so ("ab","c") and ("a","bc") differ). */
export function contentId(prefix: string, ...parts: string[]): string {
  return `${prefix}-${sha256(parts.join('\u0000')).slice(0, 16)}`;
}

/**
 * Hands out ids, appending `~2`, `~3`... when the same content appears again, so ids stay unique and stable
 * as long as the file's order of identical records does not change.
 *
 * @example
 * const ids = new IdAllocator();
 * ids.next('ag-1'); // 'ag-1'
 * ids.next('ag-1'); // 'ag-1~2'
 */
export class IdAllocator {
  private seen = new Map<string, number>();

  next(base: string): string {
    const n = (this.seen.get(base) ?? 0) + 1;
    this.seen.set(base, n);
    return n === 1 ? base : `${base}~${n}`;
  }
}
