/**
 * Fast mode: plays and settles episodes off-chain, and turns them into the metrics by comparing
 * three runs on the same seed — with the attacker, attack-free (honest retention), and with the attacker's
 * budget spent by an honest contributor instead (attack gain ratio). Seeds give mean and 95% interval;
 * a sweep is the grid designs × attacks.
 */
import { meanCI, type MeanCI } from '../measure/index.ts';
import { type AttackConfig, type DesignConfig, type SimCore, type WorldConfig, attackName, ethToWei } from './config.ts';
import { type Agent, honestAgent, honestEquivalent, attackerAgent } from './agents/index.ts';
import { playEpisode, type Episode } from './episode.ts';
import { settleFast, type Settlement } from './settle.ts';
import { runMetrics, type RunMetrics } from './metrics.ts';

export function honestAgents(world: WorldConfig): Agent[] {
  return Array.from({ length: world.honest }, (_, i) => honestAgent(i));
}

export function agentsFor(world: WorldConfig, attack: AttackConfig): Agent[] {
  return attack.type === 'none' ? honestAgents(world) : [...honestAgents(world), attackerAgent(attack)];
}

/** One episode played and settled in fast mode. */
export function simulateFast(world: WorldConfig, design: DesignConfig, attack: AttackConfig, seed: number): { episode: Episode; settlement: Settlement; metrics: RunMetrics } {
  const episode = playEpisode(world, design, agentsFor(world, attack), seed);
  const settlement = settleFast(episode);
  return { episode, settlement, metrics: runMetrics(episode, settlement) };
}

export interface CellMetrics extends RunMetrics {
  /** Honest payout with the attack / without it. */
  honestRetention: number;
  /** Attacker payout / payout of the same budget spent honestly (NaN if that is 0). */
  gainRatio: number;
}

export function runCell(world: WorldConfig, design: DesignConfig, attack: AttackConfig, seed: number, baseline?: RunMetrics): CellMetrics {
  const base = baseline ?? simulateFast(world, design, { type: 'none' }, seed).metrics;
  const m = simulateFast(world, design, attack, seed).metrics;
  let gainRatio = NaN;
  if (attack.type !== 'none') {
    const eq = playEpisode(world, design, [...honestAgents(world), honestEquivalent(attackName(attack), ethToWei(attack.budgetEth))], seed);
    const eqPay = runMetrics(eq, settleFast(eq)).attackerPayoutEth;
    gainRatio = eqPay > 0 ? m.attackerPayoutEth / eqPay : NaN;
  }
  return { ...m, honestRetention: base.honestPayoutEth > 0 ? m.honestPayoutEth / base.honestPayoutEth : NaN, gainRatio };
}

export const TABLE_METRICS = ['capturedShare', 'roi', 'honestRetention', 'gainRatio', 'gini', 'precision', 'recall', 'gas', 'attackerPayoutEth', 'attackerCostEth'] as const;
export type TableMetric = (typeof TABLE_METRICS)[number];

export interface SweepRow { design: string; attack: string; seeds: number; metrics: Record<TableMetric, MeanCI> }
export interface SweepCell { design: string; attack: string; seed: number; metrics: CellMetrics }
export interface SweepResult { seeds: number[]; cells: SweepCell[]; rows: SweepRow[]; seconds: number }

/** meanCI over the finite values (NaN-valued seeds, e.g. nothing flagged, are left out and n says so). */
export function summarize(xs: readonly number[]): MeanCI {
  return meanCI(xs.filter(Number.isFinite));
}

/**
 * The grid designs × attacks, each over `seeds`; the attack-free baseline is played once per design × seed.
 *
 * @example
 * const r = runSweep(parseSimConfig(json.config), [0, 1, 2]);
 * r.rows[0].metrics.capturedShare.mean
 */
export function runSweep(cfg: SimCore, seeds: readonly number[], onCell?: (c: SweepCell, done: number, total: number) => void): SweepResult {
  const t0 = performance.now();
  const cells: SweepCell[] = [];
  const total = cfg.designs.length * cfg.attacks.length * seeds.length;
  for (const d of cfg.designs) {
    const baselines = new Map(seeds.map((s) => [s, simulateFast(cfg.world, d, { type: 'none' }, s).metrics] as const));
    for (const a of cfg.attacks) {
      for (const seed of seeds) {
        const c = { design: d.name, attack: attackName(a), seed, metrics: runCell(cfg.world, d, a, seed, baselines.get(seed)) };
        cells.push(c);
        onCell?.(c, cells.length, total);
      }
    }
  }
  const rows: SweepRow[] = [];
  for (const d of cfg.designs) {
    for (const a of cfg.attacks) {
      const mine = cells.filter((c) => c.design === d.name && c.attack === attackName(a));
      const metrics = Object.fromEntries(TABLE_METRICS.map((k) => [k, summarize(mine.map((c) => c.metrics[k]))])) as Record<TableMetric, MeanCI>;
      rows.push({ design: d.name, attack: attackName(a), seeds: mine.length, metrics });
    }
  }
  return { seeds: [...seeds], cells, rows, seconds: (performance.now() - t0) / 1000 };
}
