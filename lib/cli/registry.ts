/** Every subcommand of `ledgerlab`. Add a command: write lib/cli/commands/<name>.ts, list it here. */
import type { Command } from './command.ts';

export const commands: Command[] = [];
