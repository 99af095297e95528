/**
 * The reviewer's view of speedup runs: the claim, the setup, speed ratios with intervals, the waterfall of
 * the Shapley decomposition, ROUGE/BLEU with bootstrap intervals, the generated verdict, the limits. Every
 * figure is drawn from `aggregateSpeedup` over the run files, so the report's numbers are the runs' numbers.
 */
import type { RunEntry } from '../../results/index.ts';
import {
  type ReportPart, groupedBarChart, waterfallChart, withProvenance, type Chart, chartBlock, paragraph, provenanceBlock,
  provenanceLine, table, type Section,
} from '../../report/index.ts';
import { formatNoise, formatStop, type TimingRecord } from '../../measure/index.ts';
import { aggregateSpeedup, type SpeedupAggregate, type RunSummary } from './aggregate.ts';
import type { Recipe } from './config.ts';

export const CLAIM = [
  'LLaMA-Factory (and OpenLedger\'s ModelFactory, built on it) report that on ChatGLM2-6B and AdvertiseGen, one A100, batch 4,',
  'cutoff 1024, **LoRA (rank 32) trains at 21.67 samples/s vs 5.81 for ChatGLM\'s P-Tuning (pre_seq_len 128): 3.73×**, with',
  'Rouge-2 7.36 vs 7.20 (one run, no interval) and peak memory 5.14 vs 5.78 GB. ChatGLM\'s P-Tuning script pads every example to',
  'max_source + max_target, quantizes the base to 4 bits and always checkpoints gradients; LLaMA-Factory pads each batch to its',
  'longest example. ChatGLM\'s own README ranks P-Tuning v2 above LoRA on ROUGE for the same task.',
].join(' ');

function describeRecipe(r: Recipe): Record<string, string | number> {
  const m = r.method;
  const method = m.method === 'lora' ? `LoRA r=${m.r} α=${m.alpha} on ${m.targets.join(',')}` : m.method === 'ptuning-v2' ? `P-Tuning v2, prefix ${m.prefixLength}${m.projection ? ' (projection)' : ''}` : m.method;
  return { method, padding: r.padding, checkpointing: r.checkpoint ? 'on' : 'off', base: r.quant, lr: r.lr };
}

const RECIPE_LABEL: Record<string, string> = { fast: 'fast (LoRA recipe)', slow: 'slow (P-Tuning recipe)', 'slow-matched': 'slow method, fast recipe' };

export function speedupCharts(a: SpeedupAggregate, runs: readonly RunEntry[]): { waterfall?: Chart; speed?: Chart; rouge?: Chart } {
  const prov = [provenanceLine(runs)];
  const out: { waterfall?: Chart; speed?: Chart; rouge?: Chart } = {};
  if (Object.keys(a.shapley).length) {
    out.waterfall = withProvenance(waterfallChart({
      title: 'Where the speed ratio comes from (Shapley decomposition)',
      steps: [...a.factors.map((f) => ({ label: f, factor: a.shapley[f]!.mean })), { label: 'total', factor: a.ratio.factorial!.mean }],
      y: { title: 'speed ratio fast / slow', unit: '×' }, x: { title: 'factor switched from the slow to the fast recipe' },
    }), prov, 'Each bar multiplies the running ratio; Shapley values average each factor\'s effect over every order of switching.');
  }
  const names = Object.keys(a.quality);
  if (names.length) {
    out.speed = withProvenance(groupedBarChart({
      title: 'Training throughput per recipe', x: { title: 'recipe' }, y: { title: 'throughput', unit: 'samples/s' },
      rows: names.map((n) => ({ group: RECIPE_LABEL[n] ?? n, mean: a.quality[n]!.samplesPerS.mean, lo: a.quality[n]!.samplesPerS.lo, hi: a.quality[n]!.samplesPerS.hi })),
    }), prov, 'Geometric mean over seeds with a log-scale 95% t-interval; samples/s over each whole quality run (untimed context: the ratios come from the timing engine).');
    out.rouge = withProvenance(groupedBarChart({
      title: 'Quality per recipe (Chinese metric, ×100)', x: { title: 'metric' }, y: { title: 'score', unit: '×100' }, series: { title: 'recipe' },
      rows: names.flatMap((n) => Object.entries(a.quality[n]!.scores).map(([k, c]) => ({ group: k, series: RECIPE_LABEL[n] ?? n, mean: c.mean, lo: c.lo, hi: c.hi }))),
    }), prov, 'Mean over eval examples × seeds with 95% bootstrap interval (1,000 resamples).');
  }
  return out;
}

export function speedupSections(a: SpeedupAggregate, runs: readonly RunEntry[]): Section[] {
  const s0 = runs[0]!.record.summary as RunSummary;
  const cfg = runs[0]!.record.config as { fast: Recipe; slow: Recipe; batchSize: number; trainSteps: number; model: Record<string, unknown>; pretrain: Record<string, unknown> };
  const charts = speedupCharts(a, runs);
  const sections: Section[] = [
    { title: 'The claim', blocks: [paragraph(CLAIM)] },
    {
      title: 'Setup',
      blocks: [
        paragraph(`Data: ${s0.data.source}${s0.data.path ? ` (${s0.data.path})` : ''}, ${s0.data.examples} examples; ${s0.data.split.counts.train} train / ${s0.data.split.counts.eval} eval, split by prompt (eval prompts unseen), eval ids sha256 \`${s0.data.split.sha256.eval.slice(0, 16)}\`. Tokenizer sha256 \`${s0.data.tokenizerSha256.slice(0, 16)}\`. Base: tiny decoder ${JSON.stringify(cfg.model)}, pretrained on the training text (${JSON.stringify(cfg.pretrain)}), final loss ${typeof s0.base.finalLoss === 'number' ? s0.base.finalLoss.toFixed(3) : 'n/a (a brought checkpoint)'}, cache key \`${s0.base.key.slice(0, 16)}\`. Batch ${cfg.batchSize}; ${cfg.trainSteps} optimizer steps per quality run; seeds ${a.runs.map((r) => r.seed).join(', ')}.`),
        table({
          columns: ['recipe', 'method', 'padding', 'checkpointing', 'base', 'lr', { key: 'trainable', title: 'trainable params' }],
          rows: (['fast', 'slow'] as const).map((k) => ({ recipe: RECIPE_LABEL[k], ...describeRecipe(cfg[k]), trainable: a.quality[k]?.trainableParams ?? null })),
          caption: 'The two published recipes, scaled to the tiny model (prefix 128 of a 1024 cutoff → 24 of our 192 positions).',
        }),
      ],
    },
    {
      title: 'Speed',
      blocks: [
        table({
          columns: ['measure', { key: 'ratio', title: 'fast / slow samples/s', digits: 2 }, 'how'],
          rows: [
            { measure: 'published recipes, trained recipes\' rounds', ratio: a.ratio.trained, how: 'fast vs slow, timed against each other in paired rounds on the same batches' },
            { measure: 'published recipes, factorial cells', ratio: a.ratio.factorial, how: 'the grid\'s two corner cells, paired rounds of every cell' },
            { measure: 'method alone, trained recipes\' rounds', ratio: a.ratio.method, how: 'fast / slow-matched: LoRA vs P-Tuning v2, both under the fast recipe' },
            { measure: 'recipe alone, trained recipes\' rounds', ratio: a.ratio.recipe, how: 'slow-matched / slow: P-Tuning v2 under the fast vs its own recipe' },
            { measure: 'method alone, factorial cells', ratio: a.ratio.matched, how: 'same padding, checkpointing, precision; prefix at full length' },
          ],
          caption: `Geometric mean over seeds with 95% t-interval (log scale) of each run's paired median ratio; ${a.timing ? `${a.timing.basis} time, ${a.timing.threads} thread(s); machine ${a.timing.quiet}` : 'timing provenance unknown'}. Each run's own interval and the CPU-time figures are under "How it was timed".`,
        }),
        ...(charts.speed ? [chartBlock(charts.speed, runs)] : []),
        table({
          columns: ['recipe', { key: 'samples', title: 'samples/s', digits: 2 }, { key: 'tokens', title: 'real tokens/s', digits: 0 }, { key: 'state', title: 'state MiB', digits: 2 }],
          rows: Object.entries(a.quality).map(([n, q]) => ({ recipe: RECIPE_LABEL[n] ?? n, samples: q.samplesPerS, tokens: q.tokensPerS, state: q.stateBytes / 2 ** 20 })),
          caption: 'State = frozen base (packed) + trainable tensors + gradients + AdamW slots, computed from the tensors.',
        }),
      ],
    },
  ];
  if (charts.waterfall) {
    sections.push({
      title: 'Decomposition',
      blocks: [
        chartBlock(charts.waterfall, runs),
        table({
          columns: ['factor', { key: 'shapley', title: 'Shapley (×)', digits: 2 }],
          rows: a.factors.map((f) => ({ factor: f, shapley: a.shapley[f] })),
          caption: 'Per-factor multiplicative contribution, geometric mean over seeds with 95% interval. Their product is the factorial ratio.',
        }),
        table({
          columns: [{ key: 'cell', title: 'factors at the slow level' }, { key: 'speed', title: 'samples/s', digits: 2 }, { key: 'status', title: 'machine' }],
          rows: a.cells.map((c) => ({ cell: c.switched.join(' + ') || '(fast recipe)', speed: c.samplesPerS, status: c.status ?? 'unknown' })),
          caption: 'Every cell of the factorial grid (cells that reduce to the same recipe are measured once): geometric mean over seeds of each run\'s median samples/s, log-scale 95% interval; "noisy": the quiet-machine guard kept noisy rounds for this cell in some run.',
        }),
      ],
    });
  }
  if (Object.keys(a.quality).length) {
    sections.push({
      title: 'Quality',
      blocks: [
        ...(charts.rouge ? [chartBlock(charts.rouge, runs)] : []),
        table({
          columns: ['recipe', ...['rouge-1', 'rouge-2', 'rouge-l', 'bleu-4'].map((k) => ({ key: k, digits: 2 })), ...['distinct-1', 'distinct-2', 'repetition'].map((k) => ({ key: k, digits: 3 })), { key: 'loss', title: 'eval loss', digits: 3 }],
          rows: Object.entries(a.quality).map(([n, q]) => ({ recipe: RECIPE_LABEL[n] ?? n, ...q.scores, ...q.diversity, loss: q.evalLoss })),
          caption: 'Chinese ROUGE/BLEU-4 as ChatGLM and LLaMA-Factory compute them (jieba words; BLEU on characters), ×100; bootstrap 95% intervals. distinct-1/2 (distinct n-grams / n-grams over all predictions) and repetition (seq-rep-4: repeated 4-grams within a prediction, mean) are fractions on jieba words, pooled over seeds.',
        }),
        ...(Object.keys(a.paired).length ? [table({
          columns: ['metric', { key: 'diff', title: 'fast − slow', digits: 2 }, { key: 'p', title: 'share of resamples fast > slow', digits: 3 }],
          rows: Object.entries(a.paired).map(([k, p]) => ({ metric: k, diff: { mean: p.diff, lo: p.lo, hi: p.hi, n: p.n }, p: p.pAGreater })),
          caption: 'Paired bootstrap over (seed, eval example).',
        })] : []),
      ],
    });
  }
  sections.push(timingSection(runs));
  sections.push({ title: 'Verdict', blocks: [paragraph(a.verdict), provenanceBlock(runs)] });
  return sections;
}

/** Per run: each timed section's rounds, stop reason, noise provenance, and the headline ratios on wall and CPU time. */
function timingSection(runs: readonly RunEntry[]): Section {
  const rows = runs.flatMap((r) => {
    const s = r.record.summary as RunSummary;
    const sections: [string, TimingRecord | undefined][] = [['factorial', s.timing?.factorial], ['trained', s.timing?.trained]];
    return sections.filter(([, t]) => t).map(([name, t]) => ({ seed: r.record.seeds[0], section: name, how: formatStop(t!), noise: formatNoise(t!), status: t!.noise.status }));
  });
  const ratios = runs.map((r) => {
    const s = r.record.summary as RunSummary;
    return { seed: r.record.seeds[0], trained: s.intervals?.ratio.trained, trainedCpu: s.cpu?.ratio.trained, factorial: s.intervals?.ratio.factorial, factorialCpu: s.cpu?.ratio.factorial, method: s.intervals?.shapley?.method };
  });
  return {
    title: 'How it was timed',
    blocks: [
      paragraph('Every speed figure comes from the timing engine: the arms (the factorial grid\'s cells, whose corners are the trained recipes, so ratio.trained, .method and .recipe are formed in the same rounds) run in rounds, each round every arm trains one step on each of the same batches in a freshly shuffled order; a ratio is formed per round and summarised by its median with a bootstrap 95% interval. A round in which other processes used more than 0.1 core or steal exceeded 2% is re-run; a section that stays noisy is marked noisy and the verdict withheld. Timed sections of concurrent runs never overlap (a machine-wide lock).'),
      table({ columns: ['seed', 'section', 'how', 'noise', 'status'], rows, caption: 'Rounds, stop reason, basis and threads; foreign load (busy cores not ours), steal and the 1-minute load average at start and end.' }),
      table({
        columns: ['seed', { key: 'trained', title: 'trained (basis)', digits: 2 }, { key: 'trainedCpu', title: 'trained (CPU)', digits: 2 }, { key: 'factorial', title: 'factorial (basis)', digits: 2 }, { key: 'factorialCpu', title: 'factorial (CPU)', digits: 2 }, { key: 'method', title: 'Shapley method', digits: 2 }],
        rows: ratios, caption: 'Each run\'s paired median ratio with its bootstrap 95% interval over rounds, on the configured basis and on CPU time.',
      }),
    ],
  };
}

export const SPEEDUP_LIMITS = [
  'A tiny decoder (about half a million parameters) on a CPU with the tfjs wasm backend, not ChatGLM2-6B on an A100: absolute samples/s are not comparable with the claim; ratios are, only as far as each factor costs the same share of a step at both scales.',
  'Short training runs: quality differences are about what each recipe learns in the same small number of steps, not at convergence.',
  'Gradient checkpointing and 4-bit dequantization cost relatively more or less on a GPU than here; the decomposition says what they cost on this machine.',
  'One dataset sample (AdvertiseGen dev sample, or synthetic ad copy when absent), one tokenizer (characters).',
];

export function speedupReport(runs: RunEntry[]): ReportPart {
  const a = aggregateSpeedup(runs);
  const finished = runs.filter((r) => r.status === 'finished');
  return {
    title: 'Does LoRA train 3.7× faster than P-Tuning? A reproduction and decomposition',
    subtitle: `${finished.length} finished run(s); ${a.runs[0]?.backend} backend on ${a.runs[0]?.machine}`,
    sections: speedupSections(a, finished),
    limits: SPEEDUP_LIMITS,
  };
}
