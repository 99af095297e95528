/**
 * A run's life: `startRun` creates `results/<runId>/` and writes run.json as "running"; the experiment logs
 * metric lines and artefacts; `finish`/`fail` close it. SIGINT/SIGTERM mark it "interrupted" before exiting.
 * Every run.json write is atomic, so a reader never sees a half-written record.
 *
 * @example
 * const run = await startRun({ kind: 'smoke', name: 'lora-tiny', config, seeds: [0] });
 * run.logMetrics({ step: 1, loss: 2.31 });
 * run.writeArtifact('predictions', 'predictions.jsonl', lines.join('\n'));
 * run.finish({ rouge2: 7.1 });
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { LedgerLabError, errorStack } from '../errors.ts';
import { parseJsonText } from '../config/index.ts';
import { sha256Json, appendJsonLine, ownIdentity, writeFileAtomic, writeJsonAtomic } from '../util/index.ts';
import { environmentReport } from '../runtime/index.ts';
import { gitState } from './git.ts';
import { RUN_RECORD_VERSION, RunRecordSchema, effectiveStatus, type RunRecord } from './run-record.ts';
import { runDirIn } from './run-id.ts';

export interface StartRunOptions {
  kind: string;
  name: string;
  config: unknown;
  seeds: number[];
  /** Folder holding run folders; default "results" under the current directory. */
  root?: string;
  /** Environment to record; default: the live `environmentReport()`. */
  environment?: unknown;
  /** Explicit id (default: kind-name-timestamp). */
  runId?: string;
}

const now = () => new Date().toISOString();

function makeRunId(kind: string, name: string): string {
  const stamp = now().replace(/[-:]/g, '').replace(/\.\d+Z$/, '').replace('T', '-');
  const slug = `${kind}-${name}`.toLowerCase().replace(/[^a-z0-9.]+/g, '-').replace(/^-|-$/g, '');
  return `${slug}-${stamp}`;
}

export class Run {
  readonly dir: string;
  record: RunRecord;
  private readonly onSignal: (sig: NodeJS.Signals) => void;

  constructor(dir: string, record: RunRecord) {
    this.dir = dir;
    this.record = record;
    // The handlers stay installed until exit: a second signal (Ctrl-C reaches a process twice when a wrapper
    // forwards it too) must not kill the process mid-write with the default action.
    let closing = false;
    this.onSignal = (sig) => {
      if (closing) return;
      closing = true;
      this.close('interrupted', { error: { message: `received ${sig}`, kind: 'interrupted' } }, true);
      process.exit(sig === 'SIGINT' ? 130 : 143);
    };
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
    this.save();
  }

  get id(): string {
    return this.record.runId;
  }

  get metricsPath(): string {
    return join(this.dir, this.record.artifacts.metrics);
  }

  /** Appends one line to metrics.jsonl (step, loss, lr, tokens/s, ...) and refreshes the heartbeat. */
  logMetrics(line: Record<string, unknown>): void {
    appendJsonLine(this.metricsPath, { time: now(), ...line });
  }

  /** Writes an artefact atomically and records it under `name`. */
  writeArtifact(name: string, relPath: string, data: string | Uint8Array): string {
    const path = join(this.dir, relPath);
    writeFileAtomic(path, data);
    this.addArtifact(name, relPath);
    return path;
  }

  /** Records an artefact written by someone else (e.g. a checkpoint folder). */
  addArtifact(name: string, relPath: string): void {
    this.record.artifacts[name] = relPath;
    this.save();
  }

  heartbeat(): void {
    this.save();
  }

  finish(summary?: unknown): void {
    this.close('finished', { summary });
  }

  fail(err: unknown): void {
    const e = err as LedgerLabError;
    this.close('failed', {
      error: {
        message: e?.problem ?? (err instanceof Error ? err.message : String(err)), where: e?.where, kind: e?.kind ?? 'internal',
        ...(err instanceof LedgerLabError ? { code: err.code, ...(err.issues.length ? { issues: err.issues.map((i) => ({ path: [...i.path], message: i.message })) } : {}) } : {}),
        ...(errorStack(err) ? { stack: errorStack(err) } : {}),
      },
    });
  }

  private close(status: 'finished' | 'failed' | 'interrupted', extra: Partial<RunRecord>, exiting = false): void {
    if (!exiting) {
      process.removeListener('SIGINT', this.onSignal);
      process.removeListener('SIGTERM', this.onSignal);
    }
    this.record = { ...this.record, ...extra, status, endedAt: now() };
    this.save();
  }

  private save(): void {
    this.record.heartbeatAt = now();
    writeJsonAtomic(join(this.dir, 'run.json'), this.record);
  }
}

/** The record's `process`: who runs it, with the start time that tells this process from a later one with its pid. */
function thisProcess(): RunRecord['process'] {
  return { ...ownIdentity(), host: hostname(), argv: process.argv.slice(1) };
}

export async function startRun(opts: StartRunOptions): Promise<Run> {
  const root = resolve(opts.root ?? 'results');
  let runId = opts.runId ?? makeRunId(opts.kind, opts.name);
  if (!opts.runId) for (let i = 2; existsSync(join(root, runId)); i++) runId = `${makeRunId(opts.kind, opts.name)}-${i}`;
  const dir = runDirIn(root, runId, 'run id');
  if (existsSync(join(dir, 'run.json'))) {
    throw new LedgerLabError({ kind: 'io', problem: `run "${runId}" already exists`, where: dir, hint: 'use --resume to continue it, or pick another id' });
  }
  mkdirSync(dir, { recursive: true });
  const git = gitState();
  const record: RunRecord = {
    schemaVersion: RUN_RECORD_VERSION,
    runId,
    kind: opts.kind,
    name: opts.name,
    status: 'running',
    startedAt: now(),
    heartbeatAt: now(),
    process: thisProcess(),
    git: git.commit ? { commit: git.commit, dirty: git.dirty } : { dirty: git.dirty },
    config: opts.config,
    configSha256: sha256Json(opts.config),
    seeds: opts.seeds,
    environment: opts.environment ?? (await environmentReport()),
    artifacts: { metrics: 'metrics.jsonl' },
    resumes: 0,
  };
  return new Run(dir, record);
}

/** Reads and validates a run.json; a corrupt or foreign file is a located error naming it. */
export function readRunRecord(dir: string): RunRecord {
  const path = join(dir, 'run.json');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new LedgerLabError({ kind: 'io', problem: code === 'ENOENT' ? 'no run record here' : `cannot read the run record (${code})`, where: path, cause: err });
  }
  if (text.trim() === '') {
    throw new LedgerLabError({ kind: 'data', problem: 'run record is empty', where: path, hint: 'the run was killed while its folder was created, or the file was truncated: delete the folder or rerun the experiment' });
  }
  let raw: unknown;
  try {
    raw = parseJsonText(text, path);
  } catch (err) {
    const e = err as LedgerLabError;
    throw new LedgerLabError({ kind: 'data', problem: `run record is not valid JSON (${e.problem.replace(/^invalid JSON: /, '')})`, where: e.where, cause: err });
  }
  return RunRecordSchema.parse(raw, path);
}

/**
 * Reopens an interrupted or failed run to continue it in this process. The experiment reloads its own
 * checkpoint; this only flips the record back to "running" and counts the resume.
 */
export function resumeRun(dir: string): Run {
  const record = readRunRecord(dir);
  const status = effectiveStatus(record);
  if (status === 'running' || status === 'finished') {
    throw new LedgerLabError({
      kind: 'usage',
      problem: status === 'running' ? `run ${record.runId} is still running (pid ${record.process.pid})` : `run ${record.runId} already finished`,
      where: dir,
    });
  }
  const { endedAt: _e, error: _x, ...rest } = record;
  return new Run(dir, {
    ...rest,
    status: 'running',
    process: thisProcess(),
    resumes: record.resumes + 1,
  });
}

/**
 * Marks a "running" record whose process is known to be gone as "interrupted", so it can be resumed. Readers
 * can only tell a dead process on their own host (effectiveStatus); a queue worker holding the run's directory
 * lock (lib/cluster) knows it for any host, because the lock's owner stopped refreshing it.
 */
export function markInterrupted(dir: string, message: string): RunRecord {
  const record = readRunRecord(dir);
  if (record.status !== 'running') return record;
  const next: RunRecord = { ...record, status: 'interrupted', endedAt: now(), error: { message, kind: 'interrupted' } };
  writeJsonAtomic(join(dir, 'run.json'), next);
  return next;
}
