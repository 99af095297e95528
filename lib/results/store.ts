/**
 * Reading results back: list run folders and find runs by reference (JSON-lines reading is util/jsonl.ts).
 * One unreadable run.json (empty, cut short, foreign) must not hide every other run: listings skip it with a
 * warning naming the file, while a reference that names exactly that run still gets its located error.
 */
import { existsSync, readdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { LedgerLabError, isLedgerLabError } from '../errors.ts';
import { readRunRecord } from './run.ts';
import { effectiveStatus, RUN_STATUSES, type RunRecord, type RunStatus } from './run-record.ts';
import { suggest } from '../config/index.ts';

export interface RunEntry {
  dir: string;
  record: RunRecord;
  /** Status as a reader should believe it (a dead "running" run is "interrupted"). */
  status: RunStatus;
}

/** A run folder whose run.json could not be read: its folder and the located error it gives. */
export interface SkippedRun {
  dir: string;
  error: LedgerLabError;
}

export interface ListRunsOptions {
  /** Called once per unreadable run.json; default: a `warning:` line on stderr (once per file per process). */
  onSkip?: (skipped: SkippedRun) => void;
}

const warned = new Set<string>();

function warnSkipped({ dir, error }: SkippedRun): void {
  const path = join(dir, 'run.json');
  if (warned.has(path)) return;
  warned.add(path);
  console.error(`warning: skipping run ${basename(dir)}: ${error.problem} (at ${error.where ?? path})`);
}

/** Every readable run under `root` (newest first) and the run folders whose run.json is unreadable. */
export function scanRuns(root = 'results'): { entries: RunEntry[]; skipped: SkippedRun[] } {
  const abs = resolve(root);
  const entries: RunEntry[] = [];
  const skipped: SkippedRun[] = [];
  if (!existsSync(abs)) return { entries, skipped };
  for (const name of readdirSync(abs)) {
    const dir = join(abs, name);
    if (!existsSync(join(dir, 'run.json'))) continue;
    try {
      const record = readRunRecord(dir);
      entries.push({ dir, record, status: effectiveStatus(record) });
    } catch (err) {
      if (!isLedgerLabError(err)) throw err;
      skipped.push({ dir, error: err });
    }
  }
  entries.sort((a, b) => b.record.startedAt.localeCompare(a.record.startedAt));
  return { entries, skipped };
}

/**
 * Every run under `root` (newest first). Folders without run.json are skipped silently; a corrupt or empty
 * run.json is skipped with a warning naming it (see `ListRunsOptions.onSkip`).
 */
export function listRuns(root = 'results', opts: ListRunsOptions = {}): RunEntry[] {
  const { entries, skipped } = scanRuns(root);
  for (const s of skipped) (opts.onSkip ?? warnSkipped)(s);
  return entries;
}

/**
 * Resolves run references: a run folder path, an exact run id under `root`, or an id prefix (all matching
 * runs, e.g. every run of a sweep). An unmatched reference is an error naming it.
 */
export function findRuns(refs: readonly string[], root = 'results', opts: ListRunsOptions = {}): RunEntry[] {
  const { entries: all, skipped } = scanRuns(root);
  let warnedHere = false;
  const out: RunEntry[] = [];
  for (const ref of refs) {
    const abs = resolve(ref);
    if (existsSync(join(abs, 'run.json'))) {
      const record = readRunRecord(abs); // names the file when it is unreadable
      out.push(all.find((e) => e.dir === abs) ?? { dir: abs, record, status: effectiveStatus(record) });
      continue;
    }
    // A reference naming exactly an unreadable run is refused with that run's own error.
    const broken = skipped.find((sk) => basename(sk.dir) === ref);
    if (broken) throw broken.error;
    if (!warnedHere) {
      for (const sk of skipped) (opts.onSkip ?? warnSkipped)(sk);
      warnedHere = true;
    }
    const exact = all.filter((e) => e.record.runId === ref);
    const matches = exact.length ? exact : all.filter((e) => e.record.runId.startsWith(ref));
    if (matches.length === 0) {
      throw new LedgerLabError({ kind: 'usage', problem: `no run matches "${ref}"`, where: resolve(root), hint: '`ledgerlab runs` lists run ids' });
    }
    out.push(...matches.slice().reverse());
  }
  return [...new Map(out.map((e) => [e.dir, e])).values()];
}

/** Statuses `--filter status=` accepts: a record's, and "queued" (a run on a job queue, results/queued.ts). */
export const LISTED_STATUSES = [...RUN_STATUSES, 'queued'] as const;

/** The keys `--filter` accepts besides `config.<dotted.path>`. */
export const FILTER_KEYS = ['kind', 'name', 'status', 'runId', 'configSha256', 'resumedFrom', 'resumes'] as const;

/**
 * `key=value` filters over kind, name, status and config paths (`config.train.lr=0.001`). An unknown key or
 * a status that no run can have is a usage error listing what is valid (it would silently match nothing).
 */
export function filterRuns(entries: readonly RunEntry[], filters: readonly string[]): RunEntry[] {
  return filterBy(entries, filters, (e, key) => (key === 'status' ? e.status : key === 'config' ? e.record.config : (e.record as Record<string, unknown>)[key]));
}

/** The same filters over anything with fields (queued runs too): `field(item, 'config')` gives the config. */
export function filterBy<T>(items: readonly T[], filters: readonly string[], field: (item: T, key: string) => unknown): T[] {
  const parsed = filters.map((f) => {
    const eq = f.indexOf('=');
    if (eq <= 0) throw new LedgerLabError({ kind: 'usage', problem: `filter "${f}" is not of the form key=value`, where: '--filter', hint: `keys: ${FILTER_KEYS.join(', ')}, config.<dotted.path>` });
    const key = f.slice(0, eq);
    const value = f.slice(eq + 1);
    if (!(FILTER_KEYS as readonly string[]).includes(key) && !/^config\.[^.]+(\.[^.]+)*$/.test(key)) {
      const near = suggest(key, [...FILTER_KEYS]);
      throw new LedgerLabError({ kind: 'usage', problem: `unknown filter key "${key}"`, where: '--filter', hint: `${near ? `did you mean "${near}"? ` : ''}valid keys: ${FILTER_KEYS.join(', ')}, config.<dotted.path>` });
    }
    if (key === 'status' && !(LISTED_STATUSES as readonly string[]).includes(value)) {
      throw new LedgerLabError({ kind: 'usage', problem: `unknown status "${value}"`, where: `--filter ${f}`, hint: `valid statuses: ${LISTED_STATUSES.join(', ')}` });
    }
    return { key, value };
  });
  return items.filter((e) =>
    parsed.every(({ key, value }) => {
      const v = key.startsWith('config.') ? configValue(field(e, 'config'), key.slice(7)) : field(e, key);
      return v !== undefined && (typeof v === 'string' ? v : JSON.stringify(v)) === value;
    }),
  );
}

function configValue(config: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (o && typeof o === 'object' ? (o as Record<string, unknown>)[k] : undefined), config);
}
