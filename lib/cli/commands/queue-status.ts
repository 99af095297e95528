import type { Command } from '../command.ts';
import { queueStatus, formatQueueStatus, parseQueueUrl } from '../../index.ts';

export const queueStatusCommand: Command = {
  name: 'queue status',
  summary: 'jobs on a Redis run queue per sweep: waiting, active, finished, failed',
  usage: 'ledgerlab queue status redis://HOST:PORT [--json]',
  help: 'waiting includes runs backing off before a retry; failed counts runs that used all their attempts.\n--json prints {queue, workers, sweeps: [{sweep, waiting, active, finished, failed, total}]}.',
  options: { json: { type: 'boolean' } },
  positionals: [1, 1],
  async run(args) {
    parseQueueUrl(args.positionals[0], 'URL');
    const s = await queueStatus(args.positionals[0]);
    console.log(args.values.json ? JSON.stringify(s, null, 2) : formatQueueStatus(s));
  },
};
