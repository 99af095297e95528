/**
 * One error style for the whole tool: what is wrong, where it is (file:line or a config path), and what to
 * do about it. The CLI prints these without a stack trace (unless --debug) and exits non-zero.
 *
 * @example
 * throw new LedgerLabError({
 *   kind: 'data', problem: 'field "summary" is missing', where: 'train.jsonl:17',
 *   hint: 'every AdvertiseGen line needs "content" and "summary"',
 * });
 */

export type ErrorKind = 'usage' | 'config' | 'data' | 'io' | 'ledger' | 'runtime' | 'notebook';

export interface ErrorDetails {
  kind: ErrorKind;
  /** What is wrong, as one sentence a user can act on. */
  problem: string;
  /** Where: "file:line", "file:line:col", a config path like "train.lr", or a contract function. */
  where?: string;
  /** What to do about it. */
  hint?: string;
  cause?: unknown;
  /** Process exit code the CLI uses; 2 for usage errors by convention, 1 otherwise. */
  exitCode?: number;
}

export class LedgerLabError extends Error {
  readonly kind: ErrorKind;
  readonly problem: string;
  readonly where: string | undefined;
  readonly hint: string | undefined;
  readonly exitCode: number;

  constructor(details: ErrorDetails) {
    super(details.where ? `${details.problem} (at ${details.where})` : details.problem, { cause: details.cause });
    this.name = 'LedgerLabError';
    this.kind = details.kind;
    this.problem = details.problem;
    this.where = details.where;
    this.hint = details.hint;
    this.exitCode = details.exitCode ?? (details.kind === 'usage' ? 2 : 1);
  }
}

export function isLedgerLabError(err: unknown): err is LedgerLabError {
  return err instanceof LedgerLabError;
}

/** Renders any thrown value the way the CLI shows it. Stack traces only when `debug` is set. */
export function formatError(err: unknown, opts: { debug?: boolean } = {}): string {
  const lines: string[] = [];
  if (err instanceof LedgerLabError) {
    lines.push(`error (${err.kind}): ${err.problem}`);
    if (err.where) lines.push(`  where: ${err.where}`);
    if (err.hint) lines.push(`  hint:  ${err.hint}`);
  } else if (err instanceof Error) {
    lines.push(`error (internal): ${err.message}`);
    if (!opts.debug) lines.push('  hint:  rerun with --debug for the stack trace');
  } else {
    lines.push(`error (internal): ${String(err)}`);
  }
  if (opts.debug && err instanceof Error && err.stack) lines.push('', err.stack);
  if (opts.debug && err instanceof Error && err.cause instanceof Error && err.cause.stack) {
    lines.push('', 'caused by:', err.cause.stack);
  }
  return lines.join('\n');
}

export function exitCodeOf(err: unknown): number {
  return err instanceof LedgerLabError ? err.exitCode : 1;
}
