import type { Command } from '../command.ts';
import { numberFlag } from '../args.ts';
import { LedgerLabError, paths, startWorker, redactUrl, parseQueueUrl } from '../../index.ts';

export const workerCommand: Command = {
  name: 'worker',
  summary: 'take sweep runs from a Redis job queue and run them into a shared results folder',
  usage: 'ledgerlab worker --queue redis://HOST:PORT [--concurrency N] [--root DIR] [--lock-ms MS]',
  help: [
    'Runs jobs put on the queue by `ledgerlab run FILE --queue URL`, each in its own process, through the same',
    'code path as a local run; results go to --root (default results/, or LEDGERLAB_RESULTS), which every',
    'worker must share (e.g. an NFS mount). --concurrency N runs N at once (one core each). A worker that',
    'dies mid-run is noticed after --lock-ms (default 30000): its runs resume from their checkpoints on',
    'another worker. Ctrl-C (or SIGTERM) stops the runs in progress, which other workers then resume.',
    'See docs/cluster.md.',
  ].join('\n'),
  options: { queue: { type: 'string' }, concurrency: { type: 'string' }, root: { type: 'string' }, 'lock-ms': { type: 'string' } },
  async run(args) {
    const url = args.values.queue as string | undefined;
    if (!url) throw new LedgerLabError({ kind: 'usage', problem: 'missing --queue URL', where: 'ledgerlab worker', hint: 'e.g. ledgerlab worker --queue redis://10.0.0.5:6379' });
    parseQueueUrl(url);
    const concurrency = numberFlag(args, 'concurrency', 1, { int: true, min: 1 });
    const lockMs = numberFlag(args, 'lock-ms', 30_000, { int: true, min: 2000 });
    const root = (args.values.root as string | undefined) ?? paths.results;
    const verbose = process.env.LEDGERLAB_QUIET !== '1';
    const w = await startWorker({ url, root, concurrency, lockMs, verbose });
    console.error(`worker ${process.pid}: taking runs from ${redactUrl(url)} into ${root} (${concurrency} at once)`);
    await new Promise<void>((resolve) => {
      const stop = (sig: NodeJS.Signals) => {
        console.error(`worker ${process.pid}: ${sig}, stopping; runs in progress will resume on another worker`);
        void w.abort().then(resolve);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    process.exit(130);
  },
};
