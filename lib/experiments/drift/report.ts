/**
 * The reviewer's view of drift runs: the question, the setup (scenario schedules, methods), held-out ROUGE
 * over cycles with interval bands per method (one chart per scenario) and the current-window curve next to
 * it, the change points, the worst per-example regressions, hallucination and length drift, the generated
 * verdict and the limits. Every number comes from `aggregateDrift` over the run files.
 */
import type { RunEntry } from '../../results/index.ts';
import {
  type ReportPart, lineBandChart, withProvenance, type Chart, chartBlock, paragraph, provenanceBlock, provenanceLine,
  table, type Section,
} from '../../report/index.ts';
import type { Interval } from '../../measure/index.ts';
import { aggregateDrift, type DriftAggregate, type AggregateDriftOptions } from './aggregate.ts';
import type { DriftConfig } from './config.ts';

export const QUESTION = [
  'Benchmarks score a fine-tuned model once, on clean data. In production the model is re-adapted again and again on',
  'whatever data arrives, and that data drifts (new products, new phrasing, other languages) and degrades (wrong labels,',
  'cut-off, duplicated and garbled records). Does ROUGE on a fixed clean held-out set hold, creep down or collapse over',
  'many adaptation cycles, does a 4-bit base (QLoRA) make it worse, and can the degradation be flagged when it starts?',
].join(' ');

export interface DriftCharts {
  /** Held-out metric over cycles, one chart per scenario, one band per method. */
  heldOut: Chart[];
  /** Current-window metric over cycles (what the model sees now), one chart per scenario. */
  window: Chart[];
}

/** Charts of an aggregate (also used by the notebook; `runs` only feeds the provenance line). */
export function driftCharts(a: DriftAggregate, runs: readonly RunEntry[]): DriftCharts {
  const prov = [provenanceLine(runs)];
  const scenarios = [...new Set(a.curves.map((c) => c.scenario))];
  const heldOut: Chart[] = [];
  const window: Chart[] = [];
  for (const sc of scenarios) {
    const cs = a.curves.filter((c) => c.scenario === sc && c.points.length);
    if (!cs.length) continue;
    const alarms = cs.filter((c) => c.cusum.alarm !== undefined).map((c) => `${c.method} flagged at cycle ${c.cusum.alarm} (start ≈ ${c.cusum.changePoint})`);
    heldOut.push(markCycles(withProvenance(lineBandChart({
      title: `Held-out ${a.metric} over adaptation cycles — ${sc}`,
      x: { title: 'adaptation cycle' }, y: { title: a.metric, unit: '×100' }, series: { title: 'method' },
      points: cs.flatMap((c) => c.points.map((p) => ({ x: p.cycle, series: c.method, mean: p.heldOut[a.metric]!.mean, lo: p.heldOut[a.metric]!.lo, hi: p.heldOut[a.metric]!.hi }))),
    }), prov, `Fixed clean held-out set after every cycle; band = 95% bootstrap interval over (seed, example). Drift starts at cycle ${cs[0]!.onset}. ${alarms.length ? `CUSUM: ${alarms.join('; ')}.` : 'CUSUM: no degradation flagged.'} Dotted grey: drift onset; dashed: CUSUM alarms.`), cs[0]!.onset, cs.filter((c) => c.cusum.alarm !== undefined).map((c) => ({ cycle: c.cusum.alarm!, series: c.method }))));
    const wpts = cs.flatMap((c) => c.points.filter((p) => Number.isFinite(p.window[a.metric])).map((p) => ({ x: p.cycle, series: c.method, mean: p.window[a.metric]! })));
    if (wpts.length) {
      window.push(withProvenance(lineBandChart({
        title: `Current-window ${a.metric} over cycles — ${sc}`, x: { title: 'adaptation cycle' }, y: { title: a.metric, unit: '×100' }, series: { title: 'method' }, points: wpts,
      }), prov, 'Unseen records of each cycle\'s own (drifted) window, scored against their own, possibly corrupted, references; mean over seeds.'));
    }
  }
  return { heldOut, window };
}

/**
 * Vertical marks on a line chart: the drift onset (grey, dashed) and each method's CUSUM alarm (in the
 * method's colour), added as extra layers with their own data so the chart's rows stay the curve points.
 */
export function markCycles(chart: Chart, onset: number | undefined, alarms: { cycle: number; series: string }[]): Chart {
  const layer = [...((chart.spec.layer as Record<string, unknown>[] | undefined) ?? [])];
  const x = { field: 'x', type: 'quantitative' };
  if (onset !== undefined) layer.push({ data: { values: [{ x: onset, label: 'drift starts' }] }, mark: { type: 'rule', color: '#888', strokeDash: [2, 3] }, encoding: { x } });
  if (alarms.length) {
    const color = (layer[0] as { encoding?: { color?: unknown } } | undefined)?.encoding?.color;
    layer.push({ data: { values: alarms.map((a) => ({ x: a.cycle, series: a.series })) }, mark: { type: 'rule', strokeDash: [6, 3], strokeWidth: 1.5 }, encoding: { x, ...(color ? { color } : {}) } });
  }
  return { ...chart, spec: { ...chart.spec, layer } };
}

const iv = (c: Interval): Interval => ({ mean: c.mean, lo: c.lo, hi: c.hi, n: c.n });

export function driftSections(a: DriftAggregate, runs: readonly RunEntry[]): Section[] {
  const cfg = runs[0]!.record.config as DriftConfig;
  const charts = driftCharts(a, runs);
  const scenarios = [...new Map(runs.map((r) => [(r.record.config as DriftConfig).scenario.name, (r.record.config as DriftConfig).scenario])).values()];
  const sections: Section[] = [
    { title: 'The question', blocks: [paragraph(QUESTION)] },
    {
      title: 'Setup',
      blocks: [
        paragraph(`Each cycle trains every method ${cfg.stepsPerCycle} steps (batch ${cfg.batchSize}) on the newest window of ${cfg.window} records${cfg.replay > 0 ? ` (${(100 * cfg.replay).toFixed(0)}% replayed from earlier windows)` : ''}, continuing from its own adapter of the previous cycle, then generates greedily on a fixed clean held-out set of ${cfg.eval.heldOut} examples and on ${cfg.eval.window} unseen records of the current window. ${a.runs.length} run(s), seeds ${[...new Set(a.runs.map((r) => r.seed))].join(', ')}; tiny decoder ${JSON.stringify(cfg.model)} pretrained on clean synthetic ad copy.`),
        table({
          columns: ['scenario', 'source', { key: 'onset', title: 'drift starts (cycle)' }, { key: 'ramp', title: 'ramp (cycles)' }, 'severity'],
          rows: scenarios.map((s) => ({ scenario: s.name, source: s.source, onset: s.onset, ramp: s.ramp, severity: s.severity })),
          caption: 'Severity ramps linearly from 0 at the onset to its full value and stays there; windows are pure functions of (scenario, seed, cycle).',
        }),
        table({
          columns: ['method', 'spec', 'base', 'lr'],
          rows: cfg.methods.map((m) => ({ method: m.name, spec: JSON.stringify(m.method), base: m.quant, lr: m.lr })),
        }),
      ],
    },
    {
      title: 'ROUGE over cycles',
      blocks: [...charts.heldOut.map((c) => chartBlock(c, runs)), ...charts.window.map((c) => chartBlock(c, runs))],
    },
    {
      title: 'Change points',
      blocks: [table({
        columns: ['scenario', 'method', { key: 'first', title: `${a.metric} first cycle`, digits: 1 }, { key: 'last', title: `${a.metric} last cycle`, digits: 1 },
          { key: 'alarm', title: 'CUSUM alarm (cycle)' }, { key: 'start', title: 'estimated start' }, { key: 'boot', title: 'bootstrap alarm' }, 'onset'],
        rows: a.curves.filter((c) => c.points.length).map((c) => ({
          scenario: c.scenario, method: c.method, first: iv(c.points[0]!.heldOut[a.metric]!), last: iv(c.points.at(-1)!.heldOut[a.metric]!),
          alarm: c.cusum.alarm ?? '—', start: c.cusum.changePoint ?? '—', boot: c.bootstrap?.alarm ?? '—', onset: c.onset,
        })),
        caption: `Lower one-sided CUSUM on the per-cycle held-out mean (reference: cycles ${cfg.detect.warmup ?? 0}–${(cfg.detect.warmup ?? 0) + cfg.detect.baseline - 1}, k = ${cfg.detect.k} σ, h = ${cfg.detect.h} σ); bootstrap: 3 consecutive cycles whose paired 95% interval vs the baseline lies below 0.`,
      })],
    },
    {
      title: 'Regressions, hallucination, length',
      blocks: [
        table({
          columns: ['scenario', 'method', { key: 'reg', title: 'regressed examples (last cycle)', digits: 1 }, { key: 'h0', title: 'hallucination rate, first', digits: 2 }, { key: 'h1', title: 'last', digits: 2 }, { key: 'l0', title: 'length ratio, first', digits: 2 }, { key: 'l1', title: 'last', digits: 2 }],
          rows: a.curves.filter((c) => c.points.length).map((c) => ({ scenario: c.scenario, method: c.method, reg: c.points.at(-1)!.regressions, h0: c.points[0]!.hallucination, h1: c.points.at(-1)!.hallucination, l0: c.points[0]!.lengthRatio, l1: c.points.at(-1)!.lengthRatio })),
          caption: `Regressed: held-out examples whose ${a.metric} fell more than ${cfg.eval.regression} points below cycle 0 (mean over seeds). Hallucination: share of outputs naming a lexicon value absent from the prompt. Length ratio: output / reference characters.`,
        }),
        table({
          columns: ['scenario', 'method', ...(['distinct-1', 'distinct-2', 'repetition'] as const).flatMap((k) => [{ key: `${k}:0`, title: `${k}, first`, digits: 3 }, { key: `${k}:1`, title: 'last', digits: 3 }])],
          rows: a.curves.filter((c) => c.points.length).map((c) => ({
            scenario: c.scenario, method: c.method,
            ...Object.fromEntries((['distinct-1', 'distinct-2', 'repetition'] as const).flatMap((k) => [[`${k}:0`, c.points[0]!.diversity?.[k]], [`${k}:1`, c.points.at(-1)!.diversity?.[k]]])),
          })),
          caption: 'Held-out predictions pooled over seeds: distinct-1/2 = distinct word n-grams / n-grams (jieba words), repetition = seq-rep-4 (share of repeated 4-grams within an output, mean). Fractions; a degenerate model has low distinct and high repetition.',
        }),
        table({
          columns: ['method', 'prompt', { key: 'before', title: 'cycle 0' }, { key: 'after', title: 'last cycle' }, { key: 'drop', title: `${a.metric} change`, digits: 1 }],
          rows: a.curves.flatMap((c) => c.regressions.map((r) => ({ method: `${c.scenario} / ${c.method}`, prompt: r.source, before: r.before, after: r.after, drop: r.scoreAfter - r.scoreBefore }))),
          caption: 'The largest per-example drops from cycle 0 to the last cycle.',
        }),
      ],
    },
    { title: 'Verdict', blocks: [paragraph(a.verdict), provenanceBlock(runs)] },
  ];
  return sections;
}

export const DRIFT_LIMITS = [
  'A tiny decoder on a CPU, a few optimizer steps per cycle: absolute ROUGE is far below a 6B model\'s; the curves\' shapes and the differences between methods are what the experiment measures.',
  'Synthetic ad copy with programmed drift: real drift is less tidy. The AdvertiseGen source covers label noise, sparse prompts and the 2017-spreadsheet corruptions only.',
  'The hallucination measure is a lexicon proxy: values outside the synthetic lexicon are invisible to it, and a value the copy may legitimately add counts.',
  'Each cycle restarts the optimizer (moments are not carried over), as a scheduled retraining job would.',
];

export function driftReport(runs: RunEntry[], o: AggregateDriftOptions = {}): ReportPart {
  const a = aggregateDrift(runs, o);
  const used = runs.filter((r) => a.runs.some((x) => x.runId === r.record.runId));
  return {
    title: 'ROUGE drift over long runs and repeated adaptation on messy data',
    subtitle: `${used.length} run(s); ${a.curves.length} curves`,
    sections: driftSections(a, used),
    limits: DRIFT_LIMITS,
  };
}
