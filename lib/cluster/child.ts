/**
 * One queued run in its own process (`node lib/cluster/child.ts`, started by the worker with an IPC channel).
 * Training blocks the event loop for whole steps, so it must not share a process with the worker, which has
 * to keep its BullMQ job lock and run lock fresh. The child receives {job, root, verbose}, does the kind's
 * shared preparation under the prepare lock, runs the run through the same `runOne` as a local sweep, sends
 * the outcome back and exits. If the worker dies (even by SIGKILL) the IPC channel closes and the child
 * exits at once, so an orphan never keeps training a run another worker is about to resume.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { formatError } from '../errors.ts';
import { getExperimentKind, runOne, type RunOutcome } from '../experiments/index.ts';
import { effectiveStatus, readRunRecord, resumeRun, runDirIn, startRun } from '../results/index.ts';
import { environmentReport, initBackend } from '../runtime/index.ts';
import { plannedRunOf, type RunJob } from './jobs.ts';
import { acquireLock, PREPARE_LOCK } from './locks.ts';
import { answerOneRequest } from '../util/index.ts';

export interface ChildRequest { job: RunJob; root: string; verbose: boolean; prepareStaleMs: number }
export interface ChildReply { outcome: RunOutcome }
/** A line for the worker's log. */
export interface ChildNote { log: string }

async function execute({ job, root, verbose, prepareStaleMs }: ChildRequest): Promise<RunOutcome> {
  const kind = getExperimentKind(job.kind);
  const dir = runDirIn(root, job.runId, `queue job ${job.runId}`);
  const base = { runId: job.runId, dir, seed: job.seed, point: job.point };
  if (!kind) return { ...base, status: 'failed', error: `this worker does not know experiment kind "${job.kind}" (is its LedgerLab older than the submitter's?)` };
  const finished = existsSync(join(dir, 'run.json')) && effectiveStatus(readRunRecord(dir)) === 'finished';
  await initBackend(); // before prepare touches a tensor, or tfjs falls back to its slow cpu backend
  const environment = await environmentReport();
  let config: unknown;
  try {
    config = kind.configSchema.parse(job.config, `queue job ${job.runId} (config)`);
    if (kind.prepare && !finished) {
      const release = await acquireLock(PREPARE_LOCK, { staleMs: prepareStaleMs, onWait: () => process.send!({ log: 'the prepare lock is held by another run building shared inputs (a pretrained base)' } satisfies ChildNote) });
      try {
        await kind.prepare(config, verbose);
      } finally {
        await release();
      }
    }
  } catch (err) {
    // Record the failure where `ledgerlab runs` looks, as a failure inside the run would be.
    const run = existsSync(join(dir, 'run.json'))
      ? resumeRun(dir)
      : await startRun({ root, runId: job.runId, kind: job.kind, name: job.name, config: job.config, seeds: [job.seed], environment });
    run.fail(err);
    return { ...base, status: 'failed', error: formatError(err) };
  }
  return runOne({ kind: job.kind, name: job.name }, { ...plannedRunOf(job), config }, root, environment, verbose);
}

process.on('disconnect', () => process.exit(70)); // the worker is gone: stop now (see above)
answerOneRequest(execute, 'lib/cluster/child.ts is started by `ledgerlab worker`, not by hand');
