/**
 * The reviewer's view of scale runs (issue 17): the ladder, the measured fast/slow ratio per rung with each
 * factor's Shapley share against model size (lines with interval bands), the cost model's predicted vs
 * measured step time for every cell (log axes, y = x, held-out rung marked) with its error distribution, the
 * ChatGLM2-6B / A100 prediction next to the published numbers, quality with distinct-n / repetition next to
 * ROUGE and the degenerate flag, the measurement conditions, and the generated verdict.
 *
 * Every number is read from the runs' run.json summaries (the shape in summary.ts); the runs of one config
 * are pooled by combineScaleSummaries, runs of different configs get sections of their own.
 * Notebook 05-scale-transfer draws the same charts and tables from these functions.
 */
import type { RunEntry } from '../../results/index.ts';
import {
  type ReportPart, lineBandChart, scatterChart, withProvenance, type Chart, type LinePoint, chartBlock, paragraph,
  provenanceBlock, provenanceLine, runProvenance, table, type Cell, type Section, type TableBlock,
} from '../../report/index.ts';
import { LedgerLabError } from '../../errors.ts';
import { combineScaleSummaries, type ScaleNumbers } from './combine.ts';
import { median } from '../../measure/index.ts';
import { COST_MODEL_TARGETS, FACTOR_LABEL, formatParams, formatPct, hasInterval, scaleVerdict } from './verdict.ts';
import type { Est, ScaleRung } from './summary.ts';
import { DEGENERATE_RULE } from './quality.ts';

export const SCALE_TITLE = 'Does the 3.7× survive scale? A model-size ladder, a calibrated cost model and a ChatGLM2-6B / A100 prediction';

export const SCALE_LIMITS = [
  'The ladder runs on this machine\'s CPU with the tfjs wasm backend: absolute step times do not transfer; the cost model is what carries the counts to an A100.',
  'The A100 prediction uses NVIDIA\'s datasheet peaks and an assumed efficiency range (not a measurement on an A100); its interval is that range, not a statistical interval.',
  'ChatGLM2-6B\'s lengths are AdvertiseGen characters (no ChatGLM tokenizer is shipped) and its int4 format is modelled as nf4.',
  'Quality runs are short; where their outputs are degenerate (by the kind\'s distinct-n / repetition rule) their ROUGE says nothing and is not compared.',
];

const label = (f: string) => FACTOR_LABEL[f] ?? f;

/** Est → a table cell: an interval when it has one, else the bare number. */
export function estCell(e: Est | undefined): Cell {
  if (!e || !Number.isFinite(e.value)) return null;
  return hasInterval(e) ? { mean: e.value, lo: e.lo, hi: e.hi } : e.value;
}

export interface ScaleGroup {
  name: string;
  configSha256: string;
  runs: RunEntry[];
  seeds: number[];
  /** The runs' summaries pooled (one run: its summary as recorded). */
  summary: ScaleNumbers;
}

/** A run's summary, checked for the parts the report reads (a foreign or half-written run.json is a located error). */
export function readScaleSummary(e: RunEntry): ScaleNumbers {
  const s = e.record.summary as Partial<ScaleNumbers> | undefined;
  const where = `${e.dir}/run.json summary`;
  const need = (ok: boolean, key: string) => {
    if (!ok) throw new LedgerLabError({ kind: 'data', problem: `the scale run's summary has no valid "${key}"`, where: `${where}.${key}`, hint: 'a finished scale run writes the summary of lib/experiments/scale/summary.ts; rerun it with this version' });
  };
  need(!!s && typeof s === 'object', 'rungs');
  need(Array.isArray(s!.rungs) && s!.rungs.length > 0, 'rungs');
  need(Array.isArray(s!.factors), 'factors');
  need(!!s!.costModel && typeof s!.costModel.relErrorMedian === 'number', 'costModel');
  need(!!s!.measurement && typeof s!.measurement.target === 'number', 'measurement');
  need(typeof s!.prediction?.chatglm2_a100?.ratio === 'number', 'prediction.chatglm2_a100');
  return s as ScaleNumbers;
}

/** Finished scale runs grouped by config (seeds of one config are replicates), oldest config first. */
export function scaleGroups(runs: readonly RunEntry[]): ScaleGroup[] {
  const done = runs.filter((e) => e.record.kind === 'scale' && e.status === 'finished')
    .sort((a, b) => a.record.startedAt.localeCompare(b.record.startedAt) || a.record.runId.localeCompare(b.record.runId));
  const by = new Map<string, RunEntry[]>();
  for (const e of done) by.set(e.record.configSha256, [...(by.get(e.record.configSha256) ?? []), e]);
  return [...by.entries()].map(([sha, es]) => ({
    name: es[0]!.record.name,
    configSha256: sha,
    runs: es,
    seeds: [...new Set(es.flatMap((e) => e.record.seeds))].sort((a, b) => a - b),
    summary: combineScaleSummaries(es.map(readScaleSummary), es.map((e) => e.record.runId).join(', ')),
  }));
}

/**
 * The group notebook 05 shows in `load` mode: the config whose newest finished run started last (optionally
 * only configs of the experiment `name`). A located error when there is none.
 */
export function latestScaleGroup(runs: readonly RunEntry[], name = '', where = 'results'): ScaleGroup {
  const groups = scaleGroups(runs).filter((g) => !name || g.name === name);
  const newest = (g: ScaleGroup) => g.runs.map((e) => e.record.startedAt).sort().at(-1)!;
  const g = groups.sort((a, b) => newest(a).localeCompare(newest(b))).at(-1);
  if (!g) {
    throw new LedgerLabError({ kind: 'usage', problem: `no finished scale run${name ? ` named "${name}"` : ''}`, where, hint: 'run one first: `ledgerlab run experiments/scale-quick.json`, or the notebook with mode = \'run\'' });
  }
  return g;
}

const sorted = (s: ScaleNumbers) => [...s.rungs].sort((a, b) => a.params - b.params);

/** Chart subtitle lines: the provenance line, then the machine(s). */
function provenance(runs: readonly RunEntry[]): string[] {
  const machines = [...new Set(runs.map((r) => runProvenance(r).machine))];
  return [provenanceLine(runs), `machine ${machines.join(' / ')}`];
}

export interface ScaleCharts { shares: Chart; stepTime: Chart }

export function scaleCharts(s: ScaleNumbers, runs: readonly RunEntry[]): ScaleCharts {
  const rungs = sorted(s);
  const point = (r: ScaleRung, series: string, e: Est): LinePoint => ({ x: r.params, series, mean: e.value, ...(hasInterval(e) ? { lo: e.lo, hi: e.hi } : {}) });
  const points = [
    ...s.factors.flatMap((f) => rungs.filter((r) => r.shapley[f]).map((r) => point(r, label(f), r.shapley[f]!))),
    ...rungs.map((r) => point(r, 'total: fast / slow ratio', r.ratio)),
  ];
  const prov = provenance(runs);
  const shares = withProvenance(lineBandChart({
    title: 'Each factor\'s Shapley share of the speed ratio vs model size',
    x: { title: 'parameters of the base' }, y: { title: 'Shapley factor', unit: '×' }, series: { title: 'factor' },
    points, logX: true, logY: true,
  }), prov, 'Per rung: each factor\'s Shapley value (×; their product is the factorial grid\'s fast/slow ratio) and the measured ratio, with 95% interval bands over seeds (no band: one seed). Log axes.');
  const held = s.costModel.heldOut;
  const cells = rungs.flatMap((r) => r.cells.map((c) => ({ x: c.seconds, y: c.predictedSeconds, series: c.heldOut ? `${r.name} (held out)` : r.name })));
  const stepTime = withProvenance(scatterChart({
    title: 'Cost model: predicted vs measured step time',
    x: { title: 'measured step time', unit: 's' }, y: { title: 'predicted step time', unit: 's' }, series: { title: 'rung' },
    points: cells, logX: true, logY: true, identity: true,
  }), prov, `Every measured cell of every rung (median over interleaved rounds); dashed line: y = x. Device constants fitted on ${s.costModel.fittedOn.join(', ')}; ${held} held out. Median |predicted − measured| / measured: ${formatPct(s.costModel.relErrorMedian)} over all cells, ${formatPct(s.costModel.heldOutRelErrorMedian)} on ${held}.`);
  return { shares, stepTime };
}

const int = (key: string, title?: string) => ({ key, ...(title ? { title } : {}), digits: 0 });

export function ladderTable(s: ScaleNumbers): TableBlock {
  return table({
    columns: ['rung', 'params', ...['layers', 'd', 'heads'].map((k) => int(k)), int('kv', 'kv heads'), int('ffn'), int('vocab'), int('context'), int('prefix', 'P-Tuning prefix'), int('r', 'LoRA r'), int('cells', 'cells timed')],
    rows: sorted(s).map((r) => ({ rung: r.name, params: formatParams(r.params), layers: r.shape.layers, d: r.shape.d, heads: r.shape.heads, kv: r.shape.kvHeads, ffn: r.shape.ffn, vocab: r.shape.vocab, context: r.context, prefix: r.prefix, r: r.loraR, cells: r.cells.length })),
    caption: 'The ladder: Llama-shaped bases; each rung\'s recipes scaled from the published ones (prefix = 128/1024 of the context, LoRA r = 32 · d / 4096, at least 1).',
  });
}

export function ratioTable(s: ScaleNumbers): TableBlock {
  return table({
    columns: ['rung', 'params', { key: 'ratio', title: 'fast / slow (×)', digits: 2 }, ...s.factors.map((f) => ({ key: f, title: `${f} (×)`, digits: 2 }))],
    rows: sorted(s).map((r) => ({ rung: r.name, params: formatParams(r.params), ratio: estCell(r.ratio), ...Object.fromEntries(s.factors.map((f) => [f, estCell(r.shapley[f])])) })),
    caption: 'Measured fast/slow ratio (samples/s) and each factor\'s Shapley value per rung, with 95% intervals over seeds where there are several.',
  });
}

export function costModelTable(s: ScaleNumbers): TableBlock {
  const rows = sorted(s).map((r) => {
    const e = r.cells.map((c) => c.relError);
    return { rung: r.name, role: r.name === s.costModel.heldOut ? 'held out' : s.costModel.fittedOn.includes(r.name) ? 'fitted' : '—', cells: r.cells.length, median: median(e), min: Math.min(...e), max: Math.max(...e) };
  });
  const all = s.costModel.relErrors;
  rows.push({ rung: 'all', role: '', cells: all.length, median: s.costModel.relErrorMedian, min: Math.min(...all), max: Math.max(...all) });
  return table({
    columns: ['rung', 'role', int('cells'), { key: 'median', title: 'median rel. error', digits: 3 }, { key: 'min', title: 'min', digits: 3 }, { key: 'max', title: 'max', digits: 3 }],
    rows,
    caption: `|predicted − measured| / measured step time per cell. Targets: median ≤ ${COST_MODEL_TARGETS.relErrorMedian} over all cells, ≤ ${COST_MODEL_TARGETS.heldOutRelErrorMedian} on the held-out rung (recorded: ${s.costModel.relErrorMedian.toFixed(3)} and ${s.costModel.heldOutRelErrorMedian.toFixed(3)}).`,
  });
}

export function predictionTable(s: ScaleNumbers): TableBlock {
  const p = s.prediction.chatglm2_a100;
  const sp = p.samplesPerSecond;
  const rate = (k: 'lora' | 'ptuning'): Est => ({ value: sp[k], ...(typeof sp[`${k}.lo`] === 'number' ? { lo: sp[`${k}.lo`] } : {}), ...(typeof sp[`${k}.hi`] === 'number' ? { hi: sp[`${k}.hi`] } : {}) });
  return table({
    columns: ['quantity', { key: 'predicted', digits: 2 }, { key: 'published', digits: 2 }],
    rows: [
      { quantity: 'LoRA r 32, samples/s', predicted: estCell(rate('lora')), published: p.published.lora },
      { quantity: 'P-Tuning v2 prefix 128, samples/s', predicted: estCell(rate('ptuning')), published: p.published.ptuning },
      { quantity: 'ratio LoRA / P-Tuning v2 (×)', predicted: estCell({ value: p.ratio, lo: p['ratio.lo'], hi: p['ratio.hi'] }), published: p.published.ratio },
      { quantity: 'peak memory, LoRA (GiB; published: GB)', predicted: p.memoryGB.lora, published: p.published.memoryGB.lora },
      { quantity: 'peak memory, P-Tuning v2 (GiB; published: GB)', predicted: p.memoryGB.ptuning, published: p.published.memoryGB.ptuning },
    ],
    caption: `ChatGLM2-6B on ${p.device}, batch 4, AdvertiseGen lengths: the cost model's prediction (interval: the device's efficiency range) next to LLaMA-Factory's published figures.`,
  });
}

export function predictedShapleyTable(s: ScaleNumbers): TableBlock {
  const last = sorted(s).at(-1)!;
  return table({
    columns: ['factor', { key: 'predicted', title: `predicted, ${s.prediction.chatglm2_a100.device} (×)`, digits: 2 }, { key: 'measured', title: `measured, ${last.name} (×)`, digits: 2 }],
    rows: s.factors.map((f) => ({ factor: f, predicted: s.prediction.chatglm2_a100.shapley[f] ?? null, measured: estCell(last.shapley[f]) })),
    caption: 'The predicted ratio split into the same factors as the measured one (Shapley values; their product is the ratio).',
  });
}

const isDegenerate = (r: ScaleRung) => !!r.quality && (r.quality.degenerate || r.quality.fast.degenerate || r.quality.slow.degenerate);

export function qualityTable(s: ScaleNumbers): TableBlock | undefined {
  const rungs = sorted(s).filter((r) => r.quality);
  if (!rungs.length) return undefined;
  return table({
    columns: ['rung', 'recipe', { key: 'rougeL', title: 'ROUGE-L', digits: 2 }, { key: 'rouge1', title: 'ROUGE-1', digits: 2 }, { key: 'bleu4', title: 'BLEU-4', digits: 2 },
      { key: 'distinct1', title: 'distinct-1', digits: 3 }, { key: 'distinct2', title: 'distinct-2', digits: 3 }, { key: 'repetition', digits: 3 },
      int('steps', 'train steps'), 'degenerate', { key: 'compared', title: 'ROUGE compared' }],
    rows: rungs.flatMap((r) => (['fast', 'slow'] as const).map((k) => {
      const a = r.quality![k];
      return { rung: r.name, recipe: k, rougeL: a.rougeL, rouge1: a.rouge1, bleu4: a.bleu4, distinct1: a.distinct1, distinct2: a.distinct2, repetition: a.repetition, steps: a.trainSteps, degenerate: a.degenerate, compared: !isDegenerate(r) };
    })),
    caption: `Per rung, each recipe's quality run: Chinese ROUGE / BLEU-4 as LLaMA-Factory computes them (×100); distinct-1/2 (distinct n-grams / n-grams over all predictions) and repetition (seq-rep-4) as fractions. A rung whose outputs are degenerate (either arm: distinct-2 < ${DEGENERATE_RULE.minDistinct2} or repetition > ${DEGENERATE_RULE.maxRepetition}) has its ROUGE shown but not compared.`,
  });
}

export function measurementTable(s: ScaleNumbers, runs: readonly RunEntry[]): TableBlock {
  const m = s.measurement;
  const cells = s.rungs.flatMap((r) => r.cells);
  const iqr = cells.map((c) => c.iqrRel);
  const sample = cells.flatMap((c) => (typeof c.sampleIqrRel === 'number' ? [c.sampleIqrRel] : []));
  return table({
    columns: [{ key: 'k', title: 'condition' }, { key: 'v', title: 'value' }],
    rows: [
      { k: 'paired rounds per cell', v: `${m.roundsMin}–${m.roundsMax} (every round every cell trains on the same batches, seeded shuffled order)` },
      { k: 'target: each rung\'s ratio interval within ±', v: `${Number((m.target * 100).toFixed(1))}%` },
      { k: 'rungs over the target when the rounds stopped', v: `${m.rungsOverTarget} of ${s.rungs.length}` },
      { k: 'quiet machine (other load ≤ 0.1 core, steal ≤ 2% per round, noisy rounds re-run)', v: m.quiet ?? 'unknown' },
      { k: 'spread of the median, median and max over cells', v: cells.length ? `${formatPct(median(iqr))}, ${formatPct(Math.max(...iqr))}` : '—' },
      ...(sample.length ? [{ k: 'IQR / median of single rounds, median and max over cells', v: `${formatPct(median(sample))}, ${formatPct(Math.max(...sample))}` }] : []),
      { k: 'rounds taken, median over cells', v: cells.length ? String(median(cells.map((c) => c.rounds))) : '—' },
      { k: 'CPU pinned', v: m.cpuPinned ?? 'no' },
      { k: '1-min load average at the start of timing', v: m.otherLoad.toFixed(2) },
      { k: 'runs (seeds)', v: `${runs.length} (${[...new Set(runs.flatMap((r) => r.record.seeds))].sort((a, b) => a - b).join(', ')})` },
    ],
    caption: 'How the step times the cost model is fitted on were measured.',
  });
}

/**
 * The fitted constants in words. The fit is non-negative: a term it drops costs 0 s per unit, so its rate is
 * infinite (null once written to JSON) — printed as "no … term" rather than as a number.
 */
export function deviceText(d: ScaleNumbers['costModel']['device']): string {
  const rate = (v: number | null, scale: number, unit: string, term: string) => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? `${(v / scale).toFixed(2)} ${unit}` : `no ${term} term (the non-negative fit set its cost to 0)`);
  const k = d.secondsPerKernel;
  return [
    rate(d.flopsPerSecond, 1e9, 'GFLOP/s', 'FLOP'),
    rate(d.bytesPerSecond, 1e9, 'GB/s', 'byte'),
    typeof k === 'number' && k > 0 ? `${(k * 1e6).toFixed(1)} µs per kernel` : 'no per-kernel term (the non-negative fit set its cost to 0)',
    ...(typeof d.secondsPerDequantValue === 'number' ? [d.secondsPerDequantValue > 0 ? `${(d.secondsPerDequantValue * 1e9).toFixed(2)} ns per dequantized 4-bit value` : 'no dequantization term (the non-negative fit set its cost to 0)'] : []),
  ].join(', ');
}

/** The sections of one config's runs; `prefix` names the config when the report holds several. */
export function scaleSections(g: ScaleGroup, prefix = ''): Section[] {
  const s = g.summary;
  const charts = scaleCharts(s, g.runs);
  const q = qualityTable(s);
  const t = (x: string) => `${prefix}${x}`;
  return [
    { title: t('Ladder and speed ratio'), blocks: [ladderTable(s), ratioTable(s), chartBlock(charts.shares, g.runs)] },
    { title: t('Cost model: predicted vs measured'), blocks: [
      paragraph(`Fitted device (three constants): ${deviceText(s.costModel.device)}; fitted on ${s.costModel.fittedOn.join(', ')}, ${s.costModel.heldOut} held out.`),
      chartBlock(charts.stepTime, g.runs), costModelTable(s),
    ] },
    { title: t('ChatGLM2-6B on an A100: prediction vs published'), blocks: [predictionTable(s), predictedShapleyTable(s)] },
    { title: t('Quality'), blocks: q ? [q] : [paragraph('No quality runs in these scale runs.')] },
    { title: t('Measurement conditions'), blocks: [measurementTable(s, g.runs)] },
    { title: t('Verdict'), blocks: [paragraph(scaleVerdict(s)), provenanceBlock(g.runs)] },
  ];
}

export function scaleReport(runs: RunEntry[]): ReportPart {
  const groups = scaleGroups(runs);
  if (!groups.length) {
    return { title: SCALE_TITLE, sections: [{ title: 'Scale: no finished runs', blocks: [paragraph(`${runs.length} scale run(s), none finished: there are no results to show.`)] }], limits: SCALE_LIMITS };
  }
  const many = groups.length > 1;
  const finished = groups.flatMap((g) => g.runs);
  const p = runProvenance(finished[0]!);
  return {
    title: SCALE_TITLE,
    subtitle: `${finished.length} finished run(s)${many ? ` of ${groups.length} configs` : ''}; ${p.backend} backend on ${p.machine}`,
    sections: groups.flatMap((g) => scaleSections(g, many ? `${g.name} (config ${g.configSha256.slice(0, 8)}): ` : '')),
    limits: SCALE_LIMITS,
  };
}
