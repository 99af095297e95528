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
import { openRedis, QUEUE_NAME } from './connection.ts';
import { RunJobSchema, type RunJob } from './jobs.ts';
import { acquireLock, runLockPath } from './locks.ts';
import type { ChildNote, ChildReply, ChildRequest } from './child.ts';

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

export async function startWorker(o: StartWorkerOptions): Promise<RunningWorker> {
  const root = resolve(o.root);
  const lockMs = o.lockMs ?? 30_000;
  const log = o.log ?? ((l: string) => console.error(l));
  const children = new Set<ChildProcess>();
  let aborting = false;
  const connection = await openRedis(o.url, { persistent: true });
  const { Worker, UnrecoverableError } = await import('bullmq');

  const processor = async (job: Job): Promise<RunOutcome> => {
    let data: RunJob;
    let dir: string;
    try {
      // Anyone who can write to Redis writes job payloads: no prototype keys, and a run id that stays in root.
      rejectForbiddenKeys(job.data, { where: `queue job ${job.id}` });
      data = RunJobSchema.parse(job.data, `queue job ${job.id}`);
      dir = runDirIn(root, data.runId, `queue job ${job.id} at runId`);
    } catch (err) {
      throw new UnrecoverableError((err as Error).message); // retrying cannot fix a malformed job
    }
    let child: ChildProcess | undefined;
    const release = await acquireLock(runLockPath(root, data.runId), {
      staleMs: lockMs,
      onWait: () => log(`waiting  ${data.runId}: its run lock is held by another worker`),
      // Someone took the lock over (we could not refresh it): stop the run rather than run it twice.
      onCompromised: (err) => {
        log(`lost the run lock of ${data.runId} (${err.message}); stopping it`);
        child?.kill('SIGTERM');
      },
    });
    try {
      if (existsSync(join(dir, 'run.json'))) {
        const rec = readRunRecord(dir);
        if (rec.status === 'running') {
          // On this host we can see the process: a dead worker's run process exits within moments (its IPC
          // channel closed); one that stays alive is a run started outside the queue.
          const deadline = Date.now() + lockMs;
          while (rec.process.host === hostname() && effectiveStatus(rec) === 'running') {
            if (Date.now() > deadline) throw new Error(`run ${data.runId} is running outside the queue in pid ${rec.process.pid}`);
            await new Promise((r) => setTimeout(r, 200));
          }
          // We hold the run lock, so whoever wrote "running" is gone (its worker stopped refreshing the lock).
          markInterrupted(dir, `worker lost (pid ${rec.process.pid} on ${rec.process.host}); resumed from the queue`);
        }
      }
      log(`run      ${data.runId} (attempt ${job.attemptsMade + 1}/${job.opts.attempts ?? 1})`);
      const outcome = await new Promise<RunOutcome>((done, fail) => {
        child = fork(CHILD, [], { env: childEnv(), stdio: ['ignore', o.verbose ? 'inherit' : 'ignore', 'pipe', 'ipc'], serialization: 'advanced' });
        children.add(child);
        let reply: RunOutcome | undefined;
        let stderr = '';
        child.stderr!.on('data', (d: Buffer) => {
          stderr = (stderr + d.toString()).slice(-4000);
          if (o.verbose) process.stderr.write(d);
        });
        child.on('message', (m: ChildReply | ChildNote) => {
          if ('log' in m) log(`waiting  ${data.runId}: ${m.log}`);
          else reply = m.outcome;
        });
        child.on('error', fail);
        child.on('exit', (code, signal) => {
          children.delete(child!);
          // Aborting: leave the job active and unfinished; its lock expires and another worker resumes the
          // run, without this stop counting as a failed attempt.
          if (aborting) return;
          if (reply) return done(reply);
          const tail = stderr.trim().split('\n').slice(-3).join(' / ');
          fail(new Error(`run process exited with ${signal ?? code} before reporting${tail ? `: ${tail}` : ''}`));
        });
        child.send({ job: data, root, verbose: Boolean(o.verbose), prepareStaleMs: Math.max(lockMs, 60_000) } satisfies ChildRequest);
      });
      const last = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      if (outcome.status === 'failed') {
        if (last) removeQueuedMarker(root, data.runId);
        log(`failed   ${data.runId}${last ? '' : ' (will retry)'}: ${outcome.error?.split('\n')[0]}`);
        throw new Error(outcome.error ?? 'run failed');
      }
      removeQueuedMarker(root, data.runId);
      log(`${outcome.status.padEnd(8)} ${data.runId}`);
      return outcome;
    } finally {
      await release().catch(() => {}); // already released when compromised
    }
  };

  const worker = new Worker(QUEUE_NAME, processor, {
    connection,
    concurrency: Math.max(1, o.concurrency ?? 1),
    lockDuration: lockMs,
    stalledInterval: lockMs,
    // A job whose worker died is handed out again; only a job that keeps killing workers is given up.
    maxStalledCount: 3,
  });
  worker.on('error', (err) => log(`worker error: ${err.message}`));
  await worker.waitUntilReady();

  return {
    worker,
    close: async () => {
      await worker.close();
      connection.disconnect();
    },
    abort: async () => {
      aborting = true;
      const exits = [...children].map((c) => new Promise((r) => c.once('exit', r)));
      for (const c of children) c.kill('SIGTERM');
      await Promise.all(exits);
      connection.disconnect(); // no close(): that would wait for (or fail) the jobs we are leaving to others
    },
  };
}
