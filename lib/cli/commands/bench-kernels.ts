import type { Command } from '../command.ts';
import { numberFlag } from '../args.ts';
import {
  benchKernels, KERNEL_BENCH_CASES, KERNEL_BENCH_SLOW_CASE, environmentReport, environmentSummary, formatStat,
  formatNoise, worstStatus,
} from '../../index.ts';

export const benchKernelsCommand: Command = {
  name: 'bench kernels',
  summary: 'time a transformer-shaped training step with and without the wasm/cpu kernel fixes',
  usage: 'ledgerlab bench kernels [--repeats N] [--warmup N] [--slow] [--json]',
  help: [
    'Step: batch 16 × seq 64, d_model 128, vocab 2000, one attention block, tied head, Adam.',
    '--slow also runs tfjs\' own cpu kernels (tens of seconds per step).',
  ].join('\n'),
  options: { repeats: { type: 'string' }, warmup: { type: 'string' }, slow: { type: 'boolean' }, json: { type: 'boolean' } },
  async run(args) {
    const repeats = numberFlag(args, 'repeats', 5, { int: true, min: 1 });
    const warmup = numberFlag(args, 'warmup', 1, { int: true, min: 0 });
    const env = await environmentReport();
    const cases = args.values.slow ? [...KERNEL_BENCH_CASES, KERNEL_BENCH_SLOW_CASE] : KERNEL_BENCH_CASES;
    const results = await benchKernels(cases, { repeats, warmup });
    if (args.values.json) {
      console.log(JSON.stringify({ environment: env, repeats, warmup, results }, null, 2));
      return;
    }
    console.log(`kernel-fix bench — ${environmentSummary(env)}; warm-up ${warmup}, ${repeats} timed steps each`);
    const w = Math.max(...results.map((r) => r.label.length));
    for (const r of results) {
      const cell = r.stepMs ? `${formatStat(r.stepMs, 'ms/step')}  ${Math.round(r.tokensPerSecond!)} tokens/s` : `fails: ${r.error}`;
      console.log(`  ${r.label.padEnd(w)}  ${cell}`);
    }
    const fixed = results.find((r) => r.backend === 'wasm' && r.fixes.length === 3)?.stepMs;
    const noMatmulFix = results.find((r) => r.backend === 'wasm' && r.fixes.length === 1)?.stepMs;
    if (fixed && noMatmulFix) console.log(`matmul-transpose fix speed-up on wasm: ${(noMatmulFix.median / fixed.median).toFixed(2)}x`);
    // Every figure above went through the timing engine; say how quiet the machine was for them.
    const records = results.flatMap((r) => (r.stepMs?.timing ? [r.stepMs.timing] : []));
    if (records.length) console.log(`machine: ${worstStatus(records.map((t) => t.noise.status))} (first timing: ${formatNoise(records[0]!)})`);
  },
};
