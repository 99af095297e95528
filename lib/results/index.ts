/** results/: run record schema, run lifecycle, reading runs back (atomic writes and JSONL reading are in util/). */
export { RunRecordSchema, RUN_RECORD_VERSION, RUN_STATUSES, effectiveStatus } from './run-record.ts';
export type { RunRecord, RunStatus } from './run-record.ts';
export { startRun, resumeRun, readRunRecord, markInterrupted, Run } from './run.ts';
export { writeQueuedMarker, removeQueuedMarker, listQueuedRuns, QueuedRunSchema, QUEUED_DIR } from './queued.ts';
export type { QueuedRun } from './queued.ts';
export type { StartRunOptions } from './run.ts';
export { listRuns, scanRuns, findRuns, filterRuns, filterBy, LISTED_STATUSES } from './store.ts';
// Moved to util/ (generic helpers); re-exported here so code written against results/ keeps working.
export { readJsonl, writeFileAtomic, writeJsonAtomic, appendJsonLine } from '../util/index.ts';
// The environment run processes and git start with (git.ts uses it; so do the runner's and the queue's children).
export { childEnv } from '../util/index.ts';
export type { RunEntry, SkippedRun, ListRunsOptions } from './store.ts';
export { gitState } from './git.ts';
export type { GitState } from './git.ts';
export { compareRuns, formatComparison, differingKeys, flatten, summaryMetrics } from './compare.ts';
export type { Comparison, CompareGroup } from './compare.ts';
export { runsFrame, metricsFrame, runRows } from './frame.ts';
export * from './export/index.ts';
export { RUN_ID_PATTERN, isRunId, runDirIn } from './run-id.ts';
