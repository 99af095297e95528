import { resolve } from 'node:path';
import type { Command, ParsedArgs } from '../command.ts';
import { numberFlag, listFlag } from '../args.ts';
import { benchTrainStep, benchShape, REFERENCE_CASES, BENCH_ARCHS, BENCH_SIZES, TorchChild, TORCH_METHODS, torchShape, ffnWidth, kvHeads, environmentReport, environmentSummary, formatNoise, formatStop, LedgerLabError, loadPretrained, type WeightSource, type BenchArch, type BenchSize, type BenchShape, type BenchTrainRow, type Interval } from '../../index.ts';

const MiB = 1024 * 1024;
const mib = (b: number) => (b / MiB).toFixed(2);
const iv = (x: Interval, d = 1) => `${x.mean.toFixed(d)} [${x.lo.toFixed(d)}, ${x.hi.toFixed(d)}]`;

export const benchTrainCommand: Command = {
  name: 'bench train',
  summary: 'time the reference training step per method (full, lora, ptuning-v2, ptuning-v1, qlora), with memory, against PyTorch in the same rounds',
  usage: 'ledgerlab bench train [--arch gpt2|llama] [--size s|l] [--model DIR [--batch B] [--seq T]] [--methods full,lora,...] [--threads N] [--warmup N] [--batches N] [--min-rounds N] [--max-rounds N] [--time-cap S] [--target F] [--checkpoint] [--profile] [--no-torch] [--json]',
  help: [
    'Shapes (--arch, --size; default gpt2 s):',
    '  gpt2 s   2 layers, d_model 128, 4 heads, batch 16 × seq 64, vocab 2000, Adam (issue 4\'s step)',
    '  gpt2 l   8 layers, d 512, 8 heads, MLP 2048, batch 4 × seq 256, vocab 8000, Adam',
    '  llama s  2 layers, d 128, 4 heads, 2 kv heads, ffn 352, batch 16 × seq 64, vocab 2000, untied head, AdamW',
    '  llama l  8 layers, d 512, 8 heads, 4 kv heads, ffn 1408, batch 4 × seq 256, vocab 8000, untied head, AdamW',
    '  --model DIR  a Hugging Face checkpoint directory (llama, qwen2, mistral, gpt2) instead: its own weights, batch',
    '           --batch (default 1) × --seq (default 256), AdamW; the PyTorch column (llama, qwen2, mistral) loads the',
    '           same directory (bench/torch/hf_step.py: full, lora, ptuning-v2, qlora)',
    'Methods: full, lora (r 8 on q,v), ptuning-v2 (prefix 16), ptuning-v1 (16 tokens, MLP encoder), qlora = NF4 + double quantization base + LoRA r=8 on q,v.',
    'Timing: the timing engine. PyTorch (Debian python3-torch) runs as a persistent child (bench/torch/step_server.py) and',
    'its steps alternate with ours in seeded-shuffled rounds (--batches steps of each per round, after --warmup rounds);',
    'the speed ratio (ours / PyTorch\'s throughput) is the median of the per-round ratios with a bootstrap 95% interval,',
    'on wall and on CPU time (user + system of each process). Rounds stop when the interval is within ±--target',
    '(default 0.025) or at --time-cap seconds (default 300) or --max-rounds; a round in which other processes used',
    'over 0.1 core or steal exceeded 2% is re-run; the noise provenance is printed.',
    '--threads N (default 1): LedgerLab\'s ONNX Runtime MatMul threads and PyTorch\'s OPENBLAS/OMP/MKL_NUM_THREADS; recorded.',
    'Memory: "state" = frozen base (packed) + trainable + gradients + Adam slots (computed from the tensors);',
    '"peak" = tfjs engine peak of live tensor bytes during one step (tf.profile); "maxRSS" = process peak RSS so far.',
    '--profile prints where one step\'s time goes: kernels by time, products by shape (tf.profile kernel times).',
    '"reads" = reads of tensor values into JavaScript in one step, synchronous + asynchronous (the loss read that ends',
    'the step included): a GPU backend waits on each, and WebGPU in Node has no synchronous read at all (0 there).',
  ].join('\n'),
  options: {
    methods: { type: 'string' }, repeats: { type: 'string' }, warmup: { type: 'string' }, threads: { type: 'string' },
    batches: { type: 'string' }, 'min-rounds': { type: 'string' }, 'max-rounds': { type: 'string' }, 'time-cap': { type: 'string' }, target: { type: 'string' },
    checkpoint: { type: 'boolean' }, 'no-torch': { type: 'boolean' }, json: { type: 'boolean' },
    arch: { type: 'string' }, size: { type: 'string' }, profile: { type: 'boolean' },
    model: { type: 'string' }, batch: { type: 'string' }, seq: { type: 'string' },
  },
  async run(args) {
    const { shape, weights, dir, cases, arch, size } = parseShape(args);
    const threads = numberFlag(args, 'threads', 1, { int: true, min: 1 });
    // Before the backend starts: its ONNX Runtime MatMul kernel reads the thread count once (lib/runtime/kernels).
    process.env.LEDGERLAB_THREADS = String(threads);
    const timing = timingFlags(args, threads);
    const env = await environmentReport();
    const ref = torchShape(shape, dir);
    const torch = args.values['no-torch'] ? undefined : (c: { label: string }) => {
      if ('unavailable' in ref) return Promise.resolve(ref);
      return (TORCH_METHODS[ref.arch] as readonly string[]).includes(c.label)
        ? TorchChild.start({ threads, config: { ...ref, method: c.label } })
        : Promise.resolve({ unavailable: `no ${ref.arch} reference for ${c.label}` });
    };
    const rows = await benchTrainStep({ cases, config: shape.config, ...(weights ? { weights } : {}), batch: shape.batch, seqLen: shape.seqLen, optimizer: shape.optimizer, timing, ...(torch ? { torch } : {}) });
    checkSameModel(rows, shape, size);
    if (args.values.json) {
      console.log(JSON.stringify({ environment: env, arch, size, shape, threads, timing, rows, torch: torch ? torchJson(rows) : undefined }, null, 2));
      return;
    }
    const what = args.values.model ? `--model ${args.values.model as string}` : `--arch ${arch} --size ${size}`;
    printRows(rows, shape, `bench train ${what} — ${environmentSummary(env)}`, threads, !!args.values.profile);
  },
};

function parseShape(args: ParsedArgs) {
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
  const dir = args.values.model ? resolve(args.values.model as string) : undefined;
  return { shape, weights, dir, cases, arch, size };
}

/** The built-in shape, or with --model a checkpoint's config and weights at --batch × --seq. */
function modelShape(args: ParsedArgs, arch: BenchArch, size: BenchSize): { shape: BenchShape; weights?: WeightSource } {
  const dir = args.values.model as string | undefined;
  if (!dir) return { shape: benchShape(arch, size) };
  const p = loadPretrained(dir);
  const batch = numberFlag(args, 'batch', 1, { int: true, min: 1 });
  const seqLen = numberFlag(args, 'seq', 256, { int: true, min: 1 });
  if (seqLen > p.config.context) throw new LedgerLabError({ kind: 'usage', problem: `--seq ${seqLen} exceeds the model's context ${p.config.context}`, where: '--seq' });
  return { shape: { arch: p.config.arch === 'llama' ? 'llama' : 'gpt2', size, config: p.config, batch, seqLen, optimizer: 'adamw' }, weights: p.weights };
}

/** The engine's settings from flags; --repeats (the old timed-step count) caps the rounds. */
function timingFlags(args: ParsedArgs, threads: number) {
  const maxRounds = numberFlag(args, 'max-rounds', numberFlag(args, 'repeats', 30, { int: true, min: 1 }), { int: true, min: 1 });
  return {
    threads, maxRounds,
    warmupRounds: numberFlag(args, 'warmup', 1, { int: true, min: 0 }),
    batches: numberFlag(args, 'batches', 2, { int: true, min: 1 }),
    minRounds: Math.min(maxRounds, numberFlag(args, 'min-rounds', 3, { int: true, min: 1 })),
    timeCapS: numberFlag(args, 'time-cap', 300, { min: 0 }),
    target: numberFlag(args, 'target', 0.025, { min: 0 }),
  };
}

// A ratio only means something between the same models: the reference must train exactly our parameters.
function checkSameModel(rows: readonly BenchTrainRow[], shape: BenchShape, size: string): void {
  const off = rows.filter((r) => r.torch && 'info' in r.torch && r.torch.info.trainable !== r.trainableParams);
  if (off.length === 0) return;
  throw new LedgerLabError({
    kind: 'runtime', where: `bench/torch (${shape.arch} ${size})`,
    problem: `the PyTorch reference is not the same model: ${off.map((r) => `${r.label} trains ${(r.torch as { info: { trainable: number } }).info.trainable} parameters there, ${r.trainableParams} here`).join('; ')}`,
    hint: 'fix the reference script so both engines build the same model before comparing speed',
  });
}

function torchJson(rows: readonly BenchTrainRow[]) {
  const first = rows.map((r) => r.torch).find((t) => t && 'info' in t) as { info: Record<string, unknown> } | undefined;
  const unavailable = rows.map((r) => r.torch).find((t) => t && 'unavailable' in t) as { unavailable: string } | undefined;
  if (!first) return { unavailable: unavailable?.unavailable ?? 'not run' };
  return { ...first.info, rows: rows.flatMap((r) => (r.torch && 'info' in r.torch ? [{ method: r.label, stepMs: r.torch.stepMs, tokensPerSecond: r.torch.tokensPerSecond, speed: r.torch.speed, trainable: r.torch.info.trainable }] : [])) };
}

function printRows(rows: readonly BenchTrainRow[], shape: BenchShape, title: string, threads: number, profile: boolean): void {
  const c = shape.config;
  console.log(title);
  console.log(`  ${c.layers} layers, d ${c.dModel}, ${c.heads} heads${shape.arch === 'llama' ? `, ${kvHeads(c)} kv heads` : ''}, ffn ${ffnWidth(c)}, vocab ${c.vocab}, batch ${shape.batch} × seq ${shape.seqLen}, ${shape.optimizer}; ${threads} thread(s)`);
  const w = Math.max(...rows.map((r) => r.label.length));
  console.log(`  ${'method'.padEnd(w)}  wall ms/step [95%]            CPU ms/step [95%]             tokens/s  trainable   state MiB  peak MiB  maxRSS MiB  reads sync+async`);
  for (const r of rows) {
    console.log(`  ${r.label.padEnd(w)}  ${iv(r.stepMs.wall).padEnd(28)}  ${iv(r.stepMs.cpu).padEnd(28)}  ${Math.round(r.tokensPerSecond).toString().padStart(8)}  ${r.trainableParams.toString().padStart(9)}  ${mib(r.memory.stateBytes).padStart(10)}  ${mib(r.peakTensorBytes).padStart(8)}  ${mib(r.maxRssBytes).padStart(10)}  ${`${r.reads.sync}+${r.reads.async}`.padStart(16)}`);
  }
  if (profile) printProfiles(rows);
  console.log('  frozen base bytes by dtype: ' + rows.map((r) => `${r.label} ${Object.entries(r.memory.frozenByDtype).map(([d, b]) => `${d} ${b}`).join(' + ')}`).join('; '));
  for (const r of rows) {
    if (!r.torch) continue;
    if ('unavailable' in r.torch) {
      console.log(`  PyTorch ${r.label}: not run (${r.torch.unavailable})`);
      continue;
    }
    const t = r.torch;
    console.log(`  PyTorch ${t.info.torch} ${r.label} (${t.info.threads} thread(s), ${t.info.processThreads ?? '?'} OS threads, python ${t.info.python}): wall ${iv(t.stepMs.wall)} ms, CPU ${iv(t.stepMs.cpu)} ms`);
    const verdict = r.timing.noise.status === 'noisy' ? ' — NOT a result: the machine was busy with other work (see timing below)' : r.timing.noise.status === 'unknown' ? ' — machine quietness unknown (no /proc/stat)' : '';
    console.log(`    LedgerLab / PyTorch speed: ${iv(t.speed.wall, 2)}× by wall time, ${iv(t.speed.cpu, 2)}× by CPU time (paired median over rounds, 95% interval)${verdict}`);
  }
  for (const r of rows) console.log(`  timing ${r.label}: ${formatStop(r.timing)}; machine ${formatNoise(r.timing)}`);
}

function printProfiles(rows: readonly BenchTrainRow[]): void {
  for (const r of rows) {
    console.log(`profile of one ${r.label} step: ${r.profile.kernels} kernel calls, ${r.profile.totalMs.toFixed(0)} ms in kernels`);
    for (const k of r.profile.byKernel) console.log(`    ${k.name.padEnd(22)} ${String(k.calls).padStart(5)} calls ${k.ms.toFixed(1).padStart(9)} ms ${(100 * k.share).toFixed(1).padStart(5)}%`);
    console.log('    products by shape:');
    for (const k of r.profile.byMatMulShape) console.log(`    ${k.name.padEnd(48)} ${String(k.calls).padStart(4)} calls ${k.ms.toFixed(1).padStart(9)} ms ${(100 * k.share).toFixed(1).padStart(5)}%`);
  }
}
