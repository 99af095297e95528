/**
 * Many strategic agents: a population of adaptive contributors, each choosing per epoch between contributing
 * honestly and playing an attack (with the budget an honest contributor spends), learning by multiplicative
 * weights (Hedge; Freund & Schapire 1997) on the ROI it observes. A design is judged by where the population
 * goes: the honest share's trajectory over epochs and whether honest contribution survives.
 *
 * One epoch is one round of the simulator: the chosen agents play a one-epoch episode (fresh items, the
 * world's workload, the design's rule, attribution and defences), it settles with the ledger's exact rules,
 * and every agent sees the ROI it got for the option it played and the population's mean ROI for the other
 * (the last one seen if nobody played it; 0 before that) — full-information Hedge with a mean-field estimate
 * of the counterfactual. Everything is seeded: the choices, the worlds, the agents' items.
 */
import { Rng } from '../../util/index.ts';
import { type AttackConfig, type DesignConfig, type WorldConfig, ethToWei } from '../config.ts';
import { honestAgent, attackerAgent, type Agent, itemCost } from '../agents/index.ts';
import { playEpisode } from '../episode.ts';
import { settleFast } from '../settle.ts';
import { accounts, runMetrics } from '../metrics.ts';
import type { PopulationConfig } from './config.ts';

type Attack = Exclude<AttackConfig, { type: 'none' }>;

/**
 * One Hedge step on a two-option weight: p' = p·e^{η·u_h} / (p·e^{η·u_h} + (1 − p)·e^{η·u_g}). With constant
 * payoffs it is the discrete replicator map, p_t = p_0·e^{ηtΔ} / (p_0·e^{ηtΔ} + 1 − p_0), Δ = u_h − u_g.
 */
export function hedgeStep(pHonest: number, uHonest: number, uGame: number, eta: number): number {
  // In log-odds, stable for large |ηΔ|.
  const logit = Math.log(pHonest) - Math.log1p(-pHonest) + eta * (uHonest - uGame);
  return 1 / (1 + Math.exp(-logit));
}

export interface PopulationEpoch {
  epoch: number;
  /** Share of agents that played honest this epoch. */
  honestShare: number;
  /** Mean probability of honest after this epoch's update. */
  honestProbability: number;
  honestRoi: number;
  gameRoi: number;
  /** Share of the epoch's pool paid to agents that played the game. */
  capturedShare: number;
}

export interface PopulationResult {
  design: string;
  attack: string;
  agents: number;
  trajectory: PopulationEpoch[];
  finalHonestProbability: number;
  survives: boolean;
}

/** Budget of one honest contributor (its items' stake, gas and content), the gamers' budget too. */
function honestSpendEth(world: WorldConfig): number {
  const gp = BigInt(Math.round(world.gasPriceGwei * 1e9));
  const ctx = { stake: ethToWei(world.stakeEth), gasPrice: gp } as Parameters<typeof itemCost>[0];
  const wei = BigInt(world.itemsPerHonest) * itemCost(ctx, ethToWei(world.honestItemCostEth));
  return Number(wei) / 1e18;
}

const clampRoi = (x: number) => (Number.isFinite(x) ? Math.max(-1, Math.min(5, x)) : 0);

export function runPopulation(world: WorldConfig, design: DesignConfig, attack: Attack, o: PopulationConfig): PopulationResult {
  const n = o.agents ?? world.honest;
  const w1: WorldConfig = { ...world, epochs: 1 };
  const budgetEth = honestSpendEth(world);
  const p = new Array<number>(n).fill(o.initialHonest);
  const root = new Rng(`population:${o.seed}`);
  let lastHonest = 0, lastGame = 0;
  const trajectory: PopulationEpoch[] = [];
  for (let t = 0; t < o.epochs; t++) {
    const choose = root.fork(`choices:${t}`);
    const honest = p.map((pi) => choose.next() < pi);
    const agents: Agent[] = honest.map((h, i) => (h ? honestAgent(i) : attackerAgent({ ...attack, name: `game-${i}`, budgetEth } as Attack)));
    const ep = playEpisode(w1, design, agents, o.seed * 1_000_003 + t);
    const st = settleFast(ep);
    const acc = accounts(ep, st);
    const roi = agents.map((a) => {
      const x = acc.get(a.name)!;
      return x.cost > 0n ? Number(x.income - x.cost) / Number(x.cost) : 0;
    });
    const mean = (pick: boolean) => {
      const xs = roi.filter((_, i) => honest[i] === pick);
      return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
    };
    const hMean = mean(true), gMean = mean(false);
    if (Number.isFinite(hMean)) lastHonest = hMean;
    if (Number.isFinite(gMean)) lastGame = gMean;
    for (let i = 0; i < n; i++) {
      const uh = honest[i] ? roi[i] : lastHonest;
      const ug = honest[i] ? lastGame : roi[i];
      p[i] = hedgeStep(p[i], clampRoi(uh), clampRoi(ug), o.eta);
    }
    const m = runMetrics(ep, st);
    trajectory.push({
      epoch: t, honestShare: honest.filter(Boolean).length / n, honestProbability: p.reduce((a, b) => a + b, 0) / n,
      honestRoi: hMean, gameRoi: gMean, capturedShare: m.capturedShare,
    });
  }
  const finalHonestProbability = trajectory[trajectory.length - 1].honestProbability;
  return { design: design.name, attack: attack.name ?? attack.type, agents: n, trajectory, finalHonestProbability, survives: finalHonestProbability >= o.survival };
}

/** Populations for every design × attack the config names (the attack-free entry has no game option). */
export function runPopulations(cfg: { world: WorldConfig; designs: DesignConfig[]; attacks: AttackConfig[]; population?: PopulationConfig }, onDone?: (r: PopulationResult, done: number, total: number) => void): PopulationResult[] {
  const o = cfg.population;
  if (!o) return [];
  const designs = cfg.designs.filter((d) => !o.designs || o.designs.includes(d.name));
  const attacks = cfg.attacks.filter((a): a is Attack => a.type !== 'none' && (!o.attacks || o.attacks.includes(a.name ?? a.type)));
  const out: PopulationResult[] = [];
  for (const d of designs) for (const a of attacks) {
    out.push(runPopulation(cfg.world, d, a, o));
    onDone?.(out[out.length - 1], out.length, designs.length * attacks.length);
  }
  return out;
}

/** One line per population: design, attack, honest probability at a few epochs, survives or not. */
export function formatPopulations(rs: readonly PopulationResult[]): string {
  const head = ['design', 'attack', 'honest probability by epoch (start → end)', 'honest survives'];
  const body = rs.map((r) => {
    const t = r.trajectory;
    const picks = [...new Set([0, Math.floor(t.length / 4), Math.floor(t.length / 2), Math.floor((3 * t.length) / 4), t.length - 1])];
    return [r.design, r.attack, picks.map((i) => `${i}:${t[i].honestProbability.toFixed(2)}`).join(' → '), r.survives ? 'yes' : 'no'];
  });
  const widths = head.map((h, j) => Math.max(h.length, ...body.map((b) => b[j].length)));
  const line = (cells: string[]) => cells.map((c, j) => c.padEnd(widths[j])).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
