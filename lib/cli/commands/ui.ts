import type { Command } from '../command.ts';
import { numberFlag, listFlag } from '../args.ts';
import { LedgerLabError, paths, startUi, generateToken, isLoopback, DEFAULT_PORT } from '../../index.ts';

export const uiCommand: Command = {
  name: 'ui',
  summary: 'serve the local web workbench: runs, compare, live training, launch, chat, reports, incentives',
  usage: 'ledgerlab ui [--port N] [--host H] [--root DIR] [--token T] [--experiments DIR ...]',
  help: [
    `Binds 127.0.0.1:${DEFAULT_PORT} by default. Every API call needs the session token (printed in the URL);`,
    'it is generated unless --token is given. Binding another host (e.g. --host 0.0.0.0) exposes the server to',
    'the network: then the token is the only lock, so it is always printed. --port 0 picks a free port.',
    '--experiments DIR adds a folder of experiment files to the launch page (default: experiments/).',
  ].join('\n'),
  options: { port: { type: 'string' }, host: { type: 'string' }, root: { type: 'string' }, token: { type: 'string' }, experiments: { type: 'string', multiple: true } },
  async run(args) {
    const host = (args.values.host as string | undefined) ?? '127.0.0.1';
    const port = numberFlag(args, 'port', DEFAULT_PORT, { int: true, min: 0 });
    if (port > 65535) throw new LedgerLabError({ kind: 'usage', problem: `--port must be ≤ 65535, got ${port}`, where: '--port' });
    const token = (args.values.token as string | undefined) ?? generateToken();
    const dirs = listFlag(args, 'experiments');
    const ui = await startUi({ host, port, root: (args.values.root as string | undefined) ?? paths.results, token, experimentDirs: dirs.length ? [paths.experiments, ...dirs] : undefined });
    if (!isLoopback(host)) console.log(`warning: listening on ${host}, reachable from the network; API calls need the token below`);
    console.log(`ledgerlab ui: ${ui.url}`);
    console.log(`results root: ${ui.root}`);
    console.log(`token: ${ui.token}`);
    await new Promise<void>((resolve) => {
      const stop = () => resolve();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await ui.close();
    return 0;
  },
};
