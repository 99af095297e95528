/**
 * From drift runs (one per scenario × seed; finished, or still running for a live view) to curves: per
 * (scenario, method) and cycle, the held-out scores pooled over seeds × examples with bootstrap intervals,
 * the current-window scores, regressions, hallucination and length; the change detectors on the pooled
 * series; the worst per-example regressions; and a verdict sentence generated from these numbers.
 * Everything is read from metrics.jsonl (cycle lines) and predictions/<method>/cycle-NNNN.jsonl, which a
 * running process writes before its line, so a run in progress aggregates like a finished one.
 *
 * @example
 * const agg = aggregateDrift(findRuns(['drift-quick']));
 * agg.curves[0].points.at(-1).heldOut['rouge-l']   // {mean, lo, hi, n, ...}
 * agg.curves[0].cusum.alarm                          // cycle where degradation was flagged
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  bootstrapCI, bootstrapIndices, pairedBootstrap, type BootstrapCI, type PairedBootstrap, ZH_KEYS, diversityScores,
  type DiversityScores,
} from '../../metrics/index.ts';
import { readJsonl, type RunEntry } from '../../results/index.ts';
import { LedgerLabError } from '../../errors.ts';
import type { DriftConfig } from './config.ts';
import { cycleLines, predictionsPath, type CycleLine, type DriftItem } from './kind.ts';
import { cusumDetect, bootstrapDetect, type ChangeDetection } from './detect.ts';

export interface CurvePoint {
  cycle: number;
  severity: number;
  /** Seeds that reached this cycle. */
  seeds: number;
  /** Pooled over (seed, held-out example), bootstrap 95% interval. */
  heldOut: Record<string, BootstrapCI>;
  /** distinct-1/2 and repetition of the held-out predictions pooled over seeds. */
  diversity: DiversityScores;
  /** Mean over seeds of the current-window scores (their per-run intervals are in metrics.jsonl). */
  window: Record<string, number>;
  regressions: number;
  hallucination: number;
  lengthRatio: number;
  trainLoss: number;
}

export interface RegressionExample {
  seed: number;
  id: string;
  source: string;
  reference: string;
  before: string;
  after: string;
  scoreBefore: number;
  scoreAfter: number;
  cycle: number;
}

export interface DriftCurve {
  scenario: string;
  method: string;
  metric: string;
  onset: number;
  points: CurvePoint[];
  cusum: ChangeDetection;
  bootstrap?: ChangeDetection;
  /** Largest drops of the watched metric from cycle 0 to the last cycle. */
  regressions: RegressionExample[];
}

export interface DriftAggregate {
  runs: { runId: string; seed: number; scenario: string; status: string; cycles: number; dir: string }[];
  metric: string;
  curves: DriftCurve[];
  /** Last common cycle, each method vs the first method (e.g. qlora − lora), paired over (seed, example). */
  versus: { scenario: string; a: string; b: string; cycle: number; diff: PairedBootstrap }[];
  verdict: string;
}

export interface AggregateDriftOptions {
  /** Also use runs that are running or were interrupted (the notebook's live view). Default false. */
  includeUnfinished?: boolean;
  /** Regression examples kept per curve (default 3). */
  examples?: number;
  resamples?: number;
}

const mean = (xs: readonly number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

export function aggregateDrift(entries: readonly RunEntry[], o: AggregateDriftOptions = {}): DriftAggregate {
  const use = entries.filter((e) => e.record.kind === 'drift' && (e.status === 'finished' || (o.includeUnfinished && e.status !== 'failed')));
  const withLines = use.map((e) => ({ e, lines: cycleLines(join(e.dir, e.record.artifacts.metrics ?? 'metrics.jsonl')) })).filter((x) => x.lines.length > 0);
  if (withLines.length === 0) {
    throw new LedgerLabError({
      kind: 'usage', problem: `no ${o.includeUnfinished ? '' : 'finished '}drift runs with cycles to aggregate`,
      where: entries.map((e) => e.dir).join(', ') || '(none)', hint: 'run `ledgerlab run experiments/drift-quick.json` first',
    });
  }
  const cfg = (e: RunEntry) => e.record.config as DriftConfig;
  const metric = cfg(withLines[0]!.e).detect.metric;
  const resamples = o.resamples ?? 1000;
  const runs = withLines.map(({ e, lines }) => ({ runId: e.record.runId, seed: e.record.seeds[0]!, scenario: cfg(e).scenario.name, status: e.status, cycles: Math.max(...lines.map((l) => l.cycle)) + 1, dir: e.dir }));

  const curves: DriftCurve[] = [];
  const versus: DriftAggregate['versus'] = [];
  const scenarios = [...new Set(runs.map((r) => r.scenario))];
  for (const scenario of scenarios) {
    const group = withLines.filter(({ e }) => cfg(e).scenario.name === scenario);
    const c0 = cfg(group[0]!.e);
    const methods = c0.methods.map((m) => m.name);
    // Cycles every run of the group has reached, so each point pools the same seeds.
    const upTo = Math.min(...group.map(({ lines }) => Math.max(...lines.map((l) => l.cycle)) + 1));
    const itemsAt = new Map<string, DriftItem[]>();
    const items = (dir: string, method: string, cycle: number) => {
      const key = `${dir}|${method}|${cycle}`;
      if (!itemsAt.has(key)) {
        const p = predictionsPath(dir, method, cycle);
        itemsAt.set(key, existsSync(p) ? readJsonl<DriftItem>(p) : []);
      }
      return itemsAt.get(key)!;
    };
    for (const method of methods) {
      const points: CurvePoint[] = [];
      const series: { cycle: number; mean: number; values: number[] }[] = [];
      for (let cycle = 0; cycle < upTo; cycle++) {
        const ls = group.map(({ lines }) => lines.find((l) => l.cycle === cycle && l.method === method)).filter((l): l is CycleLine => !!l);
        if (ls.length !== group.length) continue;
        const pooled = group.flatMap(({ e }) => items(e.dir, method, cycle));
        if (pooled.length === 0) continue;
        const idx = bootstrapIndices(pooled.length, resamples, `drift:${scenario}:${method}:${cycle}`);
        points.push({
          cycle, severity: ls[0]!.severity, seeds: ls.length,
          heldOut: Object.fromEntries(ZH_KEYS.map((k) => [k, bootstrapCI(pooled.map((it) => it[k]), {}, idx)])),
          diversity: diversityScores(pooled.map((it) => it.prediction), 'zh'),
          window: Object.fromEntries(ZH_KEYS.map((k) => [k, mean(ls.map((l) => l.window[k]?.mean ?? NaN))])),
          regressions: mean(ls.map((l) => l.regressions)),
          hallucination: mean(ls.map((l) => l.hallucination.rate)),
          lengthRatio: mean(ls.map((l) => l.length.ratio)),
          trainLoss: mean(ls.map((l) => l.trainLoss)),
        });
        const values = pooled.map((it) => it[metric as keyof DriftItem] as number);
        series.push({ cycle, mean: mean(values), values });
      }
      const d = c0.detect;
      const watched = series.filter((p) => p.cycle >= (d.warmup ?? 0));
      const cusum = cusumDetect(watched, d);
      const bootstrap = watched.length > d.baseline ? bootstrapDetect(watched, { baseline: d.baseline, persist: 3, resamples: Math.min(resamples, 400), seed: `${scenario}:${method}` }) : undefined;
      const regressions = regressionExamples(group.map(({ e }) => e), (dir, cycle) => items(dir, method, cycle), metric, points.at(-1)?.cycle ?? 0);
      curves.push({ scenario, method, metric, onset: c0.scenario.onset, points, cusum, ...(bootstrap ? { bootstrap } : {}), regressions: regressions.slice(0, o.examples ?? 3) });
    }
    // Each other method against the first, at the last cycle all of them reached.
    const lastCommon = Math.min(...curves.filter((c) => c.scenario === scenario).map((c) => c.points.at(-1)?.cycle ?? -1));
    if (lastCommon >= 0) {
      for (const other of methods.slice(1)) {
        const a = group.flatMap(({ e }) => items(e.dir, other, lastCommon));
        const b = group.flatMap(({ e }) => items(e.dir, methods[0]!, lastCommon));
        if (a.length && a.length === b.length) {
          versus.push({ scenario, a: other, b: methods[0]!, cycle: lastCommon, diff: pairedBootstrap(a.map((x) => x[metric as keyof DriftItem] as number), b.map((x) => x[metric as keyof DriftItem] as number), { seed: `drift:versus:${scenario}:${other}`, resamples }) });
        }
      }
    }
  }
  const agg: DriftAggregate = { runs, metric, curves, versus, verdict: '' };
  agg.verdict = verdictOf(agg);
  return agg;
}

/** Held-out items that scored worse at cycle `last` than at cycle 0, worst drop first. */
function regressionExamples(runs: readonly RunEntry[], items: (dir: string, cycle: number) => DriftItem[], metric: string, last: number): RegressionExample[] {
  const regressions: RegressionExample[] = [];
  if (last > 0) {
    for (const e of runs) {
      const a = items(e.dir, 0);
      const b = items(e.dir, last);
      a.forEach((x, i) => {
        const y = b[i];
        if (!y || y.id !== x.id) return;
        const before = x[metric as keyof DriftItem] as number;
        const after = y[metric as keyof DriftItem] as number;
        if (after < before) regressions.push({ seed: e.record.seeds[0]!, id: x.id, source: x.source, reference: x.reference, before: x.prediction, after: y.prediction, scoreBefore: before, scoreAfter: after, cycle: last });
      });
    }
  }
  return regressions.sort((p, q) => (p.scoreAfter - p.scoreBefore) - (q.scoreAfter - q.scoreBefore) || (p.id < q.id ? -1 : 1));
}

const f1 = (x: number) => x.toFixed(1);
const ci = (c: BootstrapCI) => `${f1(c.mean)} [${f1(c.lo)}, ${f1(c.hi)}]`;

/** One sentence per curve, then the method comparisons; generated from the aggregate. */
export function verdictOf(a: DriftAggregate): string {
  const parts: string[] = [];
  for (const c of a.curves) {
    if (!c.points.length) continue;
    const first = c.points[0]!;
    const last = c.points.at(-1)!;
    const peak = c.points.reduce((p, q) => (q.heldOut[c.metric]!.mean > p.heldOut[c.metric]!.mean ? q : p), first);
    const where = c.cusum.alarm !== undefined
      ? `CUSUM flags a degradation at cycle ${c.cusum.alarm} (estimated start: cycle ${c.cusum.changePoint}; the scenario's drift starts at cycle ${c.onset})`
      : `no degradation flagged by CUSUM over ${c.points.length} cycles`;
    const boot = c.bootstrap?.alarm !== undefined ? `; the paired bootstrap against the first cycles agrees from cycle ${c.bootstrap.alarm}` : '';
    parts.push(`${c.scenario} / ${c.method}: held-out ${c.metric} ${ci(first.heldOut[c.metric]!)} at cycle ${first.cycle}, peak ${f1(peak.heldOut[c.metric]!.mean)} at cycle ${peak.cycle}, ${ci(last.heldOut[c.metric]!)} at cycle ${last.cycle}; ${where}${boot}.`);
  }
  for (const v of a.versus) {
    const sig = v.diff.lo > 0 || v.diff.hi < 0;
    parts.push(`${v.scenario}, cycle ${v.cycle}: ${v.a} − ${v.b} = ${v.diff.diff.toFixed(1)} [${v.diff.lo.toFixed(1)}, ${v.diff.hi.toFixed(1)}] ${a.metric} (paired over ${v.diff.n} items): ${sig ? 'a real difference at this size' : 'no difference this run can resolve'}.`);
  }
  return parts.join(' ');
}
