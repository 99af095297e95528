/**
 * The shape of a CLI subcommand. Commands are thin: parse flags, call the library, print. Flags are
 * declared with node:util parseArgs options and parsed strictly (an unknown flag is a usage error).
 */
import type { ParseArgsOptionsConfig } from 'node:util';

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | undefined>;
  positionals: string[];
}

export interface Command {
  /** Words after `ledgerlab`, e.g. "env", "ledger bench", "notebook run". */
  name: string;
  /** One line for `ledgerlab --help`. */
  summary: string;
  /** Synopsis, e.g. "ledgerlab score FILE.jsonl [--lang en|zh] [--stemmer] [--json]". */
  usage: string;
  /** Longer help text (flags, examples) for `ledgerlab <command> --help`. */
  help?: string;
  options: ParseArgsOptionsConfig;
  /** Allowed number of positionals [min, max]. Default [0, 0]. */
  positionals?: [number, number];
  /** Returns the process exit code (default 0). Throw LedgerLabError for user-facing failures. */
  run(args: ParsedArgs): Promise<number | void>;
}
