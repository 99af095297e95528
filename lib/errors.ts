/**
 * One error style for the whole tool: what is wrong, where it is (file:line or a config path), and what to
 * do about it. The CLI prints these without a stack trace (unless --debug) and exits non-zero; with --json it
 * prints errorJson(err) instead. For programs: `code` is a stable machine-readable name ("config.invalid",
 * "usage.unknown_command", …; by default the kind), and `issues` lists every problem found (path, message),
 * as zod's errors do — config validation reports all of them, not only the first.
 *
 * @example
 * throw new LedgerLabError({
 *   kind: 'data', problem: 'field "summary" is missing', where: 'train.jsonl:17',
 *   hint: 'every AdvertiseGen line needs "content" and "summary"',
 * });
 */

export type ErrorKind = 'usage' | 'config' | 'data' | 'io' | 'ledger' | 'runtime' | 'notebook';

/** One problem: where inside the input (a config path as keys and indices; [] for the whole) and what is wrong. */
export interface ErrorIssue {
  path: ReadonlyArray<string | number>;
  message: string;
}

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
  /** Machine-readable name of the error, "<kind>.<what>" (default: the kind). */
  code?: string;
  /** Every problem found (default: none listed separately — `problem` says it all). */
  issues?: readonly ErrorIssue[];
}

export class LedgerLabError extends Error {
  readonly kind: ErrorKind;
  readonly problem: string;
  readonly where: string | undefined;
  readonly hint: string | undefined;
  readonly exitCode: number;
  readonly code: string;
  readonly issues: readonly ErrorIssue[];

  constructor(details: ErrorDetails) {
    super(details.where ? `${details.problem} (at ${details.where})` : details.problem, { cause: details.cause });
    this.name = 'LedgerLabError';
    this.kind = details.kind;
    this.problem = details.problem;
    this.where = details.where;
    this.hint = details.hint;
    this.exitCode = details.exitCode ?? (details.kind === 'usage' ? 2 : 1);
    this.code = details.code ?? details.kind;
    this.issues = details.issues ?? [];
  }

  /** The error as plain data (what --json prints and run records keep). */
  toJSON(): ErrorJson {
    return {
      kind: this.kind, code: this.code, problem: this.problem,
      ...(this.where !== undefined ? { where: this.where } : {}),
      ...(this.hint !== undefined ? { hint: this.hint } : {}),
      issues: this.issues.map((i) => ({ path: [...i.path], message: i.message })),
      exitCode: this.exitCode,
    };
  }
}

export interface ErrorJson {
  kind: ErrorKind | 'internal';
  code: string;
  problem: string;
  where?: string;
  hint?: string;
  issues: { path: (string | number)[]; message: string }[];
  exitCode: number;
}

/** Any thrown value as ErrorJson (an unexpected error is kind "internal", code "internal"). */
export function errorJson(err: unknown): ErrorJson {
  if (err instanceof LedgerLabError) return err.toJSON();
  return { kind: 'internal', code: 'internal', problem: err instanceof Error ? err.message : String(err), issues: [], exitCode: 1 };
}

export function isLedgerLabError(err: unknown): err is LedgerLabError {
  return err instanceof LedgerLabError;
}

/**
 * Whether stack traces are shown: `ledgerlab --debug` sets LEDGERLAB_DEBUG=1 for its whole process and the
 * workers it starts, so a failure caught far from the CLI (a run in the runner, a queue worker's job) is
 * rendered with its stack too, not only the errors that reach `main`.
 */
export function debugMode(): boolean {
  return process.env.LEDGERLAB_DEBUG === '1';
}

/** Renders any thrown value the way the CLI shows it. Stack traces only in debug mode (`debugMode()` by default). */
export function formatError(err: unknown, opts: { debug?: boolean } = {}): string {
  opts = { debug: debugMode(), ...opts };
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

/** A thrown value's stack, with its cause's below it (what run records keep); undefined when there is none. */
export function errorStack(err: unknown): string | undefined {
  if (!(err instanceof Error) || !err.stack) return undefined;
  return err.cause instanceof Error && err.cause.stack ? `${err.stack}\ncaused by: ${err.cause.stack}` : err.stack;
}

export function exitCodeOf(err: unknown): number {
  return err instanceof LedgerLabError ? err.exitCode : 1;
}
