/** Runs the real `ledgerlab` executable in a child process (as a user would) and captures its output. */
import { spawn, spawnSync } from 'node:child_process';
import type { Command } from '../../lib/cli/command.ts';
import { parseCommandArgs } from '../../lib/cli/args.ts';
import { join } from 'node:path';

export const repoRoot = join(import.meta.dirname, '..', '..');

export interface CliResult { code: number | null; stdout: string; stderr: string }

export function ledgerlab(args: string[], opts: { env?: Record<string, string | undefined>; cwd?: string; input?: string; timeoutMs?: number } = {}): CliResult {
  const env = { ...process.env, ...opts.env };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const r = spawnSync(process.execPath, [join(repoRoot, 'bin', 'ledgerlab.js'), ...args], {
    cwd: opts.cwd ?? repoRoot,
    env,
    input: opts.input,
    encoding: 'utf8',
    timeout: opts.timeoutMs ?? 300_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/**
 * The same as `ledgerlab`, without blocking this process: for tests whose fake server (a hub, a queue) runs in
 * this process and must keep answering while the CLI child talks to it.
 */
export function ledgerlabAsync(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'ledgerlab.js'), ...args], { cwd: repoRoot, env: { ...process.env, LEDGERLAB_QUIET: '1', ...env } });
    let stdout = '', stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Runs a command in this process and returns what it printed with console.log (lines joined by newlines). */
export async function capturedRun(command: Command, argv: string[]): Promise<string> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...xs: unknown[]) => void lines.push(xs.join(' '));
  try {
    await command.run(parseCommandArgs(command, argv));
  } finally {
    console.log = log;
  }
  return lines.join('\n');
}
