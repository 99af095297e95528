/**
 * The longest line a line-oriented input (dataset JSONL/CSV, score files) may have: an explicit option, else
 * env LEDGERLAB_MAX_LINE_BYTES, else 1 MiB. A record is one line, so a longer one is a broken or foreign
 * file, and refusing it keeps memory and the quadratic metrics (ROUGE-L) bounded.
 */
import { LedgerLabError } from '../errors.ts';

export const DEFAULT_MAX_LINE_BYTES = 1 << 20;

/** The line limit in force: the option, else LEDGERLAB_MAX_LINE_BYTES, else 1 MiB. */
export function maxLineBytes(opts: { maxLineBytes?: number } = {}): number {
  if (opts.maxLineBytes !== undefined) return opts.maxLineBytes;
  const env = process.env.LEDGERLAB_MAX_LINE_BYTES;
  if (env === undefined || env === '') return DEFAULT_MAX_LINE_BYTES;
  const n = Number(env);
  if (!Number.isInteger(n) || n < 1) {
    throw new LedgerLabError({ kind: 'config', problem: `LEDGERLAB_MAX_LINE_BYTES must be a positive integer, got "${env}"`, where: 'LEDGERLAB_MAX_LINE_BYTES' });
  }
  return n;
}

