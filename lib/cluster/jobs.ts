/**
 * What a queue job carries: one planned run, fully resolved (the validated config, not the experiment file,
 * so a worker needs no copy of the file and `--set` overrides travel with the run). The BullMQ job id is the
 * run id, so the same run is never queued twice while its job exists.
 */
import { s, type Infer } from '../config/index.ts';
import type { PlannedRun } from '../experiments/index.ts';
import { RUN_ID_PATTERN } from '../results/index.ts';

export const RUN_JOB = 'run';

export const RunJobSchema = s.object({
  v: s.literal(1),
  /** The experiment name: `ledgerlab queue status` groups jobs by it. */
  sweep: s.string({ nonEmpty: true }),
  kind: s.string({ nonEmpty: true }),
  name: s.string(),
  /** Names the run's folder under the root: never "." or ".." (lib/results/run-id.ts). */
  runId: s.string({ pattern: RUN_ID_PATTERN }),
  seed: s.int({ min: 0 }),
  point: s.record(s.unknown()),
  config: s.unknown(),
  submitted: s.object({ at: s.string(), host: s.string(), commit: s.string().optional() }),
});
export type RunJob = Infer<typeof RunJobSchema>;

/** Run ids are [A-Za-z0-9._-] and end in -s<seed>: never an integer and never a ':', as BullMQ requires. */
export const jobIdOf = (runId: string): string => runId;

export const plannedRunOf = (j: RunJob): PlannedRun => ({ runId: j.runId, seed: j.seed, point: j.point, config: j.config });
