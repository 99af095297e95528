/**
 * The reviewer's view of simulator runs (kind "simulate"): the question, the designs and attacks, the
 * design × attack heat map of captured share with its intervals, attacker ROI, honest retention, gain and
 * detection, ROI against the attacker's budget, and the theory checks computed live. Every table and chart
 * cell is read from the run's own files (table.json of a `ledgerlab simulate` sweep, or the metrics.jsonl
 * lines of per-seed `ledgerlab run` runs), so the report's numbers are the run's numbers.
 *
 * @example
 * const [sweep] = readSimSweeps(findRuns(['simulate-sim-quick-']));
 * await showChart(simCharts(sweep, runs).heatmap, { display });
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerLabError } from '../../errors.ts';
import type { MeanCI } from '../../measure/index.ts';
import type { RunEntry } from '../../results/index.ts';
import { readJsonl } from '../../util/index.ts';
import {
  type ReportPart, heatmapChart, lineBandChart, withProvenance, type Chart, chartBlock, paragraph, provenanceBlock,
  provenanceLine, table, type Cell, type Interval, type Section,
} from '../../report/index.ts';
import {
  budgetCurve, attack as parseAttack, attackName, design as parseDesign, parseSimConfig, world as parseWorld, playEpisode, settleFast,
  accounts, weiToEth, agentsFor, summarize, TABLE_METRICS, bruteForceShapley, knnGame, clusterBySimilarity, quotientShapley,
  type BudgetPoint, type AttackConfig, type DesignConfig, type SimConfig, type SweepRow, type TableMetric,
} from '../../sim/index.ts';
import { adaptiveSections } from './adaptive-report.ts';

export const SIM_QUESTION = [
  'Before launch, how much of a reward pool do attackers capture under each reward design? Each design (ledger rule ×',
  'attribution method × defences) is played against each attack — sybil identities, near-duplicate flooding, retrieval',
  'spam, wash usage, collusion rings, reward-farming swarms, a free-rider copying honest items — on the same seeded',
  'world, honest contributors and queries. Per cell: the **share of the pool the attacker captures**, its **ROI**',
  '(income − cost)/cost with real costs (stake capital, fees, content, gas, slashing), **honest retention** (honest',
  'payout vs the attack-free run on the same seed), the gain over spending the same budget honestly, payout Gini and',
  'the defences\' detection precision/recall. Mean over seeds with 95% t-interval.',
].join(' ');

export const SIM_LIMITS = [
  'A stylised world (topic embeddings, a top-k retriever, Zipf topic popularity), not real datanets: the ranking of designs under these attacks is the result, absolute shares depend on the world parameters recorded in the run.',
  'Each attacker follows one fixed strategy with one budget; adaptive attackers that switch strategy per design are not modelled, so a design\'s captured share is a lower bound on what a best-responding attacker gets.',
  'Intervals are Student-t over a handful of seeds and can leave [0, 100]% when seeds disagree strongly; they are not clipped so that they stay the run\'s numbers.',
  'Fast mode settles off-chain with the ledger\'s exact bigint rules; EVM mode (same payouts to the wei) is checked by the tests and by `ledgerlab simulate --mode evm`, not re-run by this report.',
];

/** One recorded sweep: its config, seeds and the design × attack rows (mean and 95% interval per metric). */
export interface SimSweep {
  name: string;
  runs: RunEntry[];
  config: SimConfig;
  mode: string;
  seeds: number[];
  rows: SweepRow[];
  /** Where the rows come from: a sweep's table.json, or per-seed runs' metrics.jsonl re-summarised. */
  source: 'table.json' | 'metrics.jsonl';
  seconds?: number;
}

const nanIfNull = (x: unknown): number => (typeof x === 'number' ? x : NaN);

function readTable(e: RunEntry): SweepRow[] {
  const path = join(e.dir, e.record.artifacts.table ?? 'table.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new LedgerLabError({ kind: 'io', problem: 'cannot read the sweep table', where: path, hint: 're-run `ledgerlab simulate`', cause: err });
  }
  if (!Array.isArray(raw)) throw new LedgerLabError({ kind: 'data', problem: 'table.json is not an array of rows', where: path });
  // JSON has no NaN: metrics without data (e.g. precision when nothing was flagged) come back as null.
  return raw.map((r: { design: string; attack: string; seeds: number; metrics: Record<string, Record<string, unknown>> }) => ({
    design: r.design,
    attack: r.attack,
    seeds: r.seeds,
    metrics: Object.fromEntries(TABLE_METRICS.map((k) => {
      const m = r.metrics[k] ?? {};
      return [k, { mean: nanIfNull(m.mean), lo: nanIfNull(m.lo), hi: nanIfNull(m.hi), sd: nanIfNull(m.sd), n: typeof m.n === 'number' ? m.n : 0 }];
    })) as Record<TableMetric, MeanCI>,
  }));
}

function configOf(e: RunEntry): { config: SimConfig; mode: string } {
  const { mode, ...rest } = (e.record.config ?? {}) as { mode?: string } & Record<string, unknown>;
  return { config: parseSimConfig(rest, `${e.dir}/run.json (config)`), mode: typeof mode === 'string' ? mode : 'fast' };
}

/** Rows in file order (designs × attacks) from per-seed metric lines, summarised exactly as runSweep does. */
function rowsFromLines(config: SimConfig, lines: Record<string, unknown>[]): SweepRow[] {
  const rows: SweepRow[] = [];
  for (const d of config.designs) {
    for (const a of config.attacks) {
      const mine = lines.filter((l) => l.design === d.name && l.attack === attackName(a)).sort((x, y) => (x.seed as number) - (y.seed as number));
      const metrics = Object.fromEntries(TABLE_METRICS.map((k) => [k, summarize(mine.map((l) => nanIfNull(l[k])))])) as Record<TableMetric, MeanCI>;
      rows.push({ design: d.name, attack: attackName(a), seeds: mine.length, metrics });
    }
  }
  return rows;
}

/**
 * Finished simulate runs → sweeps. A `ledgerlab simulate` run is one sweep (its table.json); per-seed runs
 * from `ledgerlab run` with the same name and config are pooled into one sweep from their metrics.jsonl.
 */
export function readSimSweeps(runs: readonly RunEntry[]): SimSweep[] {
  const finished = runs.filter((e) => e.status === 'finished' && e.record.kind === 'simulate');
  const out: SimSweep[] = [];
  const pooled = new Map<string, RunEntry[]>();
  for (const e of finished) {
    if (e.record.artifacts.table || existsSync(join(e.dir, 'table.json'))) {
      const { config, mode } = configOf(e);
      const summary = e.record.summary as { seconds?: number } | undefined;
      out.push({ name: e.record.name, runs: [e], config, mode, seeds: [...e.record.seeds], rows: readTable(e), source: 'table.json', ...(summary?.seconds !== undefined ? { seconds: summary.seconds } : {}) });
    } else {
      const key = `${e.record.name}\u0000${e.record.configSha256}`;
      pooled.set(key, [...(pooled.get(key) ?? []), e]);
    }
  }
  for (const group of pooled.values()) {
    const { config, mode } = configOf(group[0]);
    const lines = group.flatMap((e) => readJsonl(join(e.dir, e.record.artifacts.metrics ?? 'metrics.jsonl')));
    const seeds = [...new Set(group.flatMap((e) => e.record.seeds))].sort((a, b) => a - b);
    out.push({ name: group[0].record.name, runs: group, config, mode, seeds, rows: rowsFromLines(config, lines), source: 'metrics.jsonl' });
  }
  return out;
}

// ---- figures -------------------------------------------------------------------------------------------

const pctCI = (c: MeanCI): Interval => ({ mean: c.mean * 100, lo: c.lo * 100, hi: c.hi * 100, n: c.n });
const designsOf = (s: SimSweep) => [...new Set(s.rows.map((r) => r.design))];
const attacksOf = (s: SimSweep) => [...new Set(s.rows.map((r) => r.attack))];

/** "16.2 [-0.5, 32.9]": a captured-share cell in percent, as printed in the heat map. */
export function shareLabel(c: MeanCI, digits = 1): string {
  const p = pctCI(c);
  return c.n === 1 ? `${p.mean.toFixed(digits)} (n=1)` : `${p.mean.toFixed(digits)} [${p.lo.toFixed(digits)}, ${p.hi.toFixed(digits)}]`;
}

/** Design × attack heat map of the captured share (%), each cell labelled mean [95% CI]. */
export function capturedShareHeatmap(s: SimSweep, runs: readonly RunEntry[] = s.runs): Chart {
  const cells = s.rows.filter((r) => r.metrics.capturedShare.n > 0).map((r) => ({
    row: r.design, col: r.attack, value: r.metrics.capturedShare.mean * 100, label: shareLabel(r.metrics.capturedShare),
  }));
  const chart = heatmapChart({
    title: `Share of the reward pool captured by the attacker (${s.name})`,
    rows: { title: 'reward design' }, cols: { title: 'attack' }, value: { title: 'captured', unit: '%' },
    cells, width: Math.max(300, 138 * attacksOf(s).length), scheme: 'orangered',
    caption: `Mean over ${s.seeds.length} seed(s) with 95% t-interval in brackets; darker = more of the pool to the attacker.`,
  });
  // Design names like "pro-rata/quotient+dedup" exceed vega's default 180 px label limit and get cut.
  const layer = (chart.spec.layer as { encoding: { y: Record<string, unknown> } }[]).map((l) => ({ ...l, encoding: { ...l.encoding, y: { ...l.encoding.y, axis: { labelLimit: 360 } } } }));
  return withProvenance({ ...chart, spec: { ...chart.spec, layer } }, [provenanceLine(runs)]);
}

/** ROI (mean and 95% band) against the attacker's budget, one line per attack. */
export function budgetChart(s: SimSweep, curve: readonly { attack: string; points: readonly BudgetPoint[] }[], designName: string, runs: readonly RunEntry[] = s.runs): Chart | undefined {
  const points = curve.flatMap((c) => c.points.filter((p) => p.roi.n > 0).map((p) => ({ x: p.budgetEth, series: c.attack, mean: p.roi.mean, lo: p.roi.lo, hi: p.roi.hi })));
  if (!points.length) return undefined;
  return withProvenance(lineBandChart({
    title: `Attacker ROI against budget under ${designName}`,
    x: { title: 'attacker budget', unit: 'ETH' }, y: { title: 'ROI (income − cost)/cost' }, series: { title: 'attack' }, points,
    caption: `Mean ROI over seeds ${s.seeds.join(', ')} with 95% band; the point at the configured budget is the sweep's own cell.`,
  }), [provenanceLine(runs)]);
}

export interface BudgetOptions {
  /** Budgets as multiples of each attack's configured budget (default [0.5, 1, 2]). */
  multipliers?: number[];
  /** Design to vary the budget under (default the sweep's first design). */
  design?: string;
  /** Attacks to vary (default all). */
  attacks?: string[];
}

/**
 * ROI / captured share at several budgets per attack. The configured budget (×1) is taken from the sweep's
 * table (so it equals the table to the bit); other budgets are simulated on the sweep's world and seeds.
 */
export function simBudgetCurves(s: SimSweep, opts: BudgetOptions = {}): { design: string; curves: { attack: string; points: BudgetPoint[] }[] } {
  const d = s.config.designs.find((x) => x.name === (opts.design ?? s.config.designs[0].name));
  if (!d) throw new LedgerLabError({ kind: 'usage', problem: `no design "${opts.design}" in sweep ${s.name}`, where: 'budget.design', hint: `one of ${s.config.designs.map((x) => x.name).join(', ')}` });
  const mult = opts.multipliers ?? [0.5, 1, 2];
  const curves = s.config.attacks
    .filter((a): a is Exclude<AttackConfig, { type: 'none' }> => a.type !== 'none' && (!opts.attacks || opts.attacks.includes(attackName(a))))
    .map((a) => {
      const row = s.rows.find((r) => r.design === d.name && r.attack === attackName(a));
      const fromTable = (m: number) => m === 1 && row !== undefined;
      const eth = (m: number) => Math.round(a.budgetEth * m * 1e9) / 1e9;
      const simulated = budgetCurve(s.config.world, d, a, mult.filter((m) => !fromTable(m)).map(eth), s.seeds);
      let next = 0;
      const points = mult.map((m) => (fromTable(m)
        ? { budgetEth: a.budgetEth, roi: row!.metrics.roi, capturedShare: row!.metrics.capturedShare, gainRatio: row!.metrics.gainRatio, honestRetention: row!.metrics.honestRetention }
        : simulated[next++]));
      return { attack: attackName(a), points };
    });
  return { design: d.name, curves };
}

// ---- theory checks -------------------------------------------------------------------------------------

export interface WashCheck { capMultiple: number; costPerUnit: number; closedForm: number; simulated: number; capBinds: boolean }
export interface SybilCheck { design: string; note: string; oneEth: number; splitEth: number; ratio: number }
export interface DuplicateCheck { originalAlone: number; shapleyOriginal: number; shapleyCopy: number; quotientOriginal: number; quotientCopy: number }
export interface TheoryChecks { seed: number; wash: WashCheck[]; sybil: SybilCheck[]; duplicates: DuplicateCheck }

/** Sum of payouts (wei) to one agent's identities. */
function agentPayout(w: ReturnType<typeof parseWorld>, d: DesignConfig, a: AttackConfig, seed: number): { ep: ReturnType<typeof playEpisode>; st: ReturnType<typeof settleFast>; paid: bigint } {
  const ep = playEpisode(w, d, agentsFor(w, a), seed);
  const st = settleFast(ep);
  const agent = attackName(a);
  let paid = 0n;
  for (const e of st.epochs) for (const p of e.payees) if (ep.agentOf.get(p.id) === agent) paid += p.payout;
  return { ep, st, paid };
}

/**
 * The issue's sanity checks, computed live on small worlds (about a second): wash ROI under a cap of m ×
 * paid volume is m/c − 1 (c = the wash identity's cost per unit of volume); sybil splitting (same budget and
 * items, 1 vs 10 identities) per rule; plain Shapley pays an exact duplicate, quotient values do not.
 *
 * @example
 * const t = theoryChecks();
 * t.wash.map((w) => [w.closedForm, w.simulated]); // equal to ~1e-12
 */
export function theoryChecks(opts: { seed?: number; capMultiples?: number[] } = {}): TheoryChecks {
  const seed = opts.seed ?? 3;
  // Big pool funding so honest usage makes the wash identity's raw share exceed its cap: the cap binds.
  const ww = parseWorld({ honest: 6, queriesPerEpoch: 60, epochs: 2, fundingEthPerEpoch: 50 });
  const wa = parseAttack({ type: 'wash', budgetEth: 0.2, queriesPerEpoch: 40 });
  const wash = (opts.capMultiples ?? [0.5, 1, 3]).map((m) => {
    const capMultipleBps = Math.round(m * 10_000);
    const { ep, st } = agentPayout(ww, parseDesign({ name: 'cap', rule: 'volume-cap', capMultipleBps }), wa, seed);
    let V = 0n, binds = true;
    for (const e of st.epochs) {
      for (const p of e.payees) {
        if (ep.agentOf.get(p.id) !== 'wash') continue;
        V += p.volume;
        if (p.payout !== (BigInt(capMultipleBps) * p.volume) / 10_000n) binds = false;
      }
    }
    const acc = accounts(ep, st).get('wash')!;
    const c = Number(acc.cost) / Number(V);
    return { capMultiple: m, costPerUnit: c, closedForm: m / c - 1, simulated: Number(acc.income - acc.cost) / Number(acc.cost), capBinds: binds };
  });
  const sybil = ([
    ['pro-rata', 100, 'usage is additive: splitting changes nothing'],
    ['stake', 100, 'stake-weighted: splitting stake and usage across identities divides the score'],
    ['sqrt', 100, 'square-root damping: n identities score Σ√(u/n) = √n·√u'],
    ['pro-rata', 5, 'per-identity daily cap of 5 registrations: more identities register more items sooner'],
  ] as const).map(([rule, dailyCap, note]) => {
    const w = parseWorld({ honest: 10, queriesPerEpoch: 120, epochs: 2, dailyCap });
    const d = parseDesign({ name: rule, rule });
    const pay = (identities: number) => agentPayout(w, d, parseAttack({ type: 'sybil', identities, budgetEth: 0.2 }), 5).paid;
    const one = pay(1), split = pay(10);
    return { design: dailyCap < 100 ? `${rule}, daily cap ${dailyCap}` : rule, note, oneEth: weiToEth(one), splitEth: weiToEth(split), ratio: one > 0n ? Number(split) / Number(one) : NaN };
  });
  // Item 1 is an exact copy of item 0 (same similarity to the query, same gain); k = 2.
  const sim = [0.9, 0.9, 0.5, 0.4], gain = [1, 1, 0.6, 0.2];
  const withCopy = bruteForceShapley(knnGame(sim, gain, 2));
  const alone = bruteForceShapley(knnGame([0.9, 0.5, 0.4], [1, 0.6, 0.2], 2));
  const q = quotientShapley(knnGame(sim, gain, 2), clusterBySimilarity(4, (a, b) => sim[a] === sim[b] && gain[a] === gain[b]));
  return {
    seed, wash, sybil,
    duplicates: { originalAlone: alone[0], shapleyOriginal: withCopy[0], shapleyCopy: withCopy[1], quotientOriginal: q[0], quotientCopy: q[1] },
  };
}

export function theorySection(t: TheoryChecks): Section {
  const d = t.duplicates;
  return {
    title: 'Theory checks',
    id: 'sim-theory',
    blocks: [
      paragraph(`Computed live on small worlds (seed ${t.seed}), the same checks the test suite asserts. **Wash usage under a volume cap**: with payout ≤ m × paid volume and a cost of c per unit of volume, the ROI is m/c − 1, negative exactly when m < c.`),
      table({
        columns: [{ key: 'm', title: 'cap m (× volume)', digits: 2 }, { key: 'c', title: 'cost per unit c', digits: 4 }, { key: 'closed', title: 'm/c − 1', digits: 6 }, { key: 'sim', title: 'simulated ROI', digits: 6 }, { key: 'binds', title: 'cap binds' }],
        rows: t.wash.map((w) => ({ m: w.capMultiple, c: w.costPerUnit, closed: w.closedForm, sim: w.simulated, binds: w.capBinds })),
        caption: 'c = the wash identity\'s total cost (fees, stake capital, content, gas) / its paid volume, both from the settled episode.',
      }),
      paragraph('**Sybil splitting**: the same budget and items under 1 vs 10 identities. Pro-rata usage is additive, so splitting gains nothing (dust from per-identity rounding); square-root damping pays √n more; a per-identity registration cap lets more identities register more items sooner.'),
      table({
        columns: ['design', { key: 'one', title: '1 identity (ETH)', digits: 5 }, { key: 'split', title: '10 identities (ETH)', digits: 5 }, { key: 'ratio', title: 'split / one', digits: 3 }, 'note'],
        rows: t.sybil.map((s) => ({ design: s.design, one: s.oneEth, split: s.splitEth, ratio: s.ratio, note: s.note })),
      }),
      paragraph(`**Duplicates**: an exact copy of an item (KNN game, k = 2). Plain Shapley pays the copy ${d.shapleyCopy.toFixed(4)} and the pair ${(d.shapleyOriginal + d.shapleyCopy).toFixed(4)}, more than the original alone (${d.originalAlone.toFixed(4)}); the quotient value over near-duplicate clusters pays the copy ${d.quotientCopy.toFixed(4)} and the original ${d.quotientOriginal.toFixed(4)} — exactly its value alone.`),
    ],
  };
}

// ---- sections ------------------------------------------------------------------------------------------

function describeDesign(d: DesignConfig): Record<string, Cell> {
  const params = [
    d.rule === 'volume-cap' ? `cap ${d.capMultipleBps / 10_000}× volume` : '',
    d.rule === 'reputation' ? `decay ${d.decayBps} bps, slash ${d.slashRepBps} bps` : '',
    d.attribution === 'mc-shapley' ? `${d.permutations} permutations` : d.attribution === 'banzhaf' ? `${d.samples} samples` : '',
    d.defences.includes('duplicates') ? `duplicate cos ≥ ${d.dupThreshold}` : '',
    d.defences.includes('challenges') ? `${d.challengesPerEpoch} challenges/epoch, bond ${d.challengeBondEth} ETH` : '',
  ].filter(Boolean).join('; ');
  return { design: d.name, rule: d.rule, attribution: d.attribution, defences: d.defences.join(', ') || '—', params: params || '—' };
}

function describeAttack(a: AttackConfig): Record<string, Cell> {
  const { type, name: _n, ...rest } = a as AttackConfig & Record<string, unknown>;
  const budget = (rest as { budgetEth?: number }).budgetEth;
  delete (rest as { budgetEth?: number }).budgetEth;
  return { attack: attackName(a), type, budget: budget ?? null, params: Object.entries(rest).map(([k, v]) => `${k} ${v}`).join(', ') || '—' };
}

/** Wide design × attack table of one metric (rows = designs, a column per attack). */
function matrixTable(s: SimSweep, metric: TableMetric, f: (c: MeanCI) => Cell, digits: number, caption: string) {
  const attacks = attacksOf(s);
  return table({
    columns: [{ key: 'design', title: 'design \\ attack' }, ...attacks.map((a, i) => ({ key: `a${i}`, title: a, digits }))],
    rows: designsOf(s).map((d) => ({ design: d, ...Object.fromEntries(attacks.map((a, i) => [`a${i}`, f(s.rows.find((r) => r.design === d && r.attack === a)!.metrics[metric])])) })),
    caption,
  });
}

export interface SimReportOptions {
  /** ROI against budget (simulated live on the sweep's world and seeds); false to skip. */
  budget?: BudgetOptions | false;
  /** Theory checks (computed live, about a second); false to skip. */
  theory?: boolean;
}

/** The charts of one sweep: the heat map and, when asked, ROI against budget. */
export function simCharts(s: SimSweep, opts: { budget?: BudgetOptions | false } = {}): { heatmap: Chart; budget?: Chart; curves?: ReturnType<typeof simBudgetCurves> } {
  const heatmap = capturedShareHeatmap(s);
  if (opts.budget === false) return { heatmap };
  const curves = simBudgetCurves(s, opts.budget);
  const budget = budgetChart(s, curves.curves, curves.design);
  return { heatmap, ...(budget ? { budget } : {}), curves };
}

export function sweepSections(s: SimSweep, opts: SimReportOptions = {}, suffix = ''): Section[] {
  const w = s.config.world;
  const charts = simCharts(s, { budget: opts.budget });
  const sfx = suffix ? ` (${suffix})` : '';
  const id = (x: string) => `sim-${x}${suffix ? `-${suffix.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}` : ''}`;
  const profitable = s.rows.filter((r) => r.metrics.roi.n > 1 && r.metrics.roi.lo > 0);
  const sections: Section[] = [
    {
      title: `Setup${sfx}`, id: id('setup'),
      blocks: [
        paragraph(`Sweep \`${s.name}\`: ${s.config.designs.length} designs × ${s.config.attacks.length} attacks × ${s.seeds.length} seeds (${s.seeds.join(', ')}), ${s.mode} mode${s.seconds !== undefined ? `, ${s.seconds.toFixed(1)} s` : ''}; numbers from ${s.source === 'table.json' ? 'the run\'s table.json' : `the metrics.jsonl of ${s.runs.length} per-seed run(s)`}. World: ${w.honest} honest contributors × ${w.itemsPerHonest} items, ${w.topics} topics in ${w.datanets} datanets, ${w.queriesPerEpoch} queries/epoch × ${w.epochs} epochs, top-${w.k} retrieval over ${w.candidates} candidates, fee ${w.feeEth} ETH/query, stake ${w.stakeEth} ETH/item, gas ${w.gasPriceGwei} gwei, daily cap ${w.dailyCap} registrations/identity.`),
        table({ columns: ['design', 'rule', 'attribution', 'defences', 'params'], rows: s.config.designs.map(describeDesign), caption: 'Reward designs: ledger rule × attribution method × defences.' }),
        table({ columns: ['attack', 'type', { key: 'budget', title: 'budget (ETH)', digits: 3 }, 'params'], rows: s.config.attacks.map(describeAttack), caption: 'Attacks: each attacker spends its budget on stake, fees, content and gas.' }),
      ],
    },
    {
      title: `Captured share${sfx}`, id: id('captured'),
      blocks: [
        chartBlock(charts.heatmap, s.runs),
        matrixTable(s, 'capturedShare', pctCI, 1, 'Share of the reward pool paid to the attacker\'s identities, % — mean [95% t-interval] over seeds.'),
      ],
    },
    {
      title: `Attacker ROI${sfx}`, id: id('roi'),
      blocks: [
        matrixTable(s, 'roi', (c) => c, 2, 'ROI = (income − cost)/cost of the attacker (−1 = loses everything), mean [95% t-interval].'),
        paragraph(profitable.length
          ? `Attacks profitable with 95% confidence (interval above 0): ${profitable.map((r) => `${r.attack} under ${r.design} (${r.metrics.roi.mean.toFixed(2)})`).join('; ')}.`
          : 'No attack is profitable with 95% confidence (no ROI interval lies above 0).'),
      ],
    },
    {
      title: `Honest retention${sfx}`, id: id('retention'),
      blocks: [matrixTable(s, 'honestRetention', pctCI, 1, 'Honest contributors\' payout with the attack / without it on the same seed, % (100 = untouched).')],
    },
    {
      title: `Gain, inequality and detection${sfx}`, id: id('detection'),
      blocks: [table({
        columns: ['design', 'attack', { key: 'gain', title: 'gain vs honest', digits: 2 }, { key: 'gini', title: 'payout Gini', digits: 3 }, { key: 'precision', digits: 2 }, { key: 'recall', digits: 2 }, { key: 'gas', title: 'gas (M)', digits: 2 }],
        rows: s.rows.map((r) => ({ design: r.design, attack: r.attack, gain: r.metrics.gainRatio, gini: r.metrics.gini, precision: r.metrics.precision, recall: r.metrics.recall, gas: { mean: r.metrics.gas.mean / 1e6, lo: r.metrics.gas.lo / 1e6, hi: r.metrics.gas.hi / 1e6, n: r.metrics.gas.n } })),
        caption: 'Gain = attacker payout / payout of the same budget spent by an honest contributor. Precision/recall of the defences on items (— = nothing flagged / no defence applies). Gas of all transactions in the episode.',
      })],
    },
  ];
  if (charts.curves && charts.budget) {
    sections.push({
      title: `ROI against attacker budget${sfx}`, id: id('budget'),
      blocks: [
        chartBlock(charts.budget, s.runs),
        table({
          columns: ['attack', { key: 'budget', title: 'budget (ETH)', digits: 3 }, { key: 'roi', title: 'ROI', digits: 2 }, { key: 'share', title: 'captured %', digits: 1 }],
          rows: charts.curves.curves.flatMap((c) => c.points.map((p) => ({ attack: c.attack, budget: p.budgetEth, roi: p.roi, share: pctCI(p.capturedShare) }))),
          caption: `Under ${charts.curves.design}; other budgets simulated on the sweep's world and seeds.`,
        }),
      ],
    });
  }
  return sections;
}

/** The report part of the "simulate" kind (listed in lib/experiments/registry.ts). */
export function simReport(runs: readonly RunEntry[], opts: SimReportOptions = {}): ReportPart {
  const sweeps = readSimSweeps(runs);
  if (!sweeps.length) {
    return { sections: [{ title: 'Incentive stress test', id: 'sim-none', blocks: [paragraph('No finished simulate run: nothing to show.')] }], limits: ['No finished run of kind "simulate".'] };
  }
  const sections: Section[] = [{ title: 'The question', id: 'sim-question', blocks: [paragraph(SIM_QUESTION)] }];
  sweeps.forEach((s) => sections.push(...sweepSections(s, opts, sweeps.length > 1 ? s.name : '')));
  sections.push(...adaptiveSections(sweeps.flatMap((s) => s.runs)));
  if (opts.theory ?? true) sections.push(theorySection(theoryChecks()));
  sections.push({ title: 'Runs', id: 'sim-runs', blocks: [provenanceBlock(sweeps.flatMap((s) => s.runs))] });
  const limits = [...SIM_LIMITS];
  if (sweeps.some((s) => s.seeds.length < 5)) limits.push('Fewer than 5 seeds in some sweep: intervals are wide and a cell\'s ranking against its neighbours may not hold.');
  const cells = sweeps.reduce((a, s) => a + s.rows.length, 0);
  return {
    title: 'Incentive stress test: how much of the reward pool do attackers capture?',
    subtitle: `${sweeps.map((s) => s.name).join(', ')}: ${cells} design × attack cells`,
    sections,
    limits,
  };
}
