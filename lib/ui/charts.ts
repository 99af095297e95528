/**
 * The workbench's charts, built with the report's own chart builders (lib/report/charts.ts), so a curve in
 * the browser is the same vega-lite spec as in an HTML report.
 */
import { lineBandChart, groupedBarChart, type Chart } from '../report/index.ts';
import type { RunEntry } from '../results/index.ts';

type Line = Record<string, unknown>;

/** At most MAX_POINTS per series (every k-th point and the last), so a long run stays a light spec. */
export const MAX_POINTS = 1500;
function thin<T>(xs: T[]): T[] {
  if (xs.length <= MAX_POINTS) return xs;
  const k = Math.ceil(xs.length / MAX_POINTS);
  return xs.filter((_, i) => i % k === 0 || i === xs.length - 1);
}

/** One point of a metric curve: the step and the value. */
export interface CurvePoint { x: number; y: number }

/** A metric over steps for one or more runs (series = run id); undefined when there is no point yet. */
export function metricCurve(runs: readonly { id: string; lines: readonly Line[] }[], key: string, title?: string): Chart | undefined {
  return curveChart(runs.map((r) => ({
    id: r.id,
    points: r.lines.filter((l) => typeof l.step === 'number' && typeof l[key] === 'number' && Number.isFinite(l[key])).map((l) => ({ x: l.step as number, y: l[key] as number })),
  })), key, title);
}

/** The same chart from points already read (metrics.ts keeps them thinned while it reads a large file). */
export function curveChart(runs: readonly { id: string; points: readonly CurvePoint[] }[], key: string, title?: string): Chart | undefined {
  const points = runs.flatMap((r) => thin([...r.points]).map((p) => ({ x: p.x, series: r.id, mean: p.y })));
  if (!points.length) return undefined;
  return lineBandChart({
    title: title ?? `${key} per step`, x: { title: 'step' }, y: { title: key }, points, width: runs.length > 1 ? 620 : 500, height: 220,
    ...(runs.length > 1 ? { series: { title: 'run' } } : {}),
  });
}

/** Per-seed values of one metric as bars (an incentive cell's figures). */
export function perSeedBars(metric: string, values: readonly { seed: number; value: number }[], subtitle: string): Chart | undefined {
  const rows = values.filter((v) => Number.isFinite(v.value)).map((v) => ({ group: `seed ${v.seed}`, mean: v.value }));
  if (!rows.length) return undefined;
  return groupedBarChart({ title: metric, subtitle, x: { title: 'seed' }, y: { title: metric }, rows, width: 260, height: 180 });
}

export const runLabel = (e: RunEntry) => e.record.runId;
