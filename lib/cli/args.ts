/** Strict flag parsing for commands, with usage errors in the house style. */
import { parseArgs } from 'node:util';
import { LedgerLabError } from '../index.ts';
import type { Command, ParsedArgs } from './command.ts';

/** The option a flag word names (`--resume`, `-p`; not `--x=v`), if the command has it. */
function optionOf(cmd: Command, word: string): string | undefined {
  const long = /^--([^=]+)$/.exec(word)?.[1];
  if (long !== undefined) return long in cmd.options ? long : undefined;
  const short = /^-([A-Za-z])$/.exec(word)?.[1];
  return short ? Object.keys(cmd.options).find((k) => cmd.options[k]!.short === short) : undefined;
}

/**
 * A value that starts with "-" (a run named "-x…", a negative number) after a flag that takes one: parseArgs
 * calls that ambiguous and refuses it. Unless the word is itself one of the command's flags, it is the value
 * (`--resume -x-s0` is `--resume=-x-s0`); after "--" everything is positional anyway.
 */
function joinDashValues(cmd: Command, argv: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') return [...out, ...argv.slice(i)];
    const name = optionOf(cmd, word);
    const next = argv[i + 1];
    if (name && cmd.options[name]!.type === 'string' && next !== undefined && next.startsWith('-') && next !== '--' && !optionOf(cmd, next.split('=')[0]!)) {
      out.push(`--${name}=${next}`);
      i++;
    } else out.push(word);
  }
  return out;
}

export function parseCommandArgs(cmd: Command, argv: string[]): ParsedArgs {
  let parsed: ParsedArgs;
  try {
    parsed = parseArgs({ args: joinDashValues(cmd, argv), options: cmd.options, allowPositionals: true, strict: true }) as ParsedArgs;
  } catch (err) {
    throw new LedgerLabError({
      kind: 'usage',
      code: 'usage.bad_flag',
      problem: (err as Error).message.replace(/\. To specify a positional argument.*$/s, ''),
      where: `ledgerlab ${cmd.name}`,
      hint: `usage: ${cmd.usage}`,
      cause: err,
    });
  }
  const [min, max] = cmd.positionals ?? [0, 0];
  const n = parsed.positionals.length;
  if (n < min || n > max) {
    throw new LedgerLabError({
      kind: 'usage',
      code: n < min ? 'usage.missing_argument' : 'usage.unexpected_argument',
      problem: n < min ? 'missing argument' : `unexpected argument "${parsed.positionals[max]}"`,
      where: `ledgerlab ${cmd.name}`,
      hint: `usage: ${cmd.usage}`,
    });
  }
  return parsed;
}

/** Reads a numeric flag value with a located usage error. */
export function numberFlag(args: ParsedArgs, name: string, fallback: number, opts: { int?: boolean; min?: number } = {}): number {
  const raw = args.values[name];
  if (raw === undefined) return fallback;
  const v = Number(raw);
  if (typeof raw !== 'string' || !Number.isFinite(v) || (opts.int && !Number.isInteger(v)) || (opts.min !== undefined && v < opts.min)) {
    throw new LedgerLabError({
      kind: 'usage',
      code: 'usage.bad_flag_value',
      problem: `--${name} expects ${opts.int ? 'an integer' : 'a number'}${opts.min !== undefined ? ` ≥ ${opts.min}` : ''}, got "${String(raw)}"`,
      where: `--${name}`,
    });
  }
  return v;
}

/** Collects repeated `-p key=value` / `--set key=value` flags. */
export function listFlag(args: ParsedArgs, name: string): string[] {
  const v = args.values[name];
  return v === undefined ? [] : Array.isArray(v) ? v : [String(v)];
}
