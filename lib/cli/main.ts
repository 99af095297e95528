/**
 * `ledgerlab` entry point: picks the subcommand (the longest run of leading words that names one),
 * parses its flags strictly, runs it, and turns errors into the house style with a non-zero exit.
 * Global flags: --help/-h, --debug (stack traces).
 */
import { errorJson, errorStack, exitCodeOf, formatError, LedgerLabError, suggest } from '../index.ts';
import { parseCommandArgs } from './args.ts';
import type { Command } from './command.ts';
import { commands } from './commands/index.ts';

function globalHelp(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'ledgerlab — check AI-infrastructure claims with your own numbers',
    '',
    'usage: ledgerlab <command> [flags]   (ledgerlab <command> --help for its flags)',
    '',
    'commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'global flags:',
    '  --debug   show stack traces on errors',
    '  --help    show help',
  ].join('\n');
}

function commandHelp(cmd: Command): string {
  return [`usage: ${cmd.usage}`, '', cmd.summary, ...(cmd.help ? ['', cmd.help] : [])].join('\n');
}

/** The commands under a group word ("bench" → bench kernels, bench quant, …), for `ledgerlab bench --help`. */
export function commandGroup(prefix: string): Command[] {
  return commands.filter((c) => c.name.startsWith(prefix + ' '));
}

function groupHelp(prefix: string, group: Command[]): string {
  const width = Math.max(...group.map((c) => c.name.length));
  return [
    `usage: ledgerlab ${prefix} <subcommand> [flags]   (ledgerlab ${prefix} <subcommand> --help for its flags)`,
    '',
    `${prefix} subcommands:`,
    ...group.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

export function findCommand(argv: string[]): { cmd: Command; rest: string[] } | undefined {
  const words = argv.filter((a) => !a.startsWith('-'));
  for (let n = Math.min(3, words.length); n > 0; n--) {
    const name = words.slice(0, n).join(' ');
    const cmd = commands.find((c) => c.name === name);
    if (cmd && argv.slice(0, n).join(' ') === name) return { cmd, rest: argv.slice(n) };
  }
  return undefined;
}

export async function main(argv: string[]): Promise<number> {
  const debug = argv.includes('--debug');
  const args = argv.filter((a) => a !== '--debug');
  // Seen by formatError wherever a failure is caught (runs, workers), and inherited by child processes.
  if (debug) {
    process.env.LEDGERLAB_DEBUG = '1';
    // tfjs' tidy/scope frames alone fill V8's default 10: keep enough to reach LedgerLab's own.
    Error.stackTraceLimit = 50;
  }
  try {
    if (args.length === 0 || args[0] === '--help' || args[0] === '-h' || args[0] === 'help') {
      console.log(globalHelp());
      return 0;
    }
    const found = findCommand(args);
    const group = found ? [] : commandGroup(args[0]);
    if (!found && group.length) {
      const next = args.slice(1).find((a) => !a.startsWith('-'));
      if (next === undefined) {
        // `ledgerlab bench --help` lists the group; a bare `ledgerlab bench` does too, as a usage error.
        const help = args.includes('--help') || args.includes('-h');
        (help ? console.log : console.error)(groupHelp(args[0], group));
        return help ? 0 : 2;
      }
      throw new LedgerLabError({
        kind: 'usage',
        code: 'usage.unknown_command',
        problem: `unknown command "${args[0]} ${next}"`,
        where: 'ledgerlab',
        hint: `ledgerlab ${args[0]} has: ${group.map((c) => c.name.slice(args[0].length + 1)).join(', ')}`,
      });
    }
    if (!found) {
      const first = args.filter((a) => !a.startsWith('-')).slice(0, 2).join(' ');
      const near = suggest(first, commands.map((c) => c.name)) ?? suggest(args[0], commands.map((c) => c.name.split(' ')[0]));
      throw new LedgerLabError({
        kind: 'usage',
        code: 'usage.unknown_command',
        problem: `unknown command "${first}"`,
        where: 'ledgerlab',
        hint: near ? `did you mean "ledgerlab ${near}"? (ledgerlab --help lists commands)` : 'ledgerlab --help lists the commands',
      });
    }
    if (found.rest.includes('--help') || found.rest.includes('-h')) {
      console.log(commandHelp(found.cmd));
      return 0;
    }
    const parsed = parseCommandArgs(found.cmd, found.rest);
    return (await found.cmd.run(parsed)) ?? 0;
  } catch (err) {
    // --json: the error as one JSON line on stderr ({"error": {kind, code, problem, where, hint, issues, exitCode}}),
    // so a program reading the JSON output gets every issue with its path, not a sentence to parse.
    const stack = debug ? errorStack(err) : undefined;
    if (args.includes('--json')) console.error(JSON.stringify({ error: { ...errorJson(err), ...(stack ? { stack } : {}) } }));
    else console.error(formatError(err, { debug }));
    return exitCodeOf(err);
  }
}

// Run when executed directly (node lib/cli/main.ts or bin/ledgerlab.js), not when imported by tests.
if (process.argv[1] && /lib[\\/]cli[\\/]main\.(ts|js)$/.test(process.argv[1])) {
  process.exitCode = await main(process.argv.slice(2));
}
