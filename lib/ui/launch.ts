/**
 * Starting, cancelling and resuming runs from the page, through the same code path as the terminal: the
 * launch is validated here (every problem with its config path, so the form can show it at the field),
 * written as an experiment file under <root>/launches/, and run by a child `ledgerlab run FILE --root ROOT`.
 * Cancel sends SIGINT to the process that owns the run, which records it "interrupted" (lib/results/run.ts)
 * and leaves its checkpoint, so `resume` (`ledgerlab run --resume ID`) continues it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, relative } from 'node:path';
import { LedgerLabError } from '../errors.ts';
import { planExperimentData, ExperimentFileSchema, experimentKinds, getExperimentKind, planExperiment } from '../experiments/index.ts';
import { paths } from '../paths.ts';
import { formatPath, parseConfigText, readTextFile, type Issue } from '../config/index.ts';
import { findRuns } from '../results/index.ts';
import { childEnv } from '../util/index.ts';
import { runById, runDir, RUN_ID } from './run-dirs.ts';
import { verifiedRunPid } from './run-process.ts';
import { describeSchema } from './form.ts';

export interface LaunchRequest {
  kind: string;
  name: string;
  seeds?: number[];
  sweep?: Record<string, unknown[]>;
  config: unknown;
  description?: string;
}

export interface FieldIssue { path: string; message: string }

/**
 * A launch that does not validate: a LedgerLabError with code "launch.invalid" and every issue with its path
 * (the page shows each at its field, by the dotted path of fieldIssues).
 */
export function launchInvalid(issues: readonly Issue[]): LedgerLabError {
  const text = issues.map((i) => `${formatPath(i.path)}: ${i.message}`).join('; ');
  return new LedgerLabError({ kind: 'config', code: 'launch.invalid', issues, problem: `${issues.length} invalid value${issues.length === 1 ? '' : 's'}: ${text}` });
}

/** The issues of a failed launch by dotted path ("config.train.steps"), as the page's form wants them. */
export const fieldIssues = (err: LedgerLabError): FieldIssue[] => err.issues.map((i) => ({ path: formatPath(i.path), message: i.message }));

export interface Launch { id: string; file: string; runIds: string[]; pid?: number; log: string; exitCode?: number | null }

export interface ExperimentFileInfo { file: string; kind: string; name: string; description?: string; seeds: number[]; sweep: Record<string, unknown[]>; config: unknown; launchable: boolean }

export class Launcher {
  private readonly launches = new Map<string, { launch: Launch; child?: ChildProcess }>();
  readonly dir: string;
  private readonly root: string;
  private readonly experimentDirs: string[];

  constructor(root: string, experimentDirs: string[] = [paths.experiments]) {
    this.root = root;
    this.experimentDirs = experimentDirs;
    this.dir = join(root, 'launches');
  }

  /** Experiment files the page can start from (JSON and YAML files in the experiment folders). */
  experimentFiles(): ExperimentFileInfo[] {
    const out: ExperimentFileInfo[] = [];
    for (const dir of this.experimentDirs) {
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir).filter((x) => /\.(json|ya?ml)$/.test(x)).sort()) {
        const file = join(dir, f);
        try {
          const spec = ExperimentFileSchema.parse(parseConfigText(readTextFile(file, 'experiment file'), file), file);
          out.push({ file, kind: spec.kind, name: spec.name, ...(spec.description ? { description: spec.description } : {}), seeds: spec.seeds, sweep: spec.sweep, config: spec.config, launchable: !!getExperimentKind(spec.kind) });
        } catch {
          // A broken file is reported when it is launched, not by hiding the others.
        }
      }
    }
    return out;
  }

  /** Every launchable kind with its config form. */
  kinds() {
    return experimentKinds().map((k) => ({ kind: k.kind, summary: k.summary, form: describeSchema(k.configSchema) }));
  }

  /** Validates a launch; returns the planned run ids, or throws launchInvalid(issues) with every issue by path. */
  validate(req: LaunchRequest): { spec: unknown; runIds: string[] } {
    const issues: Issue[] = [];
    const envelope = { kind: req.kind, name: req.name, ...(req.description ? { description: req.description } : {}), seeds: req.seeds ?? [0], sweep: req.sweep ?? {}, config: req.config ?? {} };
    ExperimentFileSchema.check(envelope, [], issues);
    const kind = typeof req.kind === 'string' ? getExperimentKind(req.kind) : undefined;
    if (!kind) issues.push({ path: ['kind'], message: `unknown experiment kind ${JSON.stringify(req.kind)}; known: ${experimentKinds().map((k) => k.kind).join(', ')}` });
    else if (!Object.keys(envelope.sweep).length) kind.configSchema.check(envelope.config, ['config'], issues);
    if (issues.length) throw launchInvalid(issues);
    // Sweeps (and anything the per-point check misses) go through the runner's own planner, on the data.
    try {
      return { spec: envelope, runIds: planExperimentData(envelope, { source: 'launch' }).runs.map((r) => r.runId) };
    } catch (err) {
      if (!(err instanceof LedgerLabError)) throw err;
      throw launchInvalid(err.issues.length ? err.issues : [{ path: ['config'], message: err.problem }]);
    }
  }

  /** Validates, writes the experiment file and starts `ledgerlab run` on it. Nothing starts when invalid. */
  start(req: LaunchRequest): Launch {
    const { spec, runIds } = this.validate(req);
    const running = runIds.filter((id) => this.statusOf(id) === 'running');
    if (running.length) throw launchInvalid([{ path: ['name'], message: `run ${running[0]} is already running` }]);
    const id = `${req.name}-${new Date().toISOString().replace(/[-:.]/g, '').replace('T', '-').slice(0, 17)}`;
    const file = join(this.dir, `${id}.json`);
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(file, JSON.stringify(spec, null, 2) + '\n');
    return this.spawnCli(id, ['run', file, '--root', this.root], relative(this.root, file), runIds);
  }

  /** `ledgerlab run --resume ID`: continues an interrupted or failed run from its checkpoint. */
  resume(runId: string): Launch {
    // By folder name under the root only (findRuns would also take a path relative to the server's cwd).
    const e = runById(this.root, runId);
    if (e.status === 'running' || e.status === 'finished') throw new LedgerLabError({ kind: 'usage', problem: `run ${runId} is ${e.status}; only interrupted or failed runs resume`, where: e.dir });
    const id = `resume-${runId}-${Date.now()}`;
    return this.spawnCli(id, ['run', '--resume', runId, '--root', this.root], '', [runId]);
  }

  /** `ledgerlab ARGS` in a child process, its output in <root>/launches/<id>.log. */
  private spawnCli(id: string, args: string[], file: string, runIds: string[]): Launch {
    mkdirSync(this.dir, { recursive: true });
    const log = join(this.dir, `${id}.log`);
    const fd = openSync(log, 'a');
    const child = spawn(process.execPath, [join(paths.root, 'bin', 'ledgerlab.js'), ...args], { stdio: ['ignore', fd, fd], env: childEnv({ LEDGERLAB_RESULTS: this.root }) });
    closeSync(fd); // the child has its own copy
    const launch: Launch = { id, file, runIds, pid: child.pid, log: relative(this.root, log) };
    this.launches.set(id, { launch, child });
    child.on('exit', (code) => { launch.exitCode = code; });
    return launch;
  }

  /** A run not yet on disk but planned by a live launch is "pending". */
  statusOf(runId: string): string | undefined {
    const dir = runDir(this.root, runId);
    if (dir) return findRuns([dir], this.root)[0].status;
    return this.pendingLaunch(runId) ? 'pending' : undefined;
  }

  pendingLaunch(runId: string): Launch | undefined {
    for (const { launch } of this.launches.values()) if (launch.runIds.includes(runId) && launch.exitCode === undefined) return launch;
    return undefined;
  }

  /**
   * SIGINT to the process running `runId` — only when run.json's pid and start time name that very live
   * process (run-process.ts) — or to the child this server started that will run it. The run records itself as
   * interrupted; the caller watches the status.
   */
  cancel(runId: string): { signalled: number } {
    if (!RUN_ID.test(runId)) throw new LedgerLabError({ kind: 'usage', problem: `no run "${runId}"`, where: this.root });
    const dir = runDir(this.root, runId);
    if (dir) {
      const [e] = findRuns([dir], this.root);
      if (e.status !== 'running') throw new LedgerLabError({ kind: 'usage', problem: `run ${runId} is ${e.status}, not running`, where: dir });
      if (e.record.process.host !== hostname()) throw new LedgerLabError({ kind: 'usage', problem: `run ${runId} runs on host ${e.record.process.host}, not here`, where: dir });
      const pid = verifiedRunPid(e);
      process.kill(pid, 'SIGINT');
      return { signalled: pid };
    }
    const pending = this.pendingLaunch(runId);
    const child = pending ? this.launches.get(pending.id)?.child : undefined;
    if (!child?.pid) throw new LedgerLabError({ kind: 'usage', problem: `no run "${runId}"`, where: this.root });
    child.kill('SIGINT');
    return { signalled: child.pid };
  }

  /** Stops launches still running when the server closes (they record themselves interrupted). */
  stopAll(): void {
    for (const { launch, child } of this.launches.values()) if (launch.exitCode === undefined) child?.kill('SIGINT');
  }
}
