/** Located data errors: every bad record names file:line, what is wrong and what to do. */
import { LedgerLabError } from '../errors.ts';

export function dataError(problem: string, where: string, hint?: string, cause?: unknown): LedgerLabError {
  return new LedgerLabError({ kind: 'data', problem, where, hint, cause });
}
