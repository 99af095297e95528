/**
 * One planned run in a process of its own (`runExperiment(…, { jobs })` starts one per worker slot with an IPC
 * channel): the parent sends the planned run itself — kind, name, seed, point and the config it already
 * validated — so the child neither re-reads nor re-plans the experiment file. The child runs it through the
 * same `runOne` as a run in the parent, sends the outcome back and exits. Its run record stays the truth: the
 * parent reads run.json when the child dies without a reply. A signal reaches the run's own handler
 * (lib/results/run.ts), which records the run "interrupted".
 */
import { debugMode, formatError } from '../errors.ts';
import { environmentReport } from '../runtime/index.ts';
import { runOne, type RunChildReply, type RunChildRequest, type RunOutcome } from './runner.ts';

async function execute(req: RunChildRequest): Promise<RunOutcome> {
  const environment = await environmentReport(); // also starts the tensor backend, as a run in the parent does
  return runOne(req.spec, req.run, req.root, environment, req.verbose);
}

if (!process.send) {
  console.error('lib/experiments/run-child.ts is started by runExperiment with jobs > 1, not by hand');
  process.exit(2);
}
// `ledgerlab --debug` (LEDGERLAB_DEBUG=1, inherited): tfjs' tidy/scope frames alone fill V8's default 10.
if (debugMode()) Error.stackTraceLimit = 50;
process.once('message', (req: RunChildRequest) => {
  execute(req).then(
    (outcome) => process.send!({ outcome } satisfies RunChildReply, () => process.exit(0)),
    (err) => {
      console.error(formatError(err, { debug: true }));
      process.exit(1);
    },
  );
});
