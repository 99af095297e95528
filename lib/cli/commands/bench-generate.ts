import type { Command } from '../command.ts';
import { numberFlag } from '../args.ts';
import {
  benchGenerate, LedgerLabError, QUANT_DTYPES, type QuantDtype, initBackend, environmentReport, environmentSummary,
  formatStat, formatNoise,
} from '../../index.ts';

export const benchGenerateCommand: Command = {
  name: 'bench generate',
  summary: 'generation tokens/s: tfjs vs ONNX Runtime, both with a key/value cache',
  usage: 'ledgerlab bench generate [--model DIR [--quant Q]] [--engines tfjs,onnxruntime] [--new N] [--batch B] [--prompt N] [--threads N] [--repeats N] [--warmup N] [--json]',
  help: [
    'Greedy generation on the reference model (2 layers, d_model 128, 4 heads, vocab 2000): the tfjs model',
    '(current backend) and its ONNX export on onnxruntime-node, driven by the same loop on the same prompts.',
    'Each repeat is one whole generation (prefill + one call per new token). --threads sets ONNX Runtime',
    'intra-op threads (default 1, like single-threaded tfjs-wasm).',
    '--model DIR generates with a Hugging Face checkpoint directory instead (--quant Q: its block linears stored as Q;',
    'ONNX Runtime reads it straight from the directory, weights outside the wasm heap). --engines picks the engines',
    '(a model too large for the 4 GiB wasm heap: --engines onnxruntime).',
  ].join('\n'),
  options: {
    new: { type: 'string' }, batch: { type: 'string' }, prompt: { type: 'string' }, threads: { type: 'string' },
    repeats: { type: 'string' }, warmup: { type: 'string' }, json: { type: 'boolean' },
    model: { type: 'string' }, quant: { type: 'string' }, engines: { type: 'string' },
  },
  async run(args) {
    const newTokens = numberFlag(args, 'new', 32, { int: true, min: 1 });
    const batch = numberFlag(args, 'batch', 1, { int: true, min: 1 });
    const promptTokens = numberFlag(args, 'prompt', 16, { int: true, min: 1 });
    const ortThreads = numberFlag(args, 'threads', 1, { int: true, min: 1 });
    const repeats = numberFlag(args, 'repeats', 5, { int: true, min: 1 });
    const warmup = numberFlag(args, 'warmup', 1, { int: true, min: 0 });
    const quant = (args.values.quant as string | undefined) ?? 'fp32';
    if (!(QUANT_DTYPES as readonly string[]).includes(quant)) throw new LedgerLabError({ kind: 'usage', problem: `--quant must be one of ${QUANT_DTYPES.join(', ')}, got "${quant}"`, where: '--quant' });
    const engines = ((args.values.engines as string | undefined) ?? 'tfjs,onnxruntime').split(',').map((e) => e.trim());
    for (const e of engines) if (e !== 'tfjs' && e !== 'onnxruntime') throw new LedgerLabError({ kind: 'usage', problem: `--engines takes tfjs and/or onnxruntime, got "${e}"`, where: '--engines' });
    await initBackend();
    const env = await environmentReport();
    const model = args.values.model as string | undefined;
    const r = await benchGenerate({ newTokens, batch, promptTokens, repeats, warmup, ortThreads, model, quant: quant as QuantDtype, engines: engines as Array<'tfjs'> });
    if (args.values.json) {
      console.log(JSON.stringify({ environment: env, ...r }, null, 2));
      return;
    }
    console.log(`generation bench — ${environmentSummary(env)}; onnxruntime-node ${env.accelerators.onnxruntime.version ?? '?'} (${ortThreads} thread${ortThreads > 1 ? 's' : ''})`);
    console.log(`  model ${model ? `${model} (${quant}), ` : ''}${r.config.layers} layers, d ${r.config.dModel}, ${r.config.heads} heads, vocab ${r.config.vocab}; batch ${batch}, prompt ${promptTokens}, ${newTokens} new tokens, greedy; warm-up ${warmup}, ${repeats} timed`);
    for (const row of r.rows) {
      console.log(`  ${row.backend.padEnd(12)} ${formatStat(row.tokensPerSec, 'tokens/s', 0)}   per generation ${formatStat(row.ms, 'ms', 1)}`);
    }
    const p = r.speedupPaired;
    if (r.rows.length === 2 && p) console.log(`  ONNX Runtime / tfjs: ${r.speedup.toFixed(2)}x (paired per round ${p.mean.toFixed(2)}x [${p.lo.toFixed(2)}, ${p.hi.toFixed(2)}]; machine ${formatNoise(r.timing)}); same greedy tokens: ${r.sameTokens ? 'yes' : 'NO'}`);
  },
};
