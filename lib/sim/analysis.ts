/**
 * Questions asked of runs: how an attack's ROI and captured share move with the attacker's budget, and
 * A/B comparisons of two designs as seed-paired differences (the same seed gives both designs the same
 * world, honest agents and queries, so pairing removes most of the between-seed variance).
 */
import { meanCI, type MeanCI } from '../measure/index.ts';
import type { AttackConfig, DesignConfig, WorldConfig } from './config.ts';
import { runCell, simulateFast, summarize, type SweepResult, type TableMetric } from './run.ts';

export interface BudgetPoint { budgetEth: number; roi: MeanCI; capturedShare: MeanCI; gainRatio: MeanCI; honestRetention: MeanCI }

/**
 * ROI, captured share and gain ratio of one attack at each budget, over seeds.
 *
 * @example
 * budgetCurve(world(), design({ name: 'p', rule: 'pro-rata' }), attack({ type: 'spam' }), [0.05, 0.1, 0.2], [0, 1, 2])
 */
export function budgetCurve(world: WorldConfig, design: DesignConfig, attack: Exclude<AttackConfig, { type: 'none' }>, budgets: readonly number[], seeds: readonly number[]): BudgetPoint[] {
  const base = new Map(seeds.map((s) => [s, simulateFast(world, design, { type: 'none' }, s).metrics] as const));
  return budgets.map((budgetEth) => {
    const cells = seeds.map((s) => runCell(world, design, { ...attack, budgetEth }, s, base.get(s)));
    return {
      budgetEth,
      roi: summarize(cells.map((c) => c.roi)),
      capturedShare: summarize(cells.map((c) => c.capturedShare)),
      gainRatio: summarize(cells.map((c) => c.gainRatio)),
      honestRetention: summarize(cells.map((c) => c.honestRetention)),
    };
  });
}

export interface DesignDiff { attack: string; diff: MeanCI }

/** Per attack: metric(design b) − metric(design a), paired by seed, mean and 95% interval. */
export function compareDesigns(result: SweepResult, a: string, b: string, metric: TableMetric): DesignDiff[] {
  const attacks = [...new Set(result.cells.map((c) => c.attack))];
  return attacks.map((attack) => {
    const diffs: number[] = [];
    for (const seed of result.seeds) {
      const ca = result.cells.find((c) => c.design === a && c.attack === attack && c.seed === seed);
      const cb = result.cells.find((c) => c.design === b && c.attack === attack && c.seed === seed);
      if (ca && cb && Number.isFinite(ca.metrics[metric]) && Number.isFinite(cb.metrics[metric])) diffs.push(cb.metrics[metric] - ca.metrics[metric]);
    }
    return { attack, diff: meanCI(diffs) };
  });
}

export interface SweepMatrix { designs: string[]; attacks: string[]; mean: number[][]; lo: number[][]; hi: number[][]; n: number[][] }

/** A design × attack matrix of one metric (mean and 95% interval), rows in file order: the heat map's data. */
export function sweepMatrix(result: SweepResult, metric: TableMetric): SweepMatrix {
  const designs = [...new Set(result.rows.map((r) => r.design))];
  const attacks = [...new Set(result.rows.map((r) => r.attack))];
  const cell = (d: string, a: string) => result.rows.find((r) => r.design === d && r.attack === a)!.metrics[metric];
  const grid = (f: (ci: MeanCI) => number) => designs.map((d) => attacks.map((a) => f(cell(d, a))));
  return { designs, attacks, mean: grid((c) => c.mean), lo: grid((c) => c.lo), hi: grid((c) => c.hi), n: grid((c) => c.n) };
}
