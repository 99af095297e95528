/**
 * From finished speedup runs (one per seed) to the figures a reviewer reads: speed ratios with 95%
 * t-intervals across seeds (in log space, since ratios multiply), the Shapley decomposition per factor, and
 * ROUGE/BLEU per recipe with bootstrap intervals over eval examples plus a paired bootstrap of fast − slow.
 * The verdict sentence is generated from these numbers, never written by hand.
 *
 * @example
 * const agg = aggregateSpeedup(findRuns(['speedup-quick']));
 * agg.ratio.trained   // {mean, lo, hi, n} of samples/s(fast) / samples/s(slow)
 * agg.verdict         // one paragraph
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { meanCI, worstStatus, type MeanCI, type QuietStatus } from '../../measure/index.ts';
import {
  bootstrapCI, pairedBootstrap, type BootstrapCI, type PairedBootstrap, ZH_KEYS, diversityScores, type DiversityScores,
} from '../../metrics/index.ts';
import { readJsonl, type RunEntry } from '../../results/index.ts';
import { runRow, type RunRow } from '../run-row.ts';
import { LedgerLabError } from '../../errors.ts';
import type { QualityResult } from './kind.ts';

export type RunSummary = Awaited<ReturnType<typeof import('./kind.ts').runSpeedup>>;

/** exp of the mean and t-interval of log values: a geometric mean ratio with its interval. */
export function ratioCI(ratios: readonly number[]): MeanCI {
  const ci = meanCI(ratios.map(Math.log));
  return { mean: Math.exp(ci.mean), lo: Math.exp(ci.lo), hi: Math.exp(ci.hi), sd: ci.sd, n: ci.n };
}

export interface RecipeQuality {
  samplesPerS: MeanCI;
  tokensPerS: MeanCI;
  trainableParams: number;
  stateBytes: number;
  evalLoss: MeanCI;
  /** Per metric: mean over every (seed, example) with a bootstrap interval over those items. */
  scores: Record<string, BootstrapCI>;
  /** distinct-1/2 and repetition of the predictions pooled over seeds (corpus-level, so no interval). */
  diversity: DiversityScores;
}

export interface SpeedupAggregate {
  runs: RunRow[];
  factors: string[];
  /**
   * trained: fast / slow over the training runs; factorial, matched: from the grid's cells; method, recipe: the
   * training runs split in two — fast / slow-matched (the method alone) and slow-matched / slow (the recipe alone).
   */
  ratio: { trained?: MeanCI; factorial?: MeanCI; matched?: MeanCI; method?: MeanCI; recipe?: MeanCI };
  shapley: Record<string, MeanCI>;
  /** Factorial cells: samples/s per cell across seeds (geometric mean, log-scale interval: never below 0). */
  cells: { switched: string[]; samplesPerS: MeanCI; /** the guard's worst verdict on this cell over runs */ status?: QuietStatus }[];
  /**
   * How the speed figures were timed, over all runs: the basis and threads, and the worst quiet-machine status
   * of any timed section ('noisy' withholds the speed verdict; 'unknown' where /proc/stat was absent).
   */
  timing?: { basis: string; threads: number; quiet: QuietStatus; noisyRuns: number[]; foreignCoresMax: number | null; stealMax: number | null };
  quality: Record<string, RecipeQuality>;
  /** fast − slow per metric, paired on (seed, example). */
  paired: Record<string, PairedBootstrap>;
  verdict: string;
}

interface Item { id: string; [k: string]: unknown }

function itemsOf(entry: RunEntry, recipe: string): Item[] {
  const path = join(entry.dir, `predictions-${recipe}.jsonl`);
  return existsSync(path) ? readJsonl<Item>(path) : [];
}

export function aggregateSpeedup(entries: readonly RunEntry[]): SpeedupAggregate {
  const done = finishedRunsOfOneConfig(entries);
  const sums = done.map((e) => e.record.summary as RunSummary);
  const runs = done.map(runRow);
  const factors = sums[0]!.factors;
  const pick = (f: (s: RunSummary) => number | undefined) => sums.map(f).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  const shapley = Object.fromEntries(factors.map((f) => [f, ratioCI(pick((s) => s.shapley?.[f]))]));
  const { quality, items } = recipeQuality(done, sums, runs.map((r) => r.seed));
  const agg: SpeedupAggregate = {
    runs, factors, ratio: speedRatios(sums), shapley, cells: factorialCells(done),
    timing: timingOf(sums, runs.map((r) => r.seed)), quality, paired: fastVsSlow(items), verdict: '',
  };
  agg.verdict = verdictOf(agg);
  return agg;
}

/** The finished speedup runs, which must all share one config (its seeds are the replicates). */
function finishedRunsOfOneConfig(entries: readonly RunEntry[]): RunEntry[] {
  const done = entries.filter((e) => e.record.kind === 'speedup' && e.status === 'finished');
  if (done.length === 0) {
    throw new LedgerLabError({ kind: 'usage', problem: 'no finished speedup runs to aggregate', where: entries.map((e) => e.dir).join(', ') || '(none)', hint: 'run `ledgerlab run experiments/speedup-quick.json` first' });
  }
  const configs = [...new Set(done.map((e) => e.record.configSha256))];
  if (configs.length > 1) {
    // Seeds of one config are replicates; runs of different configs are different experiments.
    throw new LedgerLabError({
      kind: 'usage', problem: `the runs have ${configs.length} different configs; aggregate the seeds of one config at a time`,
      where: done.map((e) => `${e.record.runId} (config ${e.record.configSha256.slice(0, 8)})`).join(', '),
      hint: 'pass one config\'s runs, e.g. the run id prefix <name>-<confighash>',
    });
  }
  return done;
}

/** The speed ratios over seeds (geometric means), each present when some run has it. */
function speedRatios(sums: readonly RunSummary[]): SpeedupAggregate['ratio'] {
  const pick = (f: (s: RunSummary) => number | undefined) => sums.map(f).filter((x): x is number => typeof x === 'number' && Number.isFinite(x));
  const q = (s: RunSummary, name: string) => s.quality[name]?.samplesPerS;
  // method / recipe: the engine's paired figures when the run has them; runs from before the engine: whole-run samples/s.
  const ratio = {
    trained: pick((s) => s.ratio.trained), factorial: pick((s) => s.ratio.factorial), matched: pick((s) => s.ratio.matched),
    method: pick((s) => s.ratio.method ?? (q(s, 'fast') && q(s, 'slow-matched') ? q(s, 'fast')! / q(s, 'slow-matched')! : undefined)),
    recipe: pick((s) => s.ratio.recipe ?? (q(s, 'slow-matched') && q(s, 'slow') ? q(s, 'slow-matched')! / q(s, 'slow')! : undefined)),
  };
  return {
    ...(ratio.trained.length ? { trained: ratioCI(ratio.trained) } : {}),
    ...(ratio.factorial.length ? { factorial: ratioCI(ratio.factorial) } : {}),
    ...(ratio.matched.length ? { matched: ratioCI(ratio.matched) } : {}),
    ...(ratio.method.length ? { method: ratioCI(ratio.method) } : {}),
    ...(ratio.recipe.length ? { recipe: ratioCI(ratio.recipe) } : {}),
  };
}

/** The factorial grid's cells over runs (cells.json): samples/s per cell and the guard's worst verdict on it. */
function factorialCells(done: readonly RunEntry[]): SpeedupAggregate['cells'] {
  const cellMap = new Map<string, { switched: string[]; xs: number[]; status: QuietStatus[] }>();
  for (const e of done) {
    const path = join(e.dir, 'cells.json');
    if (!existsSync(path)) continue;
    for (const c of JSON.parse(readFileSync(path, 'utf8')) as { switched: string[]; throughput: { samplesPerS: number }; status?: QuietStatus }[]) {
      const k = c.switched.join('+') || 'fast';
      if (!cellMap.has(k)) cellMap.set(k, { switched: c.switched, xs: [], status: [] });
      cellMap.get(k)!.xs.push(c.throughput.samplesPerS);
      cellMap.get(k)!.status.push(c.status ?? 'unknown');
    }
  }
  return [...cellMap.values()].map((c) => ({ switched: c.switched, samplesPerS: ratioCI(c.xs), status: worstStatus(c.status) }));
}

/** Per recipe: speed, size and loss over seeds, scores over (seed, example); and every recipe's scored items. */
function recipeQuality(done: readonly RunEntry[], sums: readonly RunSummary[], seeds: readonly number[]): { quality: Record<string, RecipeQuality>; items: Record<string, Map<string, Item>> } {
  const quality: Record<string, RecipeQuality> = {};
  const recipeNames = [...new Set(sums.flatMap((s) => Object.keys(s.quality)))];
  const items: Record<string, Map<string, Item>> = {};
  for (const name of recipeNames) {
    const q = sums.map((s) => s.quality[name]).filter((x): x is QualityResult => !!x);
    const all = new Map<string, Item>();
    done.forEach((e, i) => { for (const it of itemsOf(e, name)) all.set(`${seeds[i]!}:${it.id}`, it); });
    items[name] = all;
    const vals = [...all.values()];
    quality[name] = {
      samplesPerS: ratioCI(q.map((x) => x.samplesPerS)), tokensPerS: ratioCI(q.map((x) => x.tokensPerS)),
      trainableParams: q[0]!.trainableParams, stateBytes: q[0]!.stateBytes, evalLoss: meanCI(q.map((x) => x.evalLoss)),
      scores: Object.fromEntries(ZH_KEYS.map((k) => [k, bootstrapCI(vals.map((v) => v[k] as number), { seed: `speedup:${name}:${k}` })])),
      diversity: diversityScores(vals.map((v) => String(v.prediction ?? '')), 'zh'),
    };
  }
  return { quality, items };
}

/** fast − slow per metric, paired on the (seed, example) items both recipes scored. */
function fastVsSlow(items: Record<string, Map<string, Item>>): Record<string, PairedBootstrap> {
  const paired: Record<string, PairedBootstrap> = {};
  if (!items.fast || !items.slow) return paired;
  const keys = [...items.fast.keys()].filter((k) => items.slow!.has(k)).sort();
  if (!keys.length) return paired;
  for (const k of ZH_KEYS) {
    paired[k] = pairedBootstrap(keys.map((id) => items.fast!.get(id)![k] as number), keys.map((id) => items.slow!.get(id)![k] as number), { seed: `speedup:paired:${k}` });
  }
  return paired;
}

/** The timing provenance over runs (runs from before the engine have none: 'unknown'). */
function timingOf(sums: readonly RunSummary[], seeds: readonly number[]): SpeedupAggregate['timing'] {
  const t = sums.map((s) => s.timing);
  const sections = t.flatMap((x) => [x?.factorial, x?.trained]).filter((x) => !!x);
  const fc = sections.map((x) => x.noise.foreignCores?.max).filter((v): v is number => typeof v === 'number');
  const st = sections.map((x) => x.noise.stealMax).filter((v): v is number => typeof v === 'number');
  return {
    basis: t[0]?.basis ?? 'wall', threads: t[0]?.threads ?? 1,
    quiet: worstStatus(t.map((x) => x?.quiet ?? 'unknown')),
    noisyRuns: seeds.filter((_, i) => t[i]?.quiet === 'noisy'),
    foreignCoresMax: fc.length ? Math.max(...fc) : null, stealMax: st.length ? Math.max(...st) : null,
  };
}

const x = (c: MeanCI) => (c.n > 1 ? `${c.mean.toFixed(2)}× [${c.lo.toFixed(2)}, ${c.hi.toFixed(2)}] (${c.n} seeds, 95% interval)` : `${c.mean.toFixed(2)}× (one seed, no interval)`);

const includesOne = (c: MeanCI) => c.n > 1 && c.lo <= 1 && c.hi >= 1;

/** The plain-language verdict, generated from the aggregate: every claim in it carries its interval. */
export function verdictOf(a: SpeedupAggregate): string {
  const parts: string[] = [];
  const t = a.timing ?? { basis: 'wall', threads: 1, quiet: 'unknown' as const, noisyRuns: [], foreignCoresMax: null, stealMax: null };
  if (t.quiet === 'noisy') parts.push(noisyVerdict(t));
  else speedVerdict(a, parts);
  const r2 = a.paired['rouge-2'];
  if (r2) {
    const sig = r2.lo > 0 || r2.hi < 0;
    parts.push(`Rouge-2: fast ${r2.meanA.toFixed(2)} vs slow ${r2.meanB.toFixed(2)}, difference ${r2.diff.toFixed(2)} [${r2.lo.toFixed(2)}, ${r2.hi.toFixed(2)}] (paired bootstrap over ${r2.n} eval items): ${sig ? 'a difference this experiment resolves' : 'no difference this experiment can resolve'}.`);
  }
  if (t.quiet === 'unknown' && a.timing) parts.push('How quiet the machine was during timing is unknown (no /proc/stat, or runs from before the timing engine): the speed figures carry no quiet-machine check.');
  else if (t.quiet === 'quiet') parts.push(`Timed on ${t.basis} time at ${t.threads} thread(s) (${t.basis === 'wall' ? 'wall time is what samples/s means; CPU time is recorded beside it' : 'CPU time, as configured'}), on a quiet machine (other load at most ${(t.foreignCoresMax ?? 0).toFixed(2)} cores, steal at most ${(100 * (t.stealMax ?? 0)).toFixed(1)}%).`);
  return parts.join(' ');
}

/** Said instead of any speed conclusion when a timed section stayed noisy after its re-runs. */
function noisyVerdict(t: NonNullable<SpeedupAggregate['timing']>): string {
  return `No speed verdict: the timing of seed(s) ${t.noisyRuns.join(', ')} stayed noisy after re-runs (other processes' load up to ${(t.foreignCoresMax ?? NaN).toFixed(2)} cores, steal up to ${(100 * (t.stealMax ?? 0)).toFixed(1)}%; limits 0.1 core and 2%), so the ratios below describe a shared machine, not the recipes. Re-run on a quiet machine (\`ledgerlab bench noise\` says whether it is).`;
}

function speedVerdict(a: SpeedupAggregate, parts: string[]): void {
  const headline = a.ratio.trained ?? a.ratio.factorial;
  if (headline) parts.push(`With each method's own published recipe, the fast recipe ran at ${x(headline)} the samples/s of the slow one.`);
  if (a.ratio.method && a.ratio.recipe) {
    parts.push(`Split by the training runs: the method alone (LoRA vs P-Tuning v2 under the same recipe) gives ${x(a.ratio.method)}${includesOne(a.ratio.method) ? ' — no difference this experiment can resolve' : ''}; the recipe alone (P-Tuning v2 under its own vs LoRA's recipe) gives ${x(a.ratio.recipe)}${includesOne(a.ratio.recipe) ? ' — no difference this experiment can resolve' : ''}.`);
  }
  if (a.ratio.matched) {
    parts.push(`In the factorial grid's short cells, matched recipes (same padding, checkpointing and precision) give ${x(a.ratio.matched)}${includesOne(a.ratio.matched) ? ': no speed difference this experiment can resolve' : ''}.`);
  }
  const logs = Object.entries(a.shapley).map(([f, c]) => ({ f, log: Math.log(c.mean), c }));
  const total = logs.reduce((s, p) => s + p.log, 0);
  if (logs.length && a.ratio.factorial) {
    const clear = logs.filter((p) => p.c.n > 1 && !includesOne(p.c));
    parts.push(`The factorial grid gives ${x(a.ratio.factorial)}, split by Shapley value into ${logs.map((p) => `${p.f} ${p.c.mean.toFixed(2)}×`).join(', ')}; ${clear.length ? `only ${clear.map((p) => `${p.f} (${p.c.lo.toFixed(2)}–${p.c.hi.toFixed(2)}×)`).join(', ')} ${clear.length === 1 ? 'has an interval' : 'have intervals'} excluding 1.0×` : 'no factor\'s interval excludes 1.0×'}.`);
    if (headline && Math.sign(Math.log(headline.mean)) !== Math.sign(total)) {
      parts.push('The factorial cells and the trained recipes\' own rounds disagree on the direction of the ratio: raise timing.timeCapS or factorial.steps.');
    } else if (Math.abs(total) > 1e-9) {
      // Shares of the log-ratio: factors pulling the other way get negative shares.
      const recipe = logs.filter((p) => p.f !== 'method' && p.f !== 'prefix').reduce((s, p) => s + p.log, 0) / total;
      const who = recipe > 0.5 ? 'the recipe (padding, checkpointing, quantization), not the method,' : 'the method itself (with its prefix length), not the recipe,';
      parts.push(`By point estimates, ${(100 * recipe).toFixed(0)}% of the log-ratio comes from the recipe and ${(100 * (1 - recipe)).toFixed(0)}% from the method and prefix length: ${who} explains most of the gap.`);
    }
  }
}
