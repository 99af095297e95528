import type { Command } from '../command.ts';
import { numberFlag, listFlag } from '../args.ts';
import { benchTrainStep, benchShape, REFERENCE_CASES, BENCH_ARCHS, BENCH_SIZES, type BenchArch, type BenchSize, type BenchShape } from '../../index.ts';
import { runTorchReference, TORCH_METHODS, type TorchShape } from '../../index.ts';
import { ffnWidth, kvHeads } from '../../index.ts';
import { environmentReport, environmentSummary } from '../../index.ts';
import { formatStat } from '../../index.ts';
import { LedgerLabError, loadPretrained, type WeightSource } from '../../index.ts';

const MiB = 1024 * 1024;
const mib = (b: number) => (b / MiB).toFixed(2);

export const benchTrainCommand: Command = {
  name: 'bench train',
  summary: 'time the reference training step per method (full, lora, ptuning-v2, ptuning-v1, qlora), with memory, next to PyTorch',
  usage: 'ledgerlab bench train [--arch gpt2|llama] [--size s|l] [--model DIR [--batch B] [--seq T]] [--methods full,lora,...] [--repeats N] [--warmup N] [--checkpoint] [--profile] [--no-torch] [--json]',
  help: [
    'Shapes (--arch, --size; default gpt2 s):',
    '  gpt2 s   2 layers, d_model 128, 4 heads, batch 16 × seq 64, vocab 2000, Adam (issue 4\'s step)',
    '  gpt2 l   8 layers, d 512, 8 heads, MLP 2048, batch 4 × seq 256, vocab 8000, Adam',
    '  llama s  2 layers, d 128, 4 heads, 2 kv heads, ffn 352, batch 16 × seq 64, vocab 2000, untied head, AdamW',
    '  llama l  8 layers, d 512, 8 heads, 4 kv heads, ffn 1408, batch 4 × seq 256, vocab 8000, untied head, AdamW',
    '  --model DIR  a Hugging Face checkpoint directory (llama, qwen2, mistral, gpt2) instead: its own weights, batch',
    '           --batch (default 1) × --seq (default 256), AdamW; no PyTorch column (the references build their own model)',
    'Methods: full, lora (r 8 on q,v), ptuning-v2 (prefix 16), ptuning-v1 (16 tokens, MLP encoder), qlora = NF4 + double quantization base + LoRA r=8 on q,v.',
    'PyTorch (Debian python3-torch, 1 thread) runs the same shape and method in the same session: bench/torch/ref_step.py',
    '(gpt2) or bench/torch/llama_step.py (llama); their qlora dequantizes an NF4-DQ base each forward.',
    'Memory: "state" = frozen base (packed) + trainable + gradients + Adam slots (computed from the tensors);',
    '"peak" = tfjs engine peak of live tensor bytes during one step (tf.profile); "maxRSS" = process peak RSS so far.',
    '--profile prints where one step\'s time goes: kernels by time, products by shape (tf.profile kernel times).',
    '"CPU ms/step" = user + system time of the process per timed step (both engines): on a shared machine wall time',
    'also measures the CPU share a process got; the ratio is printed for both (speed = torch time / ours).',
  ].join('\n'),
  options: {
    methods: { type: 'string' }, repeats: { type: 'string' }, warmup: { type: 'string' },
    checkpoint: { type: 'boolean' }, 'no-torch': { type: 'boolean' }, json: { type: 'boolean' },
    arch: { type: 'string' }, size: { type: 'string' }, profile: { type: 'boolean' },
    model: { type: 'string' }, batch: { type: 'string' }, seq: { type: 'string' },
  },
  async run(args) {
    const repeats = numberFlag(args, 'repeats', 10, { int: true, min: 1 });
    const warmup = numberFlag(args, 'warmup', 3, { int: true, min: 0 });
    const wanted = listFlag(args, 'methods').flatMap((m) => m.split(',')).map((m) => m.trim()).filter(Boolean); // --methods full,lora
    const known = REFERENCE_CASES.map((c) => c.label);
    for (const m of wanted) {
      if (!known.includes(m)) throw new LedgerLabError({ kind: 'usage', problem: `unknown method "${m}"`, where: '--methods', hint: `choose from ${known.join(', ')}` });
    }
    const arch = (args.values.arch as string | undefined) ?? 'gpt2';
    const size = (args.values.size as string | undefined) ?? 's';
    if (!BENCH_ARCHS.includes(arch as BenchArch)) throw new LedgerLabError({ kind: 'usage', problem: `--arch must be ${BENCH_ARCHS.join(' or ')}, got "${arch}"`, where: '--arch' });
    if (!BENCH_SIZES.includes(size as BenchSize)) throw new LedgerLabError({ kind: 'usage', problem: `--size must be ${BENCH_SIZES.join(' or ')}, got "${size}"`, where: '--size' });
    const { shape, weights } = modelShape(args, arch as BenchArch, size as BenchSize);
    const cases = REFERENCE_CASES.filter((c) => wanted.length === 0 || wanted.includes(c.label)).map((c) => ({ ...c, checkpoint: !!args.values.checkpoint }));
    const env = await environmentReport();
    const rows = await benchTrainStep({ cases, repeats, warmup, config: shape.config, weights, batch: shape.batch, seqLen: shape.seqLen, optimizer: shape.optimizer });
    const torchMethods = cases.map((c) => c.label).filter((l) => (TORCH_METHODS[shape.arch] as readonly string[]).includes(l));
    const torch = args.values['no-torch'] || weights || torchMethods.length === 0 ? undefined : runTorchReference({ repeats, warmup, methods: torchMethods, shape: torchShape(shape) });
    // A ratio only means something between the same models: the reference must train exactly our parameters.
    if (torch && !('unavailable' in torch)) {
      const off = torch.rows.filter((t) => rows.find((r) => r.label === t.method)?.trainableParams !== t.trainable);
      if (off.length) {
        throw new LedgerLabError({
          kind: 'runtime', where: `bench/torch (${shape.arch} ${size})`,
          problem: `the PyTorch reference is not the same model: ${off.map((t) => `${t.method} trains ${t.trainable} parameters there, ${rows.find((r) => r.label === t.method)?.trainableParams} here`).join('; ')}`,
          hint: 'fix the reference script so both engines build the same model before comparing speed',
        });
      }
    }
    if (args.values.json) {
      console.log(JSON.stringify({ environment: env, arch, size, shape, repeats, warmup, rows, torch }, null, 2));
      return;
    }
    const c = shape.config;
    const what = args.values.model ? `--model ${args.values.model as string}` : `--arch ${arch} --size ${size}`;
    console.log(`bench train ${what} — ${environmentSummary(env)}`);
    console.log(`  ${c.layers} layers, d ${c.dModel}, ${c.heads} heads${shape.arch === 'llama' ? `, ${kvHeads(c)} kv heads` : ''}, ffn ${ffnWidth(c)}, vocab ${c.vocab}, batch ${shape.batch} × seq ${shape.seqLen}, ${shape.optimizer}; warm-up ${warmup}, ${repeats} timed steps`);
    const w = Math.max(...rows.map((r) => r.label.length));
    console.log(`  ${'method'.padEnd(w)}  step time (median, IQR)         CPU ms/step  tokens/s  trainable   state MiB  peak MiB  maxRSS MiB`);
    for (const r of rows) {
      console.log(`  ${r.label.padEnd(w)}  ${formatStat(r.stepMs, 'ms').padEnd(30)}  ${r.cpuMs.median.toFixed(0).padStart(11)}  ${Math.round(r.tokensPerSecond).toString().padStart(8)}  ${r.trainableParams.toString().padStart(9)}  ${mib(r.memory.stateBytes).padStart(10)}  ${mib(r.peakTensorBytes).padStart(8)}  ${mib(r.maxRssBytes).padStart(10)}`);
    }
    if (args.values.profile) {
      for (const r of rows) {
        console.log(`profile of one ${r.label} step: ${r.profile.kernels} kernel calls, ${r.profile.totalMs.toFixed(0)} ms in kernels`);
        for (const k of r.profile.byKernel) console.log(`    ${k.name.padEnd(22)} ${String(k.calls).padStart(5)} calls ${k.ms.toFixed(1).padStart(9)} ms ${(100 * k.share).toFixed(1).padStart(5)}%`);
        console.log('    products by shape:');
        for (const k of r.profile.byMatMulShape) console.log(`    ${k.name.padEnd(48)} ${String(k.calls).padStart(4)} calls ${k.ms.toFixed(1).padStart(9)} ms ${(100 * k.share).toFixed(1).padStart(5)}%`);
      }
    }
    console.log('  frozen base bytes by dtype: ' + rows.map((r) => `${r.label} ${Object.entries(r.memory.frozenByDtype).map(([d, b]) => `${d} ${b}`).join(' + ')}`).join('; '));
    if (!torch) return;
    if ('unavailable' in torch) {
      console.log(`PyTorch reference: not run (${torch.unavailable})`);
      return;
    }
    console.log(`PyTorch ${torch.torch} (${torch.threads} thread${torch.processThreads !== undefined ? `, ${torch.processThreads} OS thread(s) in the process` : ''}, python ${torch.python}), same shapes:`);
    for (const t of torch.rows) {
      const ours = rows.find((r) => r.label === t.method);
      const ratio = ours ? `  tfjs/torch speed ${(t.median_ms / ours.stepMs.median).toFixed(2)}x (CPU time ${(t.cpu_median_ms / ours.cpuMs.median).toFixed(2)}x)` : '';
      console.log(`  ${t.method.padEnd(w)}  ${t.median_ms.toFixed(1)} ms (IQR ${t.iqr_ms.toFixed(1)}), CPU ${t.cpu_median_ms.toFixed(0)} ms  ${Math.round(t.tokens_per_s)} tokens/s  trainable ${t.trainable}${ratio}`);
    }
  },
};

/** The built-in shape, or with --model a checkpoint's config and weights at --batch × --seq. */
function modelShape(args: Parameters<typeof numberFlag>[0], arch: BenchArch, size: BenchSize): { shape: BenchShape; weights?: WeightSource } {
  const dir = args.values.model as string | undefined;
  if (!dir) return { shape: benchShape(arch, size) };
  const p = loadPretrained(dir);
  const batch = numberFlag(args, 'batch', 1, { int: true, min: 1 });
  const seqLen = numberFlag(args, 'seq', 256, { int: true, min: 1 });
  if (seqLen > p.config.context) throw new LedgerLabError({ kind: 'usage', problem: `--seq ${seqLen} exceeds the model's context ${p.config.context}`, where: '--seq' });
  return { shape: { arch: p.config.arch === 'llama' ? 'llama' : 'gpt2', size, config: p.config, batch, seqLen, optimizer: 'adamw' }, weights: p.weights };
}

function torchShape(s: BenchShape): TorchShape {
  const c = s.config;
  return { arch: s.arch, layers: c.layers, d: c.dModel, heads: c.heads, ...(s.arch === 'llama' ? { kv: kvHeads(c), ffn: ffnWidth(c) } : { context: c.context }), seq: s.seqLen, batch: s.batch, vocab: c.vocab };
}
