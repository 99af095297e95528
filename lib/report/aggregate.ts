/**
 * From raw per-seed values to the rows charts plot: mean and 95% t-interval (lib/measure meanCI) per bar or
 * per (series, x) point. Section builders use these so every chart's interval is computed the same way.
 *
 * @example
 * groupedBarChart({ ..., rows: barRows([{ group: 'LoRA', series: 'own', values: [21.1, 21.9, 22.4] }]) });
 * lineBandChart({ ..., points: bandPoints(metricLines.map((m) => ({ x: m.step, series: m.method, value: m.loss }))) });
 */
import { meanCI } from '../measure/index.ts';
import type { BarRow, LinePoint } from './charts.ts';

export function barRows(groups: readonly { group: string; series?: string; values: readonly number[] }[]): BarRow[] {
  return groups.map((g) => {
    const ci = meanCI(g.values);
    return { group: g.group, ...(g.series !== undefined ? { series: g.series } : {}), mean: ci.mean, lo: ci.lo, hi: ci.hi };
  });
}

/** Groups observations by (series, x) — typically one per seed — into mean with its interval, sorted by x. */
export function bandPoints(obs: readonly { x: number; series?: string; value: number }[]): LinePoint[] {
  const groups = new Map<string, { x: number; series?: string; values: number[] }>();
  for (const o of obs) {
    if (!Number.isFinite(o.value)) continue;
    const key = `${o.series ?? ''}\u0000${o.x}`;
    if (!groups.has(key)) groups.set(key, { x: o.x, ...(o.series !== undefined ? { series: o.series } : {}), values: [] });
    groups.get(key)!.values.push(o.value);
  }
  return [...groups.values()]
    .sort((a, b) => a.x - b.x)
    .map((g) => {
      const ci = meanCI(g.values);
      return { x: g.x, ...(g.series !== undefined ? { series: g.series } : {}), mean: ci.mean, lo: ci.lo, hi: ci.hi };
    });
}
