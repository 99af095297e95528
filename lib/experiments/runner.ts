/**
 * Runs an experiment plan: one run folder per (grid point, seed). Finished runs are skipped (so a sweep can
 * be re-run to fill gaps), a failing run is recorded as failed and the sweep goes on, and an interrupted run
 * can be resumed by id. Returns what happened to every planned run.
 *
 * @example
 * const outcome = await runExperiment('experiments/smoke.json', { set: ['train.steps=20'] });
 * outcome.failed.length === 0;
 */
import { existsSync } from 'node:fs';
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LedgerLabError, debugMode, formatError } from '../errors.ts';
import { paths } from '../paths.ts';
import { startRun, resumeRun, readRunRecord, effectiveStatus } from '../results/index.ts';
import { environmentReport, initBackend } from '../runtime/index.ts';
import { planExperiment, type ExperimentPlan, type PlannedRun } from './spec.ts';
import type { ExperimentKind } from './kind.ts';
import { experimentKinds, getExperimentKind } from './registry.ts';
import { ProgressBoard, allocatorEnv } from '../measure/index.ts';
import { allowedCpus } from './cpus.ts';
import { childEnv } from '../util/index.ts';

export interface RunOutcome {
  runId: string;
  dir: string;
  status: 'finished' | 'skipped' | 'failed';
  seed: number;
  point: Record<string, unknown>;
  summary?: unknown;
  error?: string;
}

export interface ExperimentOutcome {
  plan: ExperimentPlan;
  outcomes: RunOutcome[];
  failed: RunOutcome[];
}

export interface RunExperimentOptions {
  set?: string[];
  root?: string;
  verbose?: boolean;
  /** Called after each run (for CLI output). */
  onRun?: (o: RunOutcome) => void;
  /** Only these run ids of the plan (how parallel workers get their share). */
  only?: string[];
  /**
   * Runs at once, each in its own process (run-child.ts, sent the planned run; tfjs-wasm uses one core per process).
   * Default 1: in this process, one after another.
   */
  jobs?: number;
  /**
   * The kinds a file may name (default: the shipped ones, lib/experiments/registry.ts). Other kinds (a test's
   * toy kind) run in this process only: worker processes know the shipped kinds alone.
   */
  kinds?: readonly ExperimentKind<unknown>[];
}

export async function runExperiment(file: string, opts: RunExperimentOptions = {}): Promise<ExperimentOutcome> {
  const plan = planExperiment(file, opts.set ?? [], opts.kinds);
  const root = opts.root ?? paths.results;
  const only = opts.only?.length ? new Set(opts.only) : undefined;
  if (only) {
    const unknown = [...only].filter((id) => !plan.runs.some((r) => r.runId === id));
    if (unknown.length) throw new LedgerLabError({ kind: 'usage', problem: `run id(s) not in the plan: ${unknown.join(', ')}`, where: '--only', hint: `the plan has ${plan.runs.map((r) => r.runId).join(', ')}` });
  }
  const planned = plan.runs.filter((r) => !only || only.has(r.runId));
  const jobs = Math.max(1, Math.min(opts.jobs ?? 1, planned.length));
  if (jobs > 1 && opts.kinds && !experimentKinds().includes(plan.kind)) {
    throw new LedgerLabError({ kind: 'usage', problem: `kind "${plan.kind.kind}" is not a shipped kind, so worker processes cannot run it`, where: '--jobs', hint: 'run it with jobs 1, or list it in lib/experiments/registry.ts' });
  }
  const outcomes = jobs > 1
    ? await runInWorkers(opts, plan, planned, root, jobs)
    : await runHere(plan, planned, root, opts);
  return { plan, outcomes, failed: outcomes.filter((o) => o.status === 'failed') };
}

async function runHere(plan: ExperimentPlan, planned: readonly PlannedRun[], root: string, opts: RunExperimentOptions): Promise<RunOutcome[]> {
  const environment = await environmentReport();
  const outcomes: RunOutcome[] = [];
  for (const p of planned) {
    const o = await runOne(plan.spec, p, root, environment, opts.verbose ?? false, [plan.kind]);
    outcomes.push(o);
    opts.onRun?.(o);
  }
  return outcomes;
}

/** What the parent sends a run child (run-child.ts): the planned run itself, config validated, nothing to re-read. */
export interface RunChildRequest { spec: { kind: string; name: string }; run: PlannedRun; root: string; verbose: boolean }
export interface RunChildReply { outcome: RunOutcome }

// run-child.ts beside this file (run-child.js in the tsc-built dist/ copy).
const here = fileURLToPath(import.meta.url);
const RUN_CHILD = join(dirname(here), `run-child${extname(here)}`);

/**
 * A pool of `jobs` child processes (run-child.ts), one run each, sent over IPC. The kind's shared preparation
 * runs here first; each worker writes its own run folder, and the outcome is read back from its run.json (the
 * record is the truth).
 */
async function runInWorkers(opts: RunExperimentOptions, plan: ExperimentPlan, planned: readonly PlannedRun[], root: string, jobs: number): Promise<RunOutcome[]> {
  const verbose = opts.verbose ?? false;
  const todo = new Set(planned.filter((p) => !finishedIn(join(root, p.runId))));
  await prepareShared(plan.kind, [...todo], verbose);
  // Each worker writes plain progress lines (its stderr is a pipe); the board shows them as one row per
  // worker on a TTY, or prefixed lines elsewhere. Workers report every second for a live board.
  const board = new ProgressBoard({ quiet: !verbose || undefined });
  // An explicit environment (lib/util/child-env.ts): nothing a config could have planted reaches a worker.
  // Workers time, so they start with the allocator timed work runs with (lib/measure/allocator.ts).
  const env = childEnv({ ...allocatorEnv(), ...(board.live ? { LEDGERLAB_PROGRESS_EVERY_S: '1' } : {}) });
  const spec = { kind: plan.spec.kind, name: plan.spec.name };
  const outcomes = new Map<string, RunOutcome>();
  const queue = [...planned];
  const sweep = interruptibleSweep(queue);
  const pin = pinning(jobs);
  const worker = async (slot: number) => {
    for (let p = queue.shift(); p; p = queue.shift()) {
      const base = { runId: p.runId, dir: join(root, p.runId), seed: p.seed, point: p.point };
      const o: RunOutcome = todo.has(p)
        ? workerOutcome(base, await runInChild({ spec, run: p, root, verbose }, pin?.[slot], env, board, sweep))
        : { ...base, status: 'skipped', summary: readRunRecord(base.dir).summary };
      outcomes.set(p.runId, o);
      board.around(() => opts.onRun?.(o));
    }
  };
  try {
    await Promise.all(Array.from({ length: jobs }, (_, slot) => worker(slot)));
  } finally {
    sweep.dispose();
  }
  return planned.map((p) => outcomes.get(p.runId)!);
}

/** Whether the run folder `dir` holds a finished run. */
function finishedIn(dir: string): boolean {
  return existsSync(join(dir, 'run.json')) && effectiveStatus(readRunRecord(dir)) === 'finished';
}

/** The kind's shared preparation (a pretrained base), once per distinct config of the runs still to do. */
async function prepareShared(kind: ExperimentKind<unknown>, todo: readonly PlannedRun[], verbose: boolean): Promise<void> {
  await initBackend(); // before prepare touches a tensor, or tfjs falls back to its slow cpu backend
  if (!todo.length || !kind.prepare) return;
  const configs = new Map(todo.map((p) => [JSON.stringify(p.config), p.config]));
  for (const config of configs.values()) await kind.prepare(config, verbose);
}

/** The live worker processes of a sweep, and what an interrupt does to them. */
interface InterruptibleSweep {
  add(child: ChildProcess): void;
  /** A worker is gone; when interrupted and it was the last, this process exits. */
  remove(child: ChildProcess): void;
  dispose(): void;
}

/**
 * Interrupting the parent interrupts the sweep: pass the signal to every worker (each marks its run
 * "interrupted"), start no new run (the queue is emptied), and exit once they are gone — never leave workers
 * running on.
 */
function interruptibleSweep(queue: PlannedRun[]): InterruptibleSweep {
  const live = new Set<ChildProcess>();
  let stopping: NodeJS.Signals | undefined;
  const exitWhenAllGone = () => {
    if (stopping && live.size === 0) process.exit(stopping === 'SIGINT' ? 130 : 143);
  };
  const onSignal = (sig: NodeJS.Signals) => {
    stopping = sig;
    queue.length = 0;
    for (const c of live) c.kill(sig);
    exitWhenAllGone();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return {
    add: (child) => live.add(child),
    remove: (child) => {
      live.delete(child);
      exitWhenAllGone();
    },
    dispose: () => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    },
  };
}

/** How a run child ended: its exit code, what it wrote on stderr, and its reply when it sent one. */
interface ChildEnd { code: number | null; stderr: string; reply?: RunChildReply }

/**
 * Runs one planned run in a run child (run-child.ts), sent over IPC; its stderr goes to the progress board.
 * Pinned (`cpu` given): the child runs under `taskset -c <cpu>`, alone on its core (timed runs must not share one).
 */
function runInChild(request: RunChildRequest, cpu: number | undefined, env: NodeJS.ProcessEnv, board: ProgressBoard, sweep: InterruptibleSweep): Promise<ChildEnd> {
  const id = request.run.runId;
  // A worker pinned to one core collects garbage on its main thread only: V8's helper threads would share that core
  // with the timed steps. Pinned, with the helpers, speedup-quick's corners ran 169–217 / 241–292 ms per step from
  // one process to the next, with stretches ~1.7× slower that the quiet-machine guard cannot see (CPU = wall, no
  // foreign load); single-threaded, 161–165 / 227–228 (docs/measurements/2026-12-08-timing-states.md).
  // LEDGERLAB_GC=parallel keeps V8's default.
  const gc = cpu !== undefined && process.env.LEDGERLAB_GC !== 'parallel' && !process.execArgv.includes('--single-threaded-gc') ? ['--single-threaded-gc'] : [];
  const args = [...process.execArgv, ...gc, RUN_CHILD];
  const stdio: StdioOptions = ['ignore', 'ignore', 'pipe', 'ipc'];
  return new Promise((resolve) => {
    const child = cpu === undefined
      ? spawn(process.execPath, args, { stdio, env, serialization: 'advanced' })
      : spawn(TASKSET, ['-c', String(cpu), process.execPath, ...args], { stdio, env: childEnv({ ...env, LEDGERLAB_PINNED_CPU: String(cpu) }), serialization: 'advanced' });
    let stderr = '';
    let reply: RunChildReply | undefined;
    child.on('message', (m: RunChildReply) => { reply = m; });
    child.on('error', (e) => { stderr += `${e.message}\n`; }); // e.g. the process could not start; 'close' follows
    child.send(request, (e) => { if (e) stderr += `cannot send the run: ${e.message}\n`; });
    sweep.add(child);
    board.add(id);
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      board.write(id, d);
    });
    child.on('close', (code) => {
      board.remove(id);
      sweep.remove(child);
      resolve({ code, stderr, reply });
    });
  });
}

/**
 * What a worker's run came to: its run record is the truth; without one (or without an error in it), the
 * child's reply, else its exit and last words.
 */
function workerOutcome(base: Omit<RunOutcome, 'status'>, end: ChildEnd): RunOutcome {
  const last = end.stderr.trim().split('\n').slice(-3).join(' / ');
  if (!existsSync(join(base.dir, 'run.json'))) {
    return end.reply?.outcome ?? { ...base, status: 'failed', error: `worker exited with ${end.code} before writing a run record: ${last}` };
  }
  const rec = readRunRecord(base.dir);
  if (effectiveStatus(rec) === 'finished') return { ...base, status: 'finished', summary: rec.summary };
  const error = rec.error
    ? `${rec.error.message}${rec.error.where ? ` (at ${rec.error.where})` : ''}${debugMode() && rec.error.stack ? `\n\n${rec.error.stack}` : ''}`
    : end.reply?.outcome.error ?? `worker exited with ${end.code}: ${last}`;
  return { ...base, status: 'failed', error };
}

const TASKSET = '/usr/bin/taskset';

/**
 * The CPU each worker slot is pinned to: slot i → the i-th CPU this process may use, when there are at least as
 * many CPUs as workers and taskset exists (Linux, util-linux); otherwise undefined (workers float, as before).
 * LEDGERLAB_PIN=0 turns pinning off.
 */
function pinning(jobs: number): number[] | undefined {
  if (process.env.LEDGERLAB_PIN === '0' || process.platform !== 'linux' || !existsSync(TASKSET)) return undefined;
  const cpus = allowedCpus();
  if (!cpus || cpus.length < jobs) return undefined;
  return cpus.slice(0, jobs);
}

/**
 * One planned run in this process: skip it when finished, continue it from its checkpoint when an earlier
 * attempt was interrupted or failed, start it otherwise. Local sweeps and queue workers (lib/cluster) both
 * come through here, so a run gives the same record and metrics wherever it ran.
 */
export async function runOne(spec: { kind: string; name: string }, p: PlannedRun, root: string, environment: unknown, verbose: boolean, kinds: readonly ExperimentKind<unknown>[] = experimentKinds()): Promise<RunOutcome> {
  const kind = getExperimentKind(spec.kind, kinds);
  if (!kind) {
    throw new LedgerLabError({ kind: 'config', code: 'config.unknown_kind', problem: `unknown experiment kind "${spec.kind}"`, where: `run ${p.runId}`, hint: `known kinds: ${kinds.map((k) => k.kind).join(', ')}` });
  }
  const dir = join(root, p.runId);
  const base = { runId: p.runId, dir, seed: p.seed, point: p.point };
  if (existsSync(join(dir, 'run.json'))) {
    const rec = readRunRecord(dir);
    const status = effectiveStatus(rec);
    if (status === 'finished') return { ...base, status: 'skipped', summary: rec.summary };
    if (status === 'running') {
      return { ...base, status: 'failed', error: `already running in pid ${rec.process.pid}` };
    }
    // An interrupted or failed earlier attempt: continue it from its checkpoint rather than start over.
    return execute(kind, resumeRun(dir), p.config, p.seed, true, verbose, base);
  }
  const run = await startRun({ root, runId: p.runId, kind: spec.kind, name: spec.name, config: p.config, seeds: [p.seed], environment });
  return execute(kind, run, p.config, p.seed, false, verbose, base);
}

async function execute(
  kind: ExperimentKind<unknown>,
  run: Awaited<ReturnType<typeof startRun>>,
  config: unknown,
  seed: number,
  resume: boolean,
  verbose: boolean,
  base: Omit<RunOutcome, 'status'>,
): Promise<RunOutcome> {
  try {
    const summary = await kind.run({ config, seed, run, resume, verbose });
    run.finish(summary);
    return { ...base, status: 'finished', summary };
  } catch (err) {
    run.fail(err);
    return { ...base, status: 'failed', error: formatError(err) };
  }
}

/** `ledgerlab run --resume RUN`: continue one interrupted run with its recorded config and seed. */
export async function resumeExperimentRun(dir: string, verbose = false, kinds: readonly ExperimentKind<unknown>[] = experimentKinds()): Promise<RunOutcome> {
  const rec = readRunRecord(dir);
  const kind = getExperimentKind(rec.kind, kinds);
  if (!kind) throw new LedgerLabError({ kind: 'config', problem: `run ${rec.runId} has unknown kind "${rec.kind}"`, where: join(dir, 'run.json') });
  const config = kind.configSchema.parse(rec.config, `${join(dir, 'run.json')} (config)`);
  const run = resumeRun(dir);
  return execute(kind, run, config, rec.seeds[0], true, verbose, { runId: rec.runId, dir, seed: rec.seeds[0], point: {} });
}
