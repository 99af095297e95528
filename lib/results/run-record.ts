/**
 * The run record: one typed, versioned schema for everything an experiment writes. It lives at
 * `results/<runId>/run.json`, beside `metrics.jsonl` and the run's artefacts.
 *
 * Status is honest: a run starts as "running" (with its pid and host); it ends as "finished", "failed" or
 * "interrupted" (SIGINT/SIGTERM). A run killed with SIGKILL cannot write anything, so readers compute the
 * effective status: "running" whose process no longer exists on this host reads as "interrupted".
 */
import { hostname } from 'node:os';
import { s, type Infer } from '../config/index.ts';
import { pidAlive } from '../util/index.ts';

export const RUN_RECORD_VERSION = 1;

export const RUN_STATUSES = ['running', 'finished', 'failed', 'interrupted'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const RunRecordSchema = s.object({
  schemaVersion: s.literal(RUN_RECORD_VERSION),
  runId: s.string({ nonEmpty: true }),
  /** Experiment kind, e.g. "speedup", "qlora", "drift", "simulate", "smoke". */
  kind: s.string({ nonEmpty: true }),
  name: s.string(),
  status: s.enum(RUN_STATUSES),
  startedAt: s.string(),
  endedAt: s.string().optional(),
  /** Last time the run wrote anything; long runs refresh it. */
  heartbeatAt: s.string(),
  /**
   * The process running it: pid, host, argv, and the kernel's start time of that pid (clock ticks since boot,
   * Linux) so a later reader can tell this very process from another that reuses the pid (lib/util/process.ts).
   */
  process: s.object({ pid: s.int(), host: s.string(), argv: s.array(s.string()), startTicks: s.int({ min: 0 }).optional() }),
  git: s.object({ commit: s.string().optional(), dirty: s.boolean() }),
  /** The validated config as run (after overrides), and sha256 of its canonical JSON. */
  config: s.unknown(),
  configSha256: s.string({ pattern: /^[0-9a-f]{64}$/ }),
  /** Every seed the run used. */
  seeds: s.array(s.int()),
  /** From `ledgerlab env --json` (runtime/env.ts), recorded at start. */
  environment: s.unknown(),
  /** Relative paths inside the run folder: metrics.jsonl and named artefacts. */
  artifacts: s.record(s.string()),
  /** Final figures written at the end (free-form per kind). */
  summary: s.unknown().optional(),
  error: s.object({
    message: s.string(), where: s.string().optional(), kind: s.string().optional(),
    code: s.string().optional(),
    issues: s.array(s.object({ path: s.array(s.unknown()), message: s.string() })).optional(),
    /** The JavaScript stack where it was thrown (and its cause's), for `--debug` and bug reports. */
    stack: s.string().optional(),
  }).optional(),
  /** The run this one resumed from, if any, and how many times it was resumed. */
  resumedFrom: s.string().optional(),
  resumes: s.int({ min: 0 }).default(0),
});

export type RunRecord = Infer<typeof RunRecordSchema>;

/** The status a reader should believe: a "running" record whose process is gone was interrupted. */
export function effectiveStatus(record: RunRecord): RunStatus {
  if (record.status !== 'running') return record.status;
  if (record.process.host === hostname() && !pidAlive(record.process.pid)) return 'interrupted';
  return 'running';
}
