/**
 * From finished qlora runs (one per seed) to the figures the report prints: per dtype the exact frozen bytes
 * and their ratios to fp16/fp32, step time and tokens/s with 95% t-intervals over seeds (of each seed's
 * median step), the decode share of a step, peak memory, quantization error, ROUGE/BLEU with bootstrap
 * intervals over (seed, example), the QLoRA-vs-fp16 equivalence test, the ladder and its projection.
 * The verdict sentence is generated from these numbers.
 *
 * @example
 * const agg = aggregateQlora(findRuns(['qlora-quick']));
 * agg.parity?.equivalent   // true when the 95% interval of (nf4-dq − fp16) lies within ±δ
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { meanCI, type MeanCI } from '../../measure/index.ts';
import {
  bootstrapCI, pairedBootstrap, type BootstrapCI, type PairedBootstrap, ZH_KEYS, diversityScores, type DiversityScores,
} from '../../metrics/index.ts';
import { readJsonl, type RunEntry } from '../../results/index.ts';
import { runRow, type RunRow } from '../run-row.ts';
import { LedgerLabError } from '../../errors.ts';
import { ratioCI } from '../speedup/index.ts';
import { projectMemory, timeExponent, type LadderRow, type ProjectionRow } from './scaling.ts';
import type { LayerQuantError } from './bytes.ts';
import type { DtypeResult } from './kind.ts';
import type { QloraConfig } from './config.ts';

export type QloraRunSummary = Awaited<ReturnType<typeof import('./kind.ts').runQlora>>;

export interface Equivalence {
  a: string;
  b: string;
  metric: string;
  delta: number;
  meanA: number;
  meanB: number;
  diff: number;
  lo: number;
  hi: number;
  n: number;
  /** The whole 95% interval of a − b lies inside [−δ, +δ] (and the scores are not all zero). */
  equivalent: boolean;
  /** Both arms scored 0 on every item: nothing was learned, so agreement is no evidence of parity. */
  degenerate: boolean;
  verdict: string;
}

/**
 * Two one-sided tests in interval form: equivalent within ±δ iff lo ≥ −δ and hi ≤ δ.
 *
 * @example
 * equivalence({ diff: 0.3, lo: -1.1, hi: 1.6, ... }, 2, 'nf4-dq', 'fp16', 'rouge-l').equivalent  // true
 */
export function equivalence(p: PairedBootstrap, delta: number, a: string, b: string, metric: string): Equivalence {
  const degenerate = p.meanA === 0 && p.meanB === 0 && p.lo === 0 && p.hi === 0;
  const equivalent = !degenerate && p.lo >= -delta && p.hi <= delta;
  const f = (x: number) => x.toFixed(2);
  const verdict = degenerate
    ? `no evidence: ${metric} is 0 for both ${a} and ${b} on every item (the adapters learned nothing scorable; train longer)`
    : equivalent
    ? `equivalent within ±${f(delta)}: ${metric} ${a} − ${b} = ${f(p.diff)} [${f(p.lo)}, ${f(p.hi)}] lies inside [−${f(delta)}, ${f(delta)}]`
    : `not shown equivalent within ±${f(delta)}: ${metric} ${a} − ${b} = ${f(p.diff)} [${f(p.lo)}, ${f(p.hi)}] reaches outside [−${f(delta)}, ${f(delta)}]`;
  return { a, b, metric, delta, meanA: p.meanA, meanB: p.meanB, diff: p.diff, lo: p.lo, hi: p.hi, n: p.n, equivalent, degenerate, verdict };
}

export interface DtypeAggregate {
  dtype: string;
  trainableParams: number;
  linearParams: number;
  linearBytes: number;
  /** Formula and buffer sizes agreed in every run. */
  exact: boolean;
  bitsPerParam: number;
  frozenBytes: number;
  stateBytes: number;
  optimizerBytes: number;
  gradientBytes: number;
  stepMs: MeanCI;
  tokensPerS: MeanCI;
  dequantMsPerStep: MeanCI;
  peakBytes: MeanCI;
  transientBytes: MeanCI;
  maxRssBytes: number;
  quantError: DtypeResult['quantError'];
  scores?: Record<string, BootstrapCI>;
  /** distinct-1/2 and repetition of the predictions pooled over seeds (corpus-level, so no interval). */
  diversity?: DiversityScores;
  evalLoss?: MeanCI;
}

export interface QloraAggregate {
  runs: RunRow[];
  config: QloraConfig;
  dtypes: Record<string, DtypeAggregate>;
  /** Block-linear weight bytes and whole frozen base relative to fp16 and fp32 (exact, seed-independent). */
  memoryRatio: Record<string, { linearVsFp16?: number; linearVsFp32?: number; frozenVsFp16?: number; frozenVsFp32?: number }>;
  /** Step time relative to fp16 and to fp32, geometric mean over seeds with 95% interval. */
  slowdown: Record<string, { vsFp16?: MeanCI; vsFp32?: MeanCI }>;
  paired: Record<string, PairedBootstrap>;
  parity?: Equivalence;
  layerErrors: Record<string, LayerQuantError[]>;
  ladder: LadderRow[];
  exponent: Record<string, number>;
  projection: ProjectionRow[];
  verdict: string;
}

interface Item { id: string; [k: string]: unknown }

function readJson<T>(path: string): T | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined;
}

export function aggregateQlora(entries: readonly RunEntry[]): QloraAggregate {
  const done = entries.filter((e) => e.record.kind === 'qlora' && e.status === 'finished');
  if (done.length === 0) {
    throw new LedgerLabError({ kind: 'usage', problem: 'no finished qlora runs to aggregate', where: entries.map((e) => e.dir).join(', ') || '(none)', hint: 'run `ledgerlab run experiments/qlora-quick.json` first' });
  }
  const sums = done.map((e) => e.record.summary as QloraRunSummary);
  const config = done[0]!.record.config as QloraConfig;
  const runs = done.map(runRow);
  const names = config.dtypes.filter((d) => sums.some((s) => s.dtypes[d]));
  const items: Record<string, Map<string, Item>> = {};
  const dtypes: Record<string, DtypeAggregate> = {};
  for (const d of names) {
    items[d] = predictionsOf(done, runs, d);
    dtypes[d] = dtypeAggregate(d, sums.map((s) => s.dtypes[d]).filter((x): x is DtypeResult => !!x), [...items[d]!.values()]);
  }
  const { memoryRatio, slowdown } = relativeToFp16AndFp32(names, dtypes, sums);
  const { paired, parity } = parityTest(items, config.parity);
  const layerErrors = readJson<Record<string, LayerQuantError[]>>(join(done[0]!.dir, 'quant-errors.json')) ?? {};
  const ladder = meanLadder(done, config);
  const method = config.method as { method: string; r?: number; targets?: string[] };
  const projection = projectMemory(ladder, { r: method.r ?? 8, targets: method.targets?.length ?? 2 });

  const agg: QloraAggregate = {
    runs, config, dtypes, memoryRatio, slowdown, paired, ...(parity ? { parity } : {}), layerErrors,
    ladder, exponent: timeExponent(ladder), projection, verdict: '',
  };
  agg.verdict = qloraVerdict(agg);
  return agg;
}

/** Every run's scored predictions of one dtype, keyed "seed:item id". */
function predictionsOf(done: readonly RunEntry[], runs: QloraAggregate['runs'], d: string): Map<string, Item> {
  const all = new Map<string, Item>();
  done.forEach((e, i) => {
    const p = join(e.dir, `predictions-${d}.jsonl`);
    if (existsSync(p)) for (const it of readJsonl<Item>(p)) all.set(`${runs[i]!.seed}:${it.id}`, it);
  });
  return all;
}

/** One dtype over seeds: exact sizes from the first run, timings and memory as t-intervals, scores by bootstrap. */
function dtypeAggregate(d: string, rs: readonly DtypeResult[], vals: readonly Item[]): DtypeAggregate {
  const r0 = rs[0]!;
  const q = rs.map((r) => r.quality).filter((x) => !!x);
  return {
    dtype: d, trainableParams: r0.trainableParams, linearParams: r0.linearWeights.n, linearBytes: r0.linearWeights.measured,
    exact: rs.every((r) => r.linearWeights.exact && r.linearWeights.theoretical === r.linearWeights.measured),
    bitsPerParam: r0.linearWeights.bitsPerParam, frozenBytes: r0.frozenBytes, stateBytes: r0.stateBytes, optimizerBytes: r0.optimizerBytes, gradientBytes: r0.gradientBytes,
    stepMs: meanCI(rs.map((r) => r.step.ms.median)), tokensPerS: meanCI(rs.map((r) => r.step.tokensPerS.median)),
    dequantMsPerStep: meanCI(rs.map((r) => r.step.dequantMsPerStep)), peakBytes: meanCI(rs.map((r) => r.step.peakBytes)),
    transientBytes: meanCI(rs.map((r) => r.step.transientBytes)), maxRssBytes: Math.max(...rs.map((r) => r.step.maxRssBytes)),
    quantError: r0.quantError,
    ...(vals.length ? { scores: Object.fromEntries(ZH_KEYS.map((k) => [k, bootstrapCI(vals.map((v) => v[k] as number), { seed: `qlora:${d}:${k}` })])), diversity: diversityScores(vals.map((v) => String(v.prediction ?? '')), 'zh') } : {}),
    ...(q.length ? { evalLoss: meanCI(q.map((x) => x!.evalLoss)) } : {}),
  };
}

/** Each dtype's bytes relative to fp16 and fp32 (exact), and its step time relative to them (over seeds). */
function relativeToFp16AndFp32(names: readonly string[], dtypes: Record<string, DtypeAggregate>, sums: readonly QloraRunSummary[]): Pick<QloraAggregate, 'memoryRatio' | 'slowdown'> {
  const memoryRatio: QloraAggregate['memoryRatio'] = {};
  const slowdown: QloraAggregate['slowdown'] = {};
  for (const d of names) {
    const x = dtypes[d]!;
    const ref = (r: string) => dtypes[r];
    memoryRatio[d] = {
      ...(ref('fp16') ? { linearVsFp16: x.linearBytes / ref('fp16')!.linearBytes, frozenVsFp16: x.frozenBytes / ref('fp16')!.frozenBytes } : {}),
      ...(ref('fp32') ? { linearVsFp32: x.linearBytes / ref('fp32')!.linearBytes, frozenVsFp32: x.frozenBytes / ref('fp32')!.frozenBytes } : {}),
    };
    const per = (r: string) => sums.map((s) => (s.dtypes[d] && s.dtypes[r] ? s.dtypes[d]!.step.ms.median / s.dtypes[r]!.step.ms.median : NaN)).filter(Number.isFinite);
    const v16 = per('fp16'), v32 = per('fp32');
    slowdown[d] = { ...(v16.length ? { vsFp16: ratioCI(v16) } : {}), ...(v32.length ? { vsFp32: ratioCI(v32) } : {}) };
  }
  return { memoryRatio, slowdown };
}

/** Paired bootstrap of every score over the (seed, item) pairs both parity arms have, and the equivalence test. */
function parityTest(items: Record<string, Map<string, Item>>, { a, b, metric, delta }: QloraConfig['parity']): { paired: Record<string, PairedBootstrap>; parity?: Equivalence } {
  const paired: Record<string, PairedBootstrap> = {};
  if (!items[a]?.size || !items[b]?.size) return { paired };
  const keys = [...items[a]!.keys()].filter((k) => items[b]!.has(k)).sort();
  if (!keys.length) return { paired };
  for (const k of ZH_KEYS) {
    paired[k] = pairedBootstrap(keys.map((id) => items[a]!.get(id)![k] as number), keys.map((id) => items[b]!.get(id)![k] as number), { seed: `qlora:paired:${k}` });
  }
  return { paired, parity: equivalence(paired[metric]!, delta, a, b, metric) };
}

/** Ladder rows: mean step time over seeds per (rung, dtype); sizes are seed-independent. */
function meanLadder(done: readonly RunEntry[], config: QloraConfig): LadderRow[] {
  const ladderBy = new Map<string, LadderRow[]>();
  for (const e of done) {
    for (const r of readJson<LadderRow[]>(join(e.dir, 'ladder.json')) ?? []) {
      const k = `${r.layers}:${r.dModel}:${r.dtype}`;
      if (!ladderBy.has(k)) ladderBy.set(k, []);
      ladderBy.get(k)!.push(r);
    }
  }
  return [...ladderBy.values()].map((rs) => {
    const med = rs.map((r) => r.stepMs.median);
    const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
    return { ...rs[0]!, stepMs: { ...rs[0]!.stepMs, median: mean(med) }, tokensPerS: mean(rs.map((r) => r.tokensPerS)), peakBytes: mean(rs.map((r) => r.peakBytes)), transientBytes: mean(rs.map((r) => r.transientBytes)), dequantMsPerStep: mean(rs.map((r) => r.dequantMsPerStep)) };
  }).sort((p, q) => p.params - q.params || config.scaling.dtypes.indexOf(p.dtype) - config.scaling.dtypes.indexOf(q.dtype));
}

const ci = (c: MeanCI, digits = 2, unit = '×') => (c.n > 1 ? `${c.mean.toFixed(digits)}${unit} [${c.lo.toFixed(digits)}, ${c.hi.toFixed(digits)}]` : `${c.mean.toFixed(digits)}${unit} (one seed, no interval)`);

/** The plain-language closing note: memory ratios, the speed cost of dequantization, the quality verdict. */
export function qloraVerdict(a: QloraAggregate): string {
  const parts: string[] = [];
  const q = a.dtypes['nf4-dq'];
  const h = a.dtypes.fp16;
  const f = a.dtypes.fp32;
  if (q && h) {
    parts.push(`Memory: the NF4 + double-quantization base stores its block-linear weights in ${q.bitsPerParam.toFixed(3)} bits per parameter (QLoRA's 4.127 plus the per-tensor constant on tensors this small), ${(a.memoryRatio['nf4-dq']!.linearVsFp16! * 100).toFixed(1)}% of fp16's bytes${f ? ` and ${(a.memoryRatio['nf4-dq']!.linearVsFp32! * 100).toFixed(1)}% of fp32's` : ''}; measured buffers match the formula exactly${Object.values(a.dtypes).every((d) => d.exact) ? ' for every dtype' : ' — EXCEPT where flagged'}.`);
    parts.push(`The whole frozen base (fp32 embeddings, LayerNorms and biases included) is ${(a.memoryRatio['nf4-dq']!.frozenVsFp16! * 100).toFixed(1)}% of the fp16 base's: at this size the unquantized embedding dilutes the saving that dominates at 7B+.`);
  }
  if (q && (a.slowdown['nf4-dq']?.vsFp16 || a.slowdown['nf4-dq']?.vsFp32)) {
    const s = a.slowdown['nf4-dq']!;
    const share = q.dequantMsPerStep.mean / q.stepMs.mean;
    parts.push(`Speed: a QLoRA step takes ${s.vsFp16 ? `${ci(s.vsFp16)} the time of an fp16-base step` : ''}${s.vsFp16 && s.vsFp32 ? ' and ' : ''}${s.vsFp32 ? `${ci(s.vsFp32)} that of an fp32-base step` : ''}; decoding the packed weights takes ${q.dequantMsPerStep.mean.toFixed(1)} ms of its ${q.stepMs.mean.toFixed(1)} ms (${(100 * share).toFixed(0)}%).`);
  }
  if (a.parity) {
    parts.push(`Quality: ${a.parity.verdict} (paired bootstrap over ${a.parity.n} (seed, example) pairs; δ from the config).`);
  } else {
    parts.push('Quality: no parity test (the QLoRA and fp16 quality runs were not both present).');
  }
  return parts.join(' ');
}
