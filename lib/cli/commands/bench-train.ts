import type { Command } from '../command.ts';
import { numberFlag, listFlag } from '../args.ts';
import { benchTrainStep, REFERENCE_CASES } from '../../index.ts';
import { runTorchReference } from '../../index.ts';
import { environmentReport, environmentSummary } from '../../index.ts';
import { formatStat } from '../../index.ts';
import { LedgerLabError } from '../../index.ts';

const MiB = 1024 * 1024;
const mib = (b: number) => (b / MiB).toFixed(2);

export const benchTrainCommand: Command = {
  name: 'bench train',
  summary: 'time the reference training step per method (full, lora, ptuning-v2, ptuning-v1, qlora), with memory, next to PyTorch',
  usage: 'ledgerlab bench train [--methods full,lora,...] [--repeats N] [--warmup N] [--checkpoint] [--no-torch] [--json]',
  help: [
    'Step: 2 layers, d_model 128, 4 heads, batch 16 × seq 64, vocab 2000, Adam; qlora = NF4 + double quantization base + LoRA r=8 on q,v.',
    'PyTorch (Debian python3-torch, 1 thread) runs bench/torch/ref_step.py in the same session for full, lora and ptuning-v2.',
    'Memory: "state" = frozen base (packed) + trainable + gradients + Adam slots (computed from the tensors);',
    '"peak" = tfjs engine peak of live tensor bytes during one step (tf.profile); "maxRSS" = process peak RSS so far.',
  ].join('\n'),
  options: {
    methods: { type: 'string' }, repeats: { type: 'string' }, warmup: { type: 'string' },
    checkpoint: { type: 'boolean' }, 'no-torch': { type: 'boolean' }, json: { type: 'boolean' },
  },
  async run(args) {
    const repeats = numberFlag(args, 'repeats', 10, { int: true, min: 1 });
    const warmup = numberFlag(args, 'warmup', 3, { int: true, min: 0 });
    const wanted = listFlag(args, 'methods');
    const known = REFERENCE_CASES.map((c) => c.label);
    for (const m of wanted) {
      if (!known.includes(m)) throw new LedgerLabError({ kind: 'usage', problem: `unknown method "${m}"`, where: '--methods', hint: `choose from ${known.join(', ')}` });
    }
    const cases = REFERENCE_CASES.filter((c) => wanted.length === 0 || wanted.includes(c.label)).map((c) => ({ ...c, checkpoint: !!args.values.checkpoint }));
    const env = await environmentReport();
    const rows = await benchTrainStep({ cases, repeats, warmup });
    const torchMethods = cases.map((c) => c.label).filter((l) => ['full', 'lora', 'ptuning-v2'].includes(l));
    const torch = args.values['no-torch'] || torchMethods.length === 0 ? undefined : runTorchReference({ repeats, warmup, methods: torchMethods });
    if (args.values.json) {
      console.log(JSON.stringify({ environment: env, repeats, warmup, rows, torch }, null, 2));
      return;
    }
    console.log(`bench train — ${environmentSummary(env)}; batch 16 × seq 64, warm-up ${warmup}, ${repeats} timed steps`);
    const w = Math.max(...rows.map((r) => r.label.length));
    console.log(`  ${'method'.padEnd(w)}  step time (median, IQR)         tokens/s  trainable   state MiB  peak MiB  maxRSS MiB`);
    for (const r of rows) {
      console.log(`  ${r.label.padEnd(w)}  ${formatStat(r.stepMs, 'ms').padEnd(30)}  ${Math.round(r.tokensPerSecond).toString().padStart(8)}  ${r.trainableParams.toString().padStart(9)}  ${mib(r.memory.stateBytes).padStart(10)}  ${mib(r.peakTensorBytes).padStart(8)}  ${mib(r.maxRssBytes).padStart(10)}`);
    }
    console.log('  frozen base bytes by dtype: ' + rows.map((r) => `${r.label} ${Object.entries(r.memory.frozenByDtype).map(([d, b]) => `${d} ${b}`).join(' + ')}`).join('; '));
    if (!torch) return;
    if ('unavailable' in torch) {
      console.log(`PyTorch reference: not run (${torch.unavailable})`);
      return;
    }
    console.log(`PyTorch ${torch.torch} (${torch.threads} thread, python ${torch.python}), same shapes:`);
    for (const t of torch.rows) {
      const ours = rows.find((r) => r.label === t.method);
      const ratio = ours ? `  tfjs/torch speed ${(t.median_ms / ours.stepMs.median).toFixed(2)}x` : '';
      console.log(`  ${t.method.padEnd(w)}  ${t.median_ms.toFixed(1)} ms (IQR ${t.iqr_ms.toFixed(1)})  ${Math.round(t.tokens_per_s)} tokens/s  trainable ${t.trainable}${ratio}`);
    }
  },
};
