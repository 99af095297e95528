/**
 * One planned run in a process of its own (`runExperiment(…, { jobs })` starts one per worker slot with an IPC
 * channel): the parent sends the planned run itself — kind, name, seed, point and the config it already
 * validated — so the child neither re-reads nor re-plans the experiment file. The child runs it through the
 * same `runOne` as a run in the parent, sends the outcome back and exits. Its run record stays the truth: the
 * parent reads run.json when the child dies without a reply. A signal reaches the run's own handler
 * (lib/results/run.ts), which records the run "interrupted".
 */
import { debugMode } from '../errors.ts';
import { answerOneRequest } from '../util/index.ts';
import { environmentReport } from '../runtime/index.ts';
import { runOne, type RunChildRequest, type RunOutcome } from './runner.ts';

async function execute(req: RunChildRequest): Promise<RunOutcome> {
  const environment = await environmentReport(); // also starts the tensor backend, as a run in the parent does
  return runOne(req.spec, req.run, req.root, environment, req.verbose);
}

// `ledgerlab --debug` (LEDGERLAB_DEBUG=1, inherited): tfjs' tidy/scope frames alone fill V8's default 10.
if (debugMode()) Error.stackTraceLimit = 50;
answerOneRequest(execute, 'lib/experiments/run-child.ts is started by runExperiment with jobs > 1, not by hand');
