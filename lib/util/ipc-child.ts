/**
 * The main of a process started with an IPC channel to do one job (a run child of `run --jobs N`, a queue
 * worker's run child): refuse to run by hand, take one request, send back `{ outcome }` and exit 0; on an error,
 * print it (with its stack) and exit 1.
 *
 * @example
 * answerOneRequest((req: RunChildRequest) => runIt(req), 'lib/experiments/run-child.ts is started by runExperiment, not by hand');
 */
import { formatError } from '../errors.ts';

export function answerOneRequest<Req, Out>(execute: (req: Req) => Promise<Out>, notByHand: string): void {
  if (!process.send) {
    console.error(notByHand);
    process.exit(2);
  }
  process.once('message', (req: Req) => {
    execute(req).then(
      (outcome) => process.send!({ outcome }, () => process.exit(0)),
      (err) => {
        console.error(formatError(err, { debug: true }));
        process.exit(1);
      },
    );
  });
}
