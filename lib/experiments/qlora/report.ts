/**
 * The reviewer's view of qlora runs: the claim, the setup, memory (exact frozen bytes, peak step memory and
 * how it was measured), speed (step time, tokens/s, the decode share), quantization error per layer, quality
 * with the QLoRA-vs-fp16 equivalence test, the scaling ladder with the labelled projection next to the
 * published figures, the generated verdict, the limits. Every number comes from `aggregateQlora`.
 */
import type { RunEntry } from '../../results/index.ts';
import {
  type ReportPart, groupedBarChart, scatterChart, withProvenance, type Chart, chartBlock, paragraph, provenanceBlock,
  provenanceLine, table, type Section,
} from '../../report/index.ts';
import { aggregateQlora, type QloraAggregate } from './aggregate.ts';
import { PUBLISHED_MEMORY, PUBLISHED_BITS } from './scaling.ts';

export const QLORA_CLAIM = [
  'QLoRA (Dettmers et al. 2023) fine-tunes LoRA adapters on a base stored as 4-bit NormalFloat with double quantization,',
  `**about ${PUBLISHED_BITS['nf4-dq']} bits per parameter instead of 16**, and reports quality matching 16-bit fine-tuning while a 65B`,
  'model fits on one 48 GB GPU. LLaMA-Factory estimates 7B at ≈ 16 GB for 16-bit LoRA and ≈ 6 GB for 4-bit QLoRA.',
  'The price is decoding the weights in every forward and backward pass. This experiment measures the bytes exactly,',
  'the decode cost and the quality difference on one tiny model, and labels anything extrapolated as a projection.',
].join(' ');

const MiB = 2 ** 20;

export function qloraCharts(a: QloraAggregate, runs: readonly RunEntry[]): { memory?: Chart; speed?: Chart; rouge?: Chart; ladder?: Chart } {
  const prov = [provenanceLine(runs)];
  const names = Object.keys(a.dtypes);
  const out: { memory?: Chart; speed?: Chart; rouge?: Chart; ladder?: Chart } = {};
  if (!names.length) return out;
  out.memory = withProvenance(groupedBarChart({
    title: 'Frozen base bytes per storage format', x: { title: 'storage of the block linears' }, y: { title: 'bytes', unit: 'KiB' }, series: { title: 'part' },
    rows: names.flatMap((d) => [
      { group: d, series: 'block-linear weights', mean: a.dtypes[d]!.linearBytes / 1024 },
      { group: d, series: 'whole frozen base', mean: a.dtypes[d]!.frozenBytes / 1024 },
    ]),
  }), prov, 'Exact: measured buffer sizes, equal to the theoretical packed sizes. The whole base adds fp32 embeddings, LayerNorms and biases.');
  out.speed = withProvenance(groupedBarChart({
    title: 'Training step time per storage format', x: { title: 'storage of the block linears' }, y: { title: 'step time', unit: 'ms' },
    rows: names.map((d) => ({ group: d, mean: a.dtypes[d]!.stepMs.mean, lo: a.dtypes[d]!.stepMs.lo, hi: a.dtypes[d]!.stepMs.hi })),
  }), prov, 'Mean over seeds of each seed\'s median step (fixed real batch, after warm-up), 95% t-interval.');
  const scored = names.filter((d) => a.dtypes[d]!.scores);
  if (scored.length) {
    out.rouge = withProvenance(groupedBarChart({
      title: 'Quality per storage format (Chinese metric, ×100)', x: { title: 'metric' }, y: { title: 'score', unit: '×100' }, series: { title: 'base' },
      rows: scored.flatMap((d) => Object.entries(a.dtypes[d]!.scores!).map(([k, c]) => ({ group: k, series: d, mean: c.mean, lo: c.lo, hi: c.hi }))),
    }), prov, 'Mean over eval examples × seeds with 95% bootstrap interval (1,000 resamples).');
  }
  if (a.ladder.length) {
    out.ladder = withProvenance(scatterChart({
      title: 'Peak step memory vs parameters (scaling ladder)', x: { title: 'base parameters' }, y: { title: 'peak bytes of a step', unit: 'MiB' }, series: { title: 'base' }, logX: true, logY: true,
      points: a.ladder.map((r) => ({ x: r.params, y: r.peakBytes / MiB, series: r.dtype, label: `${r.stepMs.median.toFixed(0)} ms` })),
    }), prov, 'Peak = transient engine bytes of a step (tf.profile) + resident state incl. packed JS buffers; labels: median step time.');
  }
  return out;
}

/** What the setup paragraph reads from the first run's summary. */
interface QloraRunFacts {
  data: { source: string; path?: string; examples: number; split: { counts: { train: number; eval: number } } };
  base: { key: string; finalLoss: number };
  timingBatch: { shape: number[]; realTokens: number };
}

type QloraCharts = ReturnType<typeof qloraCharts>;

export function qloraSections(a: QloraAggregate, runs: readonly RunEntry[]): Section[] {
  const charts = qloraCharts(a, runs);
  const sections: Section[] = [
    { title: 'The claim', blocks: [paragraph(QLORA_CLAIM)] },
    setupSection(a, runs[0]!.record.summary as QloraRunFacts),
    memorySection(a, charts, runs),
    speedSection(a, charts, runs),
    quantErrorSection(a),
  ];
  if (Object.values(a.dtypes).some((d) => d.scores)) sections.push(qualitySection(a, charts, runs));
  if (a.ladder.length) sections.push(scalingSection(a, charts, runs));
  sections.push({ title: 'Verdict', blocks: [paragraph(a.verdict), provenanceBlock(runs)] });
  return sections;
}

/** Data, base, adapters, training and timing setup, in one paragraph. */
function setupSection(a: QloraAggregate, s0: QloraRunFacts): Section {
  const c = a.config;
  const names = Object.keys(a.dtypes);
  const m = c.method as { r?: number; alpha?: number; targets?: string[] };
  return {
    title: 'Setup',
    blocks: [paragraph(`Data: ${s0.data.source}${s0.data.path ? ` (${s0.data.path})` : ''}, ${s0.data.examples} examples, ${s0.data.split.counts.train} train / ${s0.data.split.counts.eval} eval. Base: tiny decoder ${JSON.stringify(c.model)}, pretrained once (cache key \`${s0.base.key.slice(0, 16)}\`, final loss ${typeof s0.base.finalLoss === 'number' ? s0.base.finalLoss.toFixed(3) : 'n/a (a brought checkpoint)'}) and stored as ${names.join(', ')} (block linears only; embeddings and LayerNorms stay fp32, as in QLoRA). Adapters: LoRA r=${m.r} α=${m.alpha} on ${m.targets?.join(',')}, fp32. ${c.trainSteps} AdamW steps per quality run, batch ${c.batchSize}, lr ${c.lr}; step timing on one fixed batch (the same for every dtype and seed) of shape [${s0.timingBatch.shape.join(', ')}] (${s0.timingBatch.realTokens} real tokens), ${c.timing.warmup} warm-up + ${c.timing.steps} timed steps. Seeds ${a.runs.map((r) => r.seed).join(', ')}.`)],
  };
}

/** Exact bytes per storage format, their ratios, and peak step memory. */
function memorySection(a: QloraAggregate, charts: QloraCharts, runs: readonly RunEntry[]): Section {
  const names = Object.keys(a.dtypes);
  return {
    title: 'Memory',
    blocks: [
      ...(charts.memory ? [chartBlock(charts.memory, runs)] : []),
      table({
        columns: ['base', { key: 'bits', title: 'bits/param', digits: 3 }, { key: 'linear', title: 'linear weights (B)', digits: 0 }, { key: 'exact', title: 'formula = buffers' },
          { key: 'v16', title: '÷ fp16', digits: 3 }, { key: 'v32', title: '÷ fp32', digits: 3 }, { key: 'frozen', title: 'frozen base KiB', digits: 1 },
          { key: 'opt', title: 'grad+AdamW KiB', digits: 1 }, { key: 'peak', title: 'peak step MiB', digits: 2 }, { key: 'transient', title: 'transient MiB', digits: 2 }],
        rows: names.map((d) => {
          const x = a.dtypes[d]!;
          return {
            base: d, bits: x.bitsPerParam, linear: x.linearBytes, exact: x.exact ? 'yes' : 'NO', v16: a.memoryRatio[d]?.linearVsFp16, v32: a.memoryRatio[d]?.linearVsFp32,
            frozen: x.frozenBytes / 1024, opt: (x.gradientBytes + x.optimizerBytes) / 1024,
            peak: { mean: x.peakBytes.mean / MiB, lo: x.peakBytes.lo / MiB, hi: x.peakBytes.hi / MiB, n: x.peakBytes.n },
            transient: { mean: x.transientBytes.mean / MiB, lo: x.transientBytes.lo / MiB, hi: x.transientBytes.hi / MiB, n: x.transientBytes.n },
          };
        }),
        caption: 'Linear weights: Σ byteLength of the packed buffers, asserted equal to Σ theoreticalBytes. Transient = tf.profile\'s peak of live engine bytes during one training step minus the engine bytes alive before it (activations, gradients, decoded tiles). Peak step = transient + the model\'s resident state (frozen base incl. the packed JS buffers the engine does not see, adapters, AdamW moments). maxRSS (process-wide, monotone) is in the run records.',
      }),
    ],
  };
}

/** Step time, tokens/s, ratios to fp16/fp32 and the decode time per step. */
function speedSection(a: QloraAggregate, charts: QloraCharts, runs: readonly RunEntry[]): Section {
  const names = Object.keys(a.dtypes);
  return {
    title: 'Speed: the cost of dequantization',
    blocks: [
      ...(charts.speed ? [chartBlock(charts.speed, runs)] : []),
      table({
        columns: ['base', { key: 'ms', title: 'step ms', digits: 1 }, { key: 'tps', title: 'tokens/s', digits: 0 }, { key: 'v16', title: '÷ fp16 step', digits: 2 }, { key: 'v32', title: '÷ fp32 step', digits: 2 }, { key: 'dq', title: 'decode ms/step', digits: 1 }],
        rows: names.map((d) => ({ base: d, ms: a.dtypes[d]!.stepMs, tps: a.dtypes[d]!.tokensPerS, v16: a.slowdown[d]?.vsFp16, v32: a.slowdown[d]?.vsFp32, dq: a.dtypes[d]!.dequantMsPerStep })),
        caption: 'fp32 keeps the base as tfjs tensors; every other format is decoded tile by tile in each forward and backward pass (QuantLinear), so fp16 pays a decode too. Ratios: geometric mean over seeds with 95% interval.',
      }),
    ],
  };
}

/** The weights' quantization error per format, and per layer for nf4-dq. */
function quantErrorSection(a: QloraAggregate): Section {
  const names = Object.keys(a.dtypes);
  return {
    title: 'Quantization error of the weights',
    blocks: [
      table({
        columns: ['base', { key: 'mean', title: 'mean |err|', digits: 6 }, { key: 'max', title: 'max |err|', digits: 5 }, { key: 'rel', title: 'relative L2', digits: 5 }],
        rows: names.map((d) => ({ base: d, mean: a.dtypes[d]!.quantError.meanAbsError, max: a.dtypes[d]!.quantError.maxAbsError, rel: a.dtypes[d]!.quantError.relativeError })),
        caption: 'All block-linear weights of the pretrained base, dequantize(quantize(w)) vs w.',
      }),
      ...(a.layerErrors['nf4-dq'] ? [table({
        columns: ['layer', { key: 'n', digits: 0 }, { key: 'mean', title: 'mean |err|', digits: 6 }, { key: 'max', title: 'max |err|', digits: 5 }, { key: 'rel', title: 'relative L2', digits: 5 }],
        rows: a.layerErrors['nf4-dq'].map((r) => ({ layer: r.name, n: r.n, mean: r.meanAbsError, max: r.maxAbsError, rel: r.relativeError })),
        caption: 'Per layer, nf4-dq (per-layer rows of every format are in quant-errors.json of each run).',
      })] : []),
    ],
  };
}

/** Scores per format with bootstrap intervals, the paired differences and the parity verdict. */
function qualitySection(a: QloraAggregate, charts: QloraCharts, runs: readonly RunEntry[]): Section {
  const c = a.config;
  return {
    title: 'Quality and the parity test',
    blocks: [
      ...(charts.rouge ? [chartBlock(charts.rouge, runs)] : []),
      table({
        columns: ['base', ...['rouge-1', 'rouge-2', 'rouge-l', 'bleu-4'].map((k) => ({ key: k, digits: 2 })), ...['distinct-1', 'distinct-2', 'repetition'].map((k) => ({ key: k, digits: 3 })), { key: 'loss', title: 'eval loss', digits: 3 }],
        rows: Object.entries(a.dtypes).filter(([, q]) => q.scores).map(([d, q]) => ({ base: d, ...q.scores, ...q.diversity, loss: q.evalLoss })),
        caption: 'Chinese ROUGE/BLEU-4 (jieba words; BLEU on characters), ×100; bootstrap 95% intervals over (seed, example). distinct-1/2 and repetition (seq-rep-4) are fractions on jieba words, pooled over seeds.',
      }),
      ...(Object.keys(a.paired).length ? [table({
        columns: ['metric', { key: 'diff', title: `${c.parity.a} − ${c.parity.b}`, digits: 2 }, { key: 'p', title: `share of resamples ${c.parity.a} > ${c.parity.b}`, digits: 3 }],
        rows: Object.entries(a.paired).map(([k, p]) => ({ metric: k, diff: { mean: p.diff, lo: p.lo, hi: p.hi, n: p.n }, p: p.pAGreater })),
        caption: `Paired bootstrap over (seed, eval example). Equivalence margin δ = ${c.parity.delta} points of ${c.parity.metric} (config parity.delta): equivalent iff the whole 95% interval lies in [−δ, δ].`,
      })] : []),
      paragraph(a.parity ? `**Parity verdict:** ${a.parity.verdict}.` : 'No parity test: both arms need quality runs.'),
    ],
  };
}

/** The scaling ladder, the labelled projection to LLaMA sizes, and the published figures. */
function scalingSection(a: QloraAggregate, charts: QloraCharts, runs: readonly RunEntry[]): Section {
  const c = a.config;
  return {
    title: 'Scaling: memory and step time vs size, and a projection',
    blocks: [
      ...(charts.ladder ? [chartBlock(charts.ladder, runs)] : []),
      table({
        columns: [{ key: 'size', title: 'layers × d' }, { key: 'params', digits: 0 }, 'base', { key: 'linear', title: 'linear weights KiB', digits: 1 }, { key: 'peak', title: 'peak MiB', digits: 2 }, { key: 'ms', title: 'step ms', digits: 1 }, { key: 'dq', title: 'decode ms', digits: 1 }],
        rows: a.ladder.map((r) => ({ size: `${r.layers} × ${r.dModel}`, params: r.params, base: r.dtype, linear: r.linearBytesMeasured / 1024, peak: r.peakBytes / MiB, ms: r.stepMs.median, dq: r.dequantMsPerStep })),
        caption: `Random-token batch ${c.scaling.batch} × ${c.scaling.seqLen}, vocab ${c.scaling.vocab}, ${c.scaling.repeats} timed steps; mean over seeds. Step time grows as params^k here: ${Object.entries(a.exponent).map(([d, k]) => `${d} k = ${k.toFixed(2)}`).join(', ')}.`,
      }),
      table({
        columns: [{ key: 'label', title: '' }, 'model', 'base', { key: 'bpp', title: 'bytes/param (measured)', digits: 4 }, { key: 'w', title: 'weights GB', digits: 1 }, { key: 'ad', title: 'LoRA state GB', digits: 3 }, { key: 't', title: 'total GB', digits: 1 }],
        rows: a.projection.map((p) => ({ label: p.label, model: `LLaMA-${p.model}`, base: p.dtype, bpp: p.bytesPerParam, w: p.weightsGB, ad: p.adapterStateGB, t: p.totalGB })),
        caption: 'PROJECTION, not a measurement: parameters × bytes/parameter measured on the largest rung, plus fp32 LoRA adapters + gradients + AdamW moments for LLaMA shapes. Excludes activations, CUDA context and allocator overhead.',
      }),
      table({
        columns: ['source', 'model', 'setup', { key: 'gb', title: 'GB', digits: 0 }, 'note'],
        rows: PUBLISHED_MEMORY.map((p) => ({ ...p })),
        caption: 'Published figures, quoted (not reproduced here).',
      }),
    ],
  };
}

export const QLORA_LIMITS = [
  'A tiny decoder on a CPU with the tfjs wasm backend, not a 7B–65B model on a GPU: bytes per parameter transfer exactly; step-time ratios do not (a GPU decodes NF4 in a fused kernel; here decoding is JavaScript).',
  'fp32 bases stay tfjs tensors; every other format is decoded per call, so fp16 and bf16 also pay a decode that a GPU would not.',
  'Peak memory is the tfjs engine\'s peak plus the packed buffers, not a device allocator\'s peak; maxRSS is process-wide and monotone.',
  'Short training runs and a small eval set: "not shown equivalent" often means the interval is too wide, not that QLoRA is worse.',
  'The 7B/13B/65B figures are projections from measured per-parameter bytes, without activations; compare them with the published totals only as a floor.',
];

export function qloraReport(runs: RunEntry[]): ReportPart {
  const a = aggregateQlora(runs);
  const finished = runs.filter((r) => r.status === 'finished');
  return {
    title: 'QLoRA vs 16-bit LoRA: memory, throughput and quality, measured',
    subtitle: `${finished.length} finished run(s); ${a.runs[0]?.backend} backend on ${a.runs[0]?.machine}`,
    sections: qloraSections(a, finished),
    limits: QLORA_LIMITS,
  };
}
