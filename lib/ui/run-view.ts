/**
 * What the pages show about runs, read from the run folders (the record is the truth): one-line summaries
 * for the runs table, and a run's detail — config, record, metric lines, per-example predictions, artefacts,
 * progress with an ETA for a run that is still going.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { flatten, readJsonl, summaryMetrics, type RunEntry } from '../results/index.ts';

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

export function metricLines(e: RunEntry): Record<string, unknown>[] {
  const path = join(e.dir, e.record.artifacts.metrics ?? 'metrics.jsonl');
  return existsSync(path) ? readJsonl(path) : [];
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

/** Every file in the run folder (one level of subfolders), named where the record names it. */
export function artefacts(e: RunEntry): Artefact[] {
  const named = new Map(Object.entries(e.record.artifacts).map(([k, v]) => [v, k]));
  const out: Artefact[] = [];
  const walk = (dir: string, depth: number) => {
    for (const f of readdirSync(dir).sort()) {
      const p = join(dir, f);
      const st = statSync(p);
      if (st.isDirectory()) { if (depth < 2) walk(p, depth + 1); continue; }
      if (f.includes('.tmp')) continue;
      const rel = relative(e.dir, p);
      out.push({ ...(named.has(rel) ? { name: named.get(rel) } : {}), path: rel, bytes: st.size });
    }
  };
  walk(e.dir, 0);
  return out;
}

export interface Predictions { scoreKeys: string[]; rows: Record<string, unknown>[] }

/** predictions.jsonl with its numeric per-example score columns, worst first by the first score. */
export function predictions(e: RunEntry): Predictions | undefined {
  const rel = e.record.artifacts.predictions;
  if (!rel || !existsSync(join(e.dir, rel))) return undefined;
  const rows = readJsonl(join(e.dir, rel));
  const scoreKeys = [...new Set(rows.flatMap((r) => Object.entries(r).filter(([, v]) => typeof v === 'number').map(([k]) => k)))];
  const first = scoreKeys[0];
  if (first) rows.sort((a, b) => (a[first] as number) - (b[first] as number));
  return { scoreKeys, rows };
}
