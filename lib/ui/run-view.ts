/**
 * What the pages show about runs, read from the run folders (the record is the truth): one-line summaries
 * for the runs table, and a run's detail — config, record, metric curves, per-example predictions, artefacts,
 * progress with an ETA for a run that is still going. A run.json comes from outside (anyone who can write the
 * results root): the files it names are read only when their real path stays inside the run folder, and a
 * malformed line is a located warning beside the rest, never a failed page.
 */
import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { flatten, summaryMetrics, type RunEntry } from '../results/index.ts';
import { resolveInside } from './files.ts';
import { collectLines, digestMetrics, type MetricsDigest } from './metrics.ts';
import type { LineProblem } from './jsonl-follow.ts';

export interface RunSummary {
  id: string;
  kind: string;
  name: string;
  status: string;
  seeds: number[];
  startedAt: string;
  endedAt?: string;
  /** A few headline numbers from the summary (scores first). */
  metrics: Record<string, number>;
  error?: string;
}

/** Headline metrics: scores and losses when the kind has them, else the first numeric summary values. */
export function keyMetrics(summary: unknown, max = 5): Record<string, number> {
  const all = summaryMetrics(summary);
  const keys = Object.keys(all);
  const preferred = keys.filter((k) => /^scores\.|^(evalLoss|lastLoss|perplexity|speedup|ratio)$|capturedShare$/.test(k));
  const pick = (preferred.length ? preferred : keys).slice(0, max);
  return Object.fromEntries(pick.map((k) => [k, all[k]]));
}

export function runSummary(e: RunEntry): RunSummary {
  const r = e.record;
  return {
    id: r.runId, kind: r.kind, name: r.name, status: e.status, seeds: r.seeds, startedAt: r.startedAt,
    ...(r.endedAt ? { endedAt: r.endedAt } : {}), metrics: keyMetrics(r.summary),
    ...(r.error ? { error: r.error.message } : {}),
  };
}

/**
 * The real path of the file a record's `artifacts[key]` names (default `fallback`), or undefined when it is
 * absent; a path leading out of the run folder (`..`, absolute, a symlink out) is a warning and is not read.
 */
export function artifactFile(e: RunEntry, key: string, fallback: string | undefined, warnings: LineProblem[]): string | undefined {
  const rel = e.record.artifacts[key] ?? fallback;
  if (rel === undefined) return undefined;
  const r = resolveInside(e.dir, rel);
  if (r.status === 403) warnings.push({ where: `run.json artifacts.${key}`, message: `"${rel}" leads outside the run folder; not read` });
  return r.status === 200 ? r.path : undefined;
}

/** The run's metric lines digested (curves, recent steps, count), with any problem as a located warning. */
export async function runMetrics(e: RunEntry): Promise<{ digest: MetricsDigest; warnings: LineProblem[] }> {
  const warnings: LineProblem[] = [];
  const path = artifactFile(e, 'metrics', 'metrics.jsonl', warnings);
  const digest = await digestMetrics(path, `${e.record.runId}/${e.record.artifacts.metrics ?? 'metrics.jsonl'}`);
  return { digest, warnings: [...warnings, ...digest.warnings] };
}

/** The metric lines `keep` accepts (a simulate cell's seeds), bounded, with malformed lines as warnings. */
export async function selectMetricLines(e: RunEntry, keep: (l: Record<string, unknown>) => boolean) {
  const warnings: LineProblem[] = [];
  const path = artifactFile(e, 'metrics', 'metrics.jsonl', warnings);
  const r = await collectLines(path, `${e.record.runId}/${e.record.artifacts.metrics ?? 'metrics.jsonl'}`, keep);
  return { lines: r.lines, warnings: [...warnings, ...r.warnings] };
}

/** Training steps the config asks for (train.steps for finetune, trainSteps for speedup), if known. */
export function plannedSteps(config: unknown): number | undefined {
  const f = flatten(config);
  const v = f['train.steps'] ?? f.trainSteps ?? f.steps;
  return typeof v === 'number' ? v : undefined;
}

export interface Progress {
  step: number;
  total?: number;
  fraction?: number;
  /** Seconds to go, from the mean time per step so far. */
  etaSeconds?: number;
}

export function progressOf(config: unknown, lines: readonly Record<string, unknown>[]): Progress {
  const steps = lines.filter((l) => typeof l.step === 'number' && typeof l.loss === 'number');
  const total = plannedSteps(config);
  const step = steps.length ? (steps[steps.length - 1].step as number) : 0;
  const out: Progress = { step, ...(total ? { total, fraction: Math.min(1, step / total) } : {}) };
  if (total && steps.length >= 2) {
    // The recent pace (last 20 logged steps), so a resume gap or a slow first step does not skew it.
    const from = steps[Math.max(0, steps.length - 21)];
    const t0 = Date.parse(String(from.time)), t1 = Date.parse(String(steps[steps.length - 1].time));
    const perStep = (t1 - t0) / Math.max(1, step - (from.step as number));
    if (Number.isFinite(perStep)) out.etaSeconds = Math.max(0, ((total - step) * perStep) / 1000);
  }
  return out;
}

export interface Artefact { name?: string; path: string; bytes: number }

/** Every file in the run folder (two levels of subfolders), named where the record names it. */
export function artefacts(e: RunEntry): Artefact[] {
  const named = new Map(Object.entries(e.record.artifacts).map(([k, v]) => [v, k]));
  const realDir = realpathSync(e.dir);
  const out: Artefact[] = [];
  const walk = (dir: string, depth: number) => {
    for (const f of readdirSync(dir).sort()) {
      const p = join(dir, f);
      const size = listedSize(p, realDir, depth < 2 ? () => walk(p, depth + 1) : undefined);
      if (size === undefined || f.includes('.tmp')) continue;
      const rel = relative(e.dir, p);
      out.push({ ...(named.has(rel) ? { name: named.get(rel) } : {}), path: rel, bytes: size });
    }
  };
  walk(e.dir, 0);
  return out;
}

/**
 * The size to list for `p`, or undefined to leave it out: a folder is walked (never through a link), a link
 * is listed only when it leads to a file inside the run folder — a dangling link or one leading out is not.
 */
function listedSize(p: string, realDir: string, walk: (() => void) | undefined): number | undefined {
  const st = lstatSync(p);
  if (st.isDirectory()) { walk?.(); return undefined; }
  if (st.isFile()) return st.size;
  if (!st.isSymbolicLink()) return undefined;
  let real: string;
  try {
    real = realpathSync(p);
  } catch {
    return undefined; // dangling
  }
  if (!real.startsWith(realDir + sep)) return undefined;
  const target = statSync(real);
  return target.isFile() ? target.size : undefined;
}

export interface Predictions { scoreKeys: string[]; rows: Record<string, unknown>[]; truncated?: boolean }

/** Rows shown at most on the run page; the file itself stays one link away. */
const MAX_PREDICTIONS = 5000;

/** predictions.jsonl with its numeric per-example score columns, worst first by the first score. */
export async function predictions(e: RunEntry, warnings: LineProblem[]): Promise<Predictions | undefined> {
  const path = artifactFile(e, 'predictions', undefined, warnings);
  if (!path) return undefined;
  const r = await collectLines(path, `${e.record.runId}/${e.record.artifacts.predictions}`, () => true, MAX_PREDICTIONS);
  warnings.push(...r.warnings);
  const rows = r.lines;
  const scoreKeys = [...new Set(rows.flatMap((row) => Object.entries(row).filter(([, v]) => typeof v === 'number').map(([k]) => k)))];
  const first = scoreKeys[0];
  if (first) rows.sort((a, b) => (a[first] as number) - (b[first] as number));
  return { scoreKeys, rows, ...(r.truncated ? { truncated: true } : {}) };
}
