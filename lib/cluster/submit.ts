/**
 * `ledgerlab run FILE --queue URL`: plans the sweep exactly as a local run does and puts every grid point ×
 * seed on the queue as one job (job id = run id) instead of running it. Runs already finished in the results
 * root are skipped, as locally; a run whose job is still waiting or active is left alone (never queued twice);
 * a run whose job ended (failed for good, or completed but its results are gone) is queued afresh. `--wait`
 * then follows the jobs until each has finished or failed for good.
 *
 * @example
 * const sub = await submitExperiment('experiments/speedup-quick.json', { url: 'redis://127.0.0.1:6379' });
 * const outcomes = await waitForRuns(sub, { onRun: (o) => console.log(o.status, o.runId) });
 */
import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Queue, Job } from 'bullmq';
import { LedgerLabError } from '../errors.ts';
import { planExperiment, type ExperimentPlan, type PlannedRun, type RunOutcome } from '../experiments/index.ts';
import { effectiveStatus, gitState, readRunRecord, removeQueuedMarker, writeQueuedMarker } from '../results/index.ts';
import { openRedis, QUEUE_NAME, redactUrl } from './connection.ts';
import { jobIdOf, RUN_JOB, type RunJob } from './jobs.ts';

export interface SubmitOptions {
  url: string;
  set?: string[];
  /** The shared results root as this machine sees it (finished runs are skipped; queued markers go here). */
  root: string;
  /** Only these run ids of the plan. */
  only?: string[];
  /** Tries per run before it counts as failed (default 3). */
  attempts?: number;
  /** First retry delay in ms; doubles on each further retry (default 10 000). */
  backoffMs?: number;
}

export interface Submission {
  url: string;
  sweep: string;
  plan: ExperimentPlan;
  root: string;
  /** Put on the queue now. */
  queued: PlannedRun[];
  /** Their job was already waiting or running: left as it was. */
  alreadyQueued: PlannedRun[];
  /** Finished before (in the results root): not queued, as a local sweep skips them. */
  skipped: RunOutcome[];
}

const LIVE_STATES = new Set(['waiting', 'active', 'delayed', 'prioritized', 'waiting-children']);
const WEEK_S = 7 * 24 * 3600;

export async function openQueue(conn: Awaited<ReturnType<typeof openRedis>>): Promise<Queue> {
  const { Queue } = await import('bullmq');
  return new Queue(QUEUE_NAME, { connection: conn });
}

export async function submitExperiment(file: string, o: SubmitOptions): Promise<Submission> {
  return submitPlan(planExperiment(file, o.set ?? []), o);
}

/** Queues a plan made elsewhere (the simulate command plans its file with the seeds it was given). */
export async function submitPlan(plan: ExperimentPlan, o: Omit<SubmitOptions, 'set'>): Promise<Submission> {
  const root = resolve(o.root);
  const only = o.only?.length ? new Set(o.only) : undefined;
  if (only) {
    const unknown = [...only].filter((id) => !plan.runs.some((r) => r.runId === id));
    if (unknown.length) throw new LedgerLabError({ kind: 'usage', problem: `run id(s) not in the plan: ${unknown.join(', ')}`, where: '--only', hint: `the plan has ${plan.runs.map((r) => r.runId).join(', ')}` });
  }
  const conn = await openRedis(o.url);
  const queue = await openQueue(conn);
  const sub: Submission = { url: redactUrl(o.url), sweep: plan.spec.name, plan, root, queued: [], alreadyQueued: [], skipped: [] };
  const git = gitState();
  const submitted = { at: new Date().toISOString(), host: hostname(), ...(git.commit ? { commit: git.commit } : {}) };
  try {
    for (const p of plan.runs.filter((r) => !only || only.has(r.runId))) {
      const dir = join(root, p.runId);
      if (existsSync(join(dir, 'run.json'))) {
        const rec = readRunRecord(dir);
        if (effectiveStatus(rec) === 'finished') {
          sub.skipped.push({ runId: p.runId, dir, seed: p.seed, point: p.point, status: 'skipped', summary: rec.summary });
          continue;
        }
      }
      const id = jobIdOf(p.runId);
      const existing = await queue.getJob(id);
      if (existing) {
        if (LIVE_STATES.has(await existing.getState())) {
          sub.alreadyQueued.push(p);
          continue;
        }
        await existing.remove(); // ended: a new job with the same id starts its attempts afresh
      }
      const data: RunJob = { v: 1, sweep: plan.spec.name, kind: plan.spec.kind, name: plan.spec.name, runId: p.runId, seed: p.seed, point: p.point, config: p.config, submitted };
      // The marker first: once the job is on the queue a worker may start (and end) the run at once.
      writeQueuedMarker(root, { runId: p.runId, kind: plan.spec.kind, name: plan.spec.name, sweep: plan.spec.name, seed: p.seed, point: p.point, config: p.config, queuedAt: submitted.at, queue: sub.url });
      try {
        await queue.add(RUN_JOB, data, {
          jobId: id,
          attempts: o.attempts ?? 3,
          backoff: { type: 'exponential', delay: o.backoffMs ?? 10_000 },
          // Ended jobs stay a week, for `ledgerlab queue status` and `--wait`.
          removeOnComplete: { age: WEEK_S },
          removeOnFail: { age: WEEK_S },
        });
      } catch (err) {
        removeQueuedMarker(root, p.runId);
        throw err;
      }
      sub.queued.push(p);
    }
  } finally {
    await queue.close();
    conn.disconnect();
  }
  return sub;
}

/**
 * Follows the submission's runs until each job finished or failed for good (a failed attempt that will be
 * retried is still pending). Returns one outcome per planned run, in plan order; `onRun` sees them as they end.
 */
export async function waitForRuns(sub: Submission, o: { url: string; pollMs?: number; onRun?: (x: RunOutcome) => void }): Promise<RunOutcome[]> {
  const conn = await openRedis(o.url);
  const queue = await openQueue(conn);
  const done = new Map<string, RunOutcome>(sub.skipped.map((x) => [x.runId, x]));
  for (const x of sub.skipped) o.onRun?.(x);
  const pending = [...sub.queued, ...sub.alreadyQueued];
  try {
    while (pending.some((p) => !done.has(p.runId))) {
      for (const p of pending) {
        if (done.has(p.runId)) continue;
        const job: Job | undefined = await queue.getJob(jobIdOf(p.runId));
        const base = { runId: p.runId, dir: join(sub.root, p.runId), seed: p.seed, point: p.point };
        let x: RunOutcome | undefined;
        if (!job) x = { ...base, status: 'failed', error: 'its job disappeared from the queue (removed, or Redis lost its data)' };
        else {
          const state = await job.getState();
          if (state === 'completed') x = { ...(job.returnvalue as RunOutcome), dir: base.dir };
          else if (state === 'failed') x = { ...base, status: 'failed', error: `${job.failedReason}\n(gave up after ${job.attemptsMade} attempt${job.attemptsMade === 1 ? '' : 's'})` };
        }
        if (x) {
          done.set(p.runId, x);
          o.onRun?.(x);
        }
      }
      if (pending.some((p) => !done.has(p.runId))) await new Promise((r) => setTimeout(r, o.pollMs ?? 500));
    }
  } finally {
    await queue.close();
    conn.disconnect();
  }
  const order = sub.plan.runs.map((r) => r.runId);
  return [...done.values()].sort((a, b) => order.indexOf(a.runId) - order.indexOf(b.runId));
}
