/**
 * Best-responding attackers: per design, a seeded cross-entropy search over an attack's strategy space
 * (strategies.ts) maximising the attacker's ROI (or captured share) under the same budget, costs and world,
 * averaged over the search seeds with common random numbers (every candidate sees the same worlds, so
 * differences are the strategy's). The fixed strategy is the search's start and its floor: the worst case
 * reported is never below the fixed figure on the same seeds.
 */
import { type AttackConfig, type DesignConfig, type SimCore, type WorldConfig, attackName } from '../config.ts';
import { playEpisode } from '../episode.ts';
import { settleFast } from '../settle.ts';
import { runMetrics, type RunMetrics } from '../metrics.ts';
import { honestAgents, type SweepResult, type SweepRow } from '../run.ts';
import { crossEntropyMaximize } from './cem.ts';
import type { SearchConfig } from './config.ts';
import { decode, describeStrategy, encode, knobsFor, strategicAgent, type Attack, type Knob, type Strategy } from './strategies.ts';

export interface StrategyScore { roi: number; capturedShare: number; profitEth: number; honestPayoutEth: number; attackerPayoutEth: number; attackerCostEth: number }

/** One strategy played and settled on each seed; means of the attacker's figures. */
export function scoreStrategy(world: WorldConfig, design: DesignConfig, s: Strategy, seeds: readonly number[]): StrategyScore {
  const ms: RunMetrics[] = seeds.map((seed) => {
    const ep = playEpisode(world, design, [...honestAgents(world), strategicAgent(s)], seed);
    return runMetrics(ep, settleFast(ep));
  });
  // A strategy that spends nothing has no ROI (0/0): as good as staying out, ROI 0.
  const mean = (f: (m: RunMetrics) => number) => ms.reduce((a, m) => a + (Number.isFinite(f(m)) ? f(m) : 0), 0) / ms.length;
  return { roi: mean((m) => m.roi), capturedShare: mean((m) => m.capturedShare), profitEth: mean((m) => m.roi * m.attackerCostEth), honestPayoutEth: mean((m) => m.honestPayoutEth), attackerPayoutEth: mean((m) => m.attackerPayoutEth), attackerCostEth: mean((m) => m.attackerCostEth) };
}

export interface BestResponse {
  strategy: Record<string, number | boolean>;
  /** The attack config the best strategy decodes to (with skew and startEpoch beside it). */
  decoded: Strategy;
  score: StrategyScore;
  fixed: StrategyScore;
  evaluations: number;
  /** Best objective after each iteration. */
  trace: number[];
  knobs: Knob[];
}

export function bestResponse(world: WorldConfig, design: DesignConfig, attack: Attack, seeds: readonly number[], o: SearchConfig): BestResponse {
  const knobs = knobsFor(world, attack).filter((k) => !o.knobs || o.knobs.includes(k.name));
  const objective = (sc: StrategyScore) => (o.objective === 'roi' ? sc.roi : o.objective === 'profit' ? sc.profitEth : sc.capturedShare);
  const scores = new Map<string, StrategyScore>();
  const keyOf = (s: Strategy) => JSON.stringify(describeStrategy(knobs, s));
  const evaluate = (s: Strategy) => {
    const k = keyOf(s);
    let sc = scores.get(k);
    if (!sc) scores.set(k, (sc = scoreStrategy(world, design, s, seeds)));
    return sc;
  };
  const fixedStrategy: Strategy = { attack, skew: 0, startEpoch: 0 };
  const fixed = scoreStrategy(world, design, fixedStrategy, seeds);
  const res = crossEntropyMaximize((x) => objective(evaluate(decode(knobs, attack, x))), knobs.length, {
    iterations: o.iterations, population: o.population, elite: o.elite, smoothing: o.smoothing,
    initialSigma: o.initialSigma, minSigma: o.minSigma, seed: o.seed, start: encode(knobs, attack),
    key: (x) => keyOf(decode(knobs, attack, x)),
    steps: knobs.map((k) => (k.kind === 'int' ? 1 / Math.max(1, k.max - k.min) : k.kind === 'bool' ? 0.5 : 0.05)),
  });
  let decoded = decode(knobs, attack, res.best);
  let score = evaluate(decoded);
  if (objective(fixed) >= objective(score)) { decoded = fixedStrategy; score = fixed; }
  return { strategy: describeStrategy(knobs, decoded), decoded, score, fixed, evaluations: res.evaluations + 1, trace: res.trace, knobs };
}

/** The `worstCase` of a sweep row: the best response's figures next to the fixed strategy's. */
export interface WorstCase {
  capturedShare: number;
  roi: number;
  strategy: Record<string, number | boolean>;
  /** What the search gained over the fixed strategy (worst case − fixed, same seeds). */
  gain: { capturedShare: number; roi: number };
  fixed: { capturedShare: number; roi: number };
  honestPayoutEth: number;
  attackerPayoutEth: number;
  evaluations: number;
  searchSeeds: number[];
}

export type SearchedRow = SweepRow & { worstCase?: WorstCase };

/**
 * Adds `worstCase` to every design × attack row of a sweep (attacks named in search.attacks, or all; the
 * attack-free row gets none). The search and the reported figures use the same seeds (search.seeds of the
 * sweep's), so the gain is a paired difference and never negative.
 */
export function searchSweep(cfg: SimCore & { search?: SearchConfig }, result: SweepResult, onCell?: (design: string, attack: string, done: number, total: number) => void): SearchedRow[] {
  const o = cfg.search;
  if (!o) return result.rows;
  const seeds = result.seeds.slice(0, o.seeds ?? result.seeds.length);
  const wanted = (a: AttackConfig): a is Attack => a.type !== 'none' && (!o.attacks || o.attacks.includes(attackName(a)));
  const total = cfg.designs.length * cfg.attacks.filter(wanted).length;
  let done = 0;
  const out: SearchedRow[] = result.rows.map((r) => ({ ...r }));
  for (const d of cfg.designs) {
    for (const a of cfg.attacks) {
      if (!wanted(a)) continue;
      const br = bestResponse(cfg.world, d, a, seeds, o);
      const row = out.find((r) => r.design === d.name && r.attack === attackName(a))!;
      row.worstCase = {
        capturedShare: br.score.capturedShare, roi: br.score.roi, strategy: br.strategy,
        gain: { capturedShare: br.score.capturedShare - br.fixed.capturedShare, roi: br.score.roi - br.fixed.roi },
        fixed: { capturedShare: br.fixed.capturedShare, roi: br.fixed.roi },
        honestPayoutEth: br.score.honestPayoutEth, attackerPayoutEth: br.score.attackerPayoutEth, evaluations: br.evaluations, searchSeeds: seeds,
      };
      onCell?.(d.name, attackName(a), ++done, total);
    }
  }
  return out;
}
