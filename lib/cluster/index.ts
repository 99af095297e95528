/**
 * cluster/: sweeps on several machines through a BullMQ job queue on Redis. `submitExperiment` puts every
 * planned run on the queue, `startWorker` runs jobs (each through the same runner as a local sweep) into a
 * shared results root, `queueStatus` counts jobs per sweep. See docs/cluster.md.
 */
export { QUEUE_NAME, parseQueueUrl, redactUrl, openRedis } from './connection.ts';
export { RunJobSchema, RUN_JOB, jobIdOf } from './jobs.ts';
export type { RunJob } from './jobs.ts';
export { submitExperiment, waitForRuns } from './submit.ts';
export type { SubmitOptions, Submission } from './submit.ts';
export { startWorker } from './worker.ts';
export type { StartWorkerOptions, RunningWorker } from './worker.ts';
export { queueStatus, formatQueueStatus } from './status.ts';
export type { QueueStatus, SweepStatus } from './status.ts';
export { submitSimulation, simulationRows } from './simulate.ts';
export { acquireLock, runLockPath, PREPARE_LOCK } from './locks.ts';
