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
import { join } from 'node:path';
import { LedgerLabError, formatError } from '../errors.ts';
import { paths } from '../paths.ts';
import { startRun, resumeRun, readRunRecord } from '../results/run.ts';
import { effectiveStatus } from '../results/run-record.ts';
import { environmentReport } from '../runtime/env.ts';
import { planExperiment, type ExperimentPlan, type PlannedRun } from './spec.ts';
import { getExperimentKind } from './kind.ts';

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
}

export async function runExperiment(file: string, opts: RunExperimentOptions = {}): Promise<ExperimentOutcome> {
  const plan = planExperiment(file, opts.set ?? []);
  const root = opts.root ?? paths.results;
  const environment = await environmentReport();
  const outcomes: RunOutcome[] = [];
  for (const planned of plan.runs) {
    const o = await runOne(plan, planned, root, environment, opts.verbose ?? false);
    outcomes.push(o);
    opts.onRun?.(o);
  }
  return { plan, outcomes, failed: outcomes.filter((o) => o.status === 'failed') };
}

async function runOne(plan: ExperimentPlan, p: PlannedRun, root: string, environment: unknown, verbose: boolean): Promise<RunOutcome> {
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
    return execute(plan.kind.kind, resumeRun(dir), p.config, p.seed, true, verbose, base);
  }
  const run = await startRun({ root, runId: p.runId, kind: plan.spec.kind, name: plan.spec.name, config: p.config, seeds: [p.seed], environment });
  return execute(plan.kind.kind, run, p.config, p.seed, false, verbose, base);
}

async function execute(
  kindName: string,
  run: Awaited<ReturnType<typeof startRun>>,
  config: unknown,
  seed: number,
  resume: boolean,
  verbose: boolean,
  base: Omit<RunOutcome, 'status'>,
): Promise<RunOutcome> {
  const kind = getExperimentKind(kindName)!;
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
export async function resumeExperimentRun(dir: string, verbose = false): Promise<RunOutcome> {
  const rec = readRunRecord(dir);
  const kind = getExperimentKind(rec.kind);
  if (!kind) throw new LedgerLabError({ kind: 'config', problem: `run ${rec.runId} has unknown kind "${rec.kind}"`, where: join(dir, 'run.json') });
  const config = kind.configSchema.parse(rec.config, `${join(dir, 'run.json')} (config)`);
  const run = resumeRun(dir);
  return execute(rec.kind, run, config, rec.seeds[0], true, verbose, { runId: rec.runId, dir, seed: rec.seeds[0], point: {} });
}
