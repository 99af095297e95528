/**
 * `ledgerlab worker`: takes run jobs from the queue and runs each in a child process (child.ts) through the
 * same code path as a local sweep, writing into a results root every worker shares.
 *
 * Faults, and who handles them:
 * - a worker killed (even SIGKILL) mid-run stops renewing its BullMQ job lock; BullMQ's stalled-job check
 *   hands the job to another worker after `lockMs`, which takes over the run lock once it went stale, marks
 *   the record interrupted and resumes the run from its last checkpoint (bit-exact: lib/train/checkpoint.ts);
 * - a failing run is recorded `failed` in run.json and the job fails, so BullMQ retries it with exponential
 *   backoff up to the attempts the submitter chose (each retry resumes from the checkpoint);
 * - the run lock (locks.ts) makes sure a run never executes twice at once, whatever the queue does.
 *
 * @example
 * const w = await startWorker({ url: 'redis://10.0.0.5:6379', root: '/mnt/shared/results', concurrency: 2 });
 * await w.close();
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, extname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker, Job } from 'bullmq';
import type { RunOutcome } from '../experiments/index.ts';
import { childEnv, effectiveStatus, markInterrupted, readRunRecord, removeQueuedMarker, runDirIn } from '../results/index.ts';
import { rejectForbiddenKeys } from '../config/index.ts';
import { allocatorEnv } from '../measure/index.ts';
import { openRedis, QUEUE_NAME } from './connection.ts';
import { RunJobSchema, type RunJob } from './jobs.ts';
import { acquireLock, runLockPath } from './locks.ts';
import type { ChildNote, ChildReply, ChildRequest } from './child.ts';
import { LedgerLabError } from '../errors.ts';

export interface StartWorkerOptions {
  url: string;
  /** The results root all workers share (this machine's path to it). */
  root: string;
  /** Runs at once, each in its own process (tfjs-wasm uses one core per process). Default 1. */
  concurrency?: number;
  /**
   * How soon a dead worker's job and run are taken over (BullMQ lockDuration and stalled-check interval, and
   * the run lock's staleness). Default 30 s; tests use ~2 s.
   */
  lockMs?: number;
  /** Progress lines of the runs and of the worker. */
  verbose?: boolean;
  /** One line per event (job taken, finished, failed, retried). Default: stderr. */
  log?: (line: string) => void;
}

export interface RunningWorker {
  worker: Worker;
  /** Stops taking jobs and waits for the runs in progress to end. */
  close(): Promise<void>;
  /** Stops now: children get SIGTERM (their runs record "interrupted"); their jobs go to other workers. */
  abort(): Promise<void>;
}

// child.ts beside this file (child.js in the tsc-built dist/ copy).
const here = fileURLToPath(import.meta.url);
const CHILD = join(dirname(here), `child${extname(here)}`);

/** What a worker shares with its job processors: its live run children, and whether it is aborting. */
interface WorkerState { children: Set<ChildProcess>; aborting: boolean }

/** What processing one job needs from its worker. */
interface JobContext {
  root: string;
  lockMs: number;
  verbose: boolean;
  log: (line: string) => void;
  state: WorkerState;
  /** BullMQ's UnrecoverableError (bullmq is loaded when a worker starts). */
  UnrecoverableError: new (message: string) => Error;
}

export async function startWorker(o: StartWorkerOptions): Promise<RunningWorker> {
  const state: WorkerState = { children: new Set(), aborting: false };
  const connection = await openRedis(o.url, { persistent: true });
  const { Worker, UnrecoverableError } = await import('bullmq');
  const lockMs = o.lockMs ?? 30_000;
  const c: JobContext = { root: resolve(o.root), lockMs, verbose: Boolean(o.verbose), log: o.log ?? ((l: string) => console.error(l)), state, UnrecoverableError };
  const worker = new Worker(QUEUE_NAME, (job: Job) => processJob(job, c), {
    connection,
    concurrency: Math.max(1, o.concurrency ?? 1),
    lockDuration: lockMs,
    stalledInterval: lockMs,
    // A job whose worker died is handed out again; only a job that keeps killing workers is given up.
    maxStalledCount: 3,
  });
  worker.on('error', (err) => c.log(`worker error: ${err.message}`));
  await worker.waitUntilReady();

  return {
    worker,
    close: async () => {
      await worker.close();
      connection.disconnect();
    },
    abort: async () => {
      state.aborting = true;
      const exits = [...state.children].map((child) => new Promise((r) => child.once('exit', r)));
      for (const child of state.children) child.kill('SIGTERM');
      await Promise.all(exits);
      connection.disconnect(); // no close(): that would wait for (or fail) the jobs we are leaving to others
    },
  };
}

/** One job: checked, its run lock held, a stale "running" record taken over, the run done in a child. */
async function processJob(job: Job, c: JobContext): Promise<RunOutcome> {
  const { data, dir } = checkedJob(job, c);
  let child: ChildProcess | undefined;
  const release = await acquireLock(runLockPath(c.root, data.runId), {
    staleMs: c.lockMs,
    onWait: () => c.log(`waiting  ${data.runId}: its run lock is held by another worker`),
    // Someone took the lock over (we could not refresh it): stop the run rather than run it twice.
    onCompromised: (err) => {
      c.log(`lost the run lock of ${data.runId} (${err.message}); stopping it`);
      child?.kill('SIGTERM');
    },
  });
  try {
    await takeOverStaleRun(dir, data.runId, c.lockMs);
    c.log(`run      ${data.runId} (attempt ${job.attemptsMade + 1}/${job.opts.attempts ?? 1})`);
    const outcome = await runInChild(data, c, (started) => { child = started; });
    return settleJob(job, data, outcome, c);
  } finally {
    await release().catch(() => {}); // already released when compromised
  }
}

/** The job's payload, checked; a malformed one fails for good (retrying cannot fix it). */
function checkedJob(job: Job, c: JobContext): { data: RunJob; dir: string } {
  const { UnrecoverableError } = c;
  try {
    // Anyone who can write to Redis writes job payloads: no prototype keys, and a run id that stays in root.
    rejectForbiddenKeys(job.data, { where: `queue job ${job.id}` });
    const data = RunJobSchema.parse(job.data, `queue job ${job.id}`);
    return { data, dir: runDirIn(c.root, data.runId, `queue job ${job.id} at runId`) };
  } catch (err) {
    throw new UnrecoverableError((err as Error).message);
  }
}

/**
 * A record still saying "running" although we hold the run lock. On this host we can see the process: a dead
 * worker's run process exits within moments (its IPC channel closed); one that stays alive is a run started
 * outside the queue. Otherwise whoever wrote "running" is gone (its worker stopped refreshing the lock): the
 * record is marked interrupted, and the run resumes from it.
 */
async function takeOverStaleRun(dir: string, runId: string, lockMs: number): Promise<void> {
  if (!existsSync(join(dir, 'run.json'))) return;
  const rec = readRunRecord(dir);
  if (rec.status !== 'running') return;
  const deadline = Date.now() + lockMs;
  while (rec.process.host === hostname() && effectiveStatus(rec) === 'running') {
    if (Date.now() > deadline) throw new LedgerLabError({ kind: 'runtime', problem: `run ${runId} is running outside the queue in pid ${rec.process.pid}` });
    await new Promise((r) => setTimeout(r, 200));
  }
  markInterrupted(dir, `worker lost (pid ${rec.process.pid} on ${rec.process.host}); resumed from the queue`);
}

/** Runs the job in a child process (child.ts) and resolves with the outcome it sends back. */
function runInChild(data: RunJob, c: JobContext, onStart: (child: ChildProcess) => void): Promise<RunOutcome> {
  return new Promise<RunOutcome>((done, fail) => {
    const child = fork(CHILD, [], { env: childEnv(allocatorEnv()), stdio: ['ignore', c.verbose ? 'inherit' : 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
    onStart(child);
    c.state.children.add(child);
    let reply: RunOutcome | undefined;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
      if (c.verbose) process.stderr.write(d);
    });
    child.on('message', (m: ChildReply | ChildNote) => {
      if ('log' in m) c.log(`waiting  ${data.runId}: ${m.log}`);
      else reply = m.outcome;
    });
    child.on('error', fail);
    child.on('exit', (code, signal) => {
      c.state.children.delete(child);
      // Aborting: leave the job active and unfinished; its lock expires and another worker resumes the
      // run, without this stop counting as a failed attempt.
      if (c.state.aborting) return;
      if (reply) return done(reply);
      const tail = stderr.trim().split('\n').slice(-3).join(' / ');
      fail(new LedgerLabError({ kind: 'runtime', problem: `run process exited with ${signal ?? code} before reporting${tail ? `: ${tail}` : ''}` }));
    });
    child.send({ job: data, root: c.root, verbose: c.verbose, prepareStaleMs: Math.max(c.lockMs, 60_000) } satisfies ChildRequest);
  });
}

/** A failed run fails the job (BullMQ retries it while attempts are left); the queued marker goes at the end. */
function settleJob(job: Job, data: RunJob, outcome: RunOutcome, c: JobContext): RunOutcome {
  const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
  if (outcome.status === 'failed') {
    if (last) removeQueuedMarker(c.root, data.runId);
    c.log(`failed   ${data.runId}${last ? '' : ' (will retry)'}: ${outcome.error?.split('\n')[0]}`);
    throw new LedgerLabError({ kind: 'runtime', problem: outcome.error ?? 'run failed' });
  }
  removeQueuedMarker(c.root, data.runId);
  c.log(`${outcome.status.padEnd(8)} ${data.runId}`);
  return outcome;
}
