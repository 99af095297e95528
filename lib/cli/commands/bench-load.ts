import type { Command } from '../command.ts';
import { numberFlag } from '../args.ts';
import { LedgerLabError, QUANT_DTYPES, environmentReport, environmentSummary, initBackend, benchLoad, LLAMA_100M } from '../../index.ts';
import { loadavg } from 'node:os';

export const benchLoadCommand: Command = {
  name: 'bench load',
  summary: 'peak RSS of loading a ~100M-parameter Hugging Face checkpoint, per storage dtype (fresh process each)',
  usage: 'ledgerlab bench load [--model DIR] [--quant fp32,nf4-dq,int8] [--dtype bf16|f16|f32] [--repeats N] [--json]',
  help: [
    'Writes a seeded random Llama checkpoint in the Hugging Face layout (12 layers, d 768, 12 heads, 4 key/value',
    'heads, ffn 2048, vocab 16000, untied: ~100M parameters) to a temp folder, then loads it with loadPretrained +',
    'Gpt.fromWeights in a fresh process per run and storage dtype, and prints the peak RSS (getrusage maxrss),',
    'the process RSS before loading (runtime + library) and the load time: median [min, max] over --repeats (3).',
    '--model DIR loads that Hugging Face checkpoint directory instead of the random one (--dtype then does not apply).',
  ].join('\n'),
  options: { model: { type: 'string' }, quant: { type: 'string' }, dtype: { type: 'string' }, repeats: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    const quants = ((args.values.quant as string | undefined) ?? 'fp32,nf4-dq,int8').split(',');
    for (const q of quants) if (!(QUANT_DTYPES as readonly string[]).includes(q)) throw new LedgerLabError({ kind: 'usage', problem: `unknown quant "${q}"`, where: '--quant', hint: QUANT_DTYPES.join(', ') });
    const dtype = ((args.values.dtype as string | undefined) ?? 'bf16').toUpperCase();
    if (!['F32', 'F16', 'BF16'].includes(dtype)) throw new LedgerLabError({ kind: 'usage', problem: `--dtype must be bf16, f16 or f32, got "${args.values.dtype}"`, where: '--dtype' });
    const repeats = numberFlag(args, 'repeats', 3, { int: true, min: 1 });
    await initBackend();
    const load = loadavg()[0];
    const r = benchLoad({ model: LLAMA_100M, dtype: dtype as 'BF16', quants, repeats, dir: args.values.model as string | undefined, log: args.values.json ? undefined : (s: string) => console.error(s) });
    const env = environmentSummary(await environmentReport());
    if (args.values.json) {
      console.log(JSON.stringify({ ...r, loadAverage1m: load, env }));
      return;
    }
    console.log(`${(r.params / 1e6).toFixed(1)}M-parameter ${args.values.model ? String(args.values.model) : 'random llama'}, ${r.dtype} file ${r.fileMB.toFixed(0)} MB; fp32 weights would be ${(r.params * 4 / 2 ** 20).toFixed(0)} MB`);
    console.log(`${env}; 1-min load average ${load.toFixed(1)} at start`);
    console.log('quant    peak RSS MB median [min, max]   before load MB   model MB   load s median [min, max]');
    for (const row of r.rows) {
      const f = (s: { median: number; min: number; max: number }, d: number) => `${s.median.toFixed(d)} [${s.min.toFixed(d)}, ${s.max.toFixed(d)}]`;
      console.log(`${row.quant.padEnd(8)} ${f(row.peakRssMB, 0).padEnd(30)} ${row.baseRssMB.toFixed(0).padEnd(16)} ${row.frozenMB.toFixed(0).padEnd(10)} ${f(row.loadSeconds, 1)}`);
    }
  },
};
