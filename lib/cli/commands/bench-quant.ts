import type { Command } from '../command.ts';
import { numberFlag, listFlag } from '../args.ts';
import {
  benchQuantLinear, QUANT_DTYPES, type QuantDtype, initBackend, environmentReport, environmentSummary, formatStat,
  formatNoise, worstStatus, LedgerLabError,
} from '../../index.ts';

export const benchQuantCommand: Command = {
  name: 'bench quant',
  summary: 'cost of on-the-fly weight dequantization in a linear layer, per stored dtype',
  usage: 'ledgerlab bench quant [--in N] [--out N] [--tokens N] [--tile-rows N] [--dtypes nf4,nf4-dq,...] [--repeats N] [--warmup N] [--json]',
  help: [
    'Times y = x·W for x [tokens, in] with W stored packed and decoded tile by tile (QuantLinear), next to a',
    'plain matMul with a resident fp32 W; reports the decode share and the JS decode speed per value.',
  ].join('\n'),
  options: {
    in: { type: 'string' }, out: { type: 'string' }, tokens: { type: 'string' }, dtypes: { type: 'string' }, 'tile-rows': { type: 'string' },
    repeats: { type: 'string' }, warmup: { type: 'string' }, json: { type: 'boolean' },
  },
  async run(args) {
    const inFeatures = numberFlag(args, 'in', 512, { int: true, min: 1 });
    const outFeatures = numberFlag(args, 'out', 512, { int: true, min: 1 });
    const tokens = numberFlag(args, 'tokens', 1024, { int: true, min: 1 });
    const repeats = numberFlag(args, 'repeats', 10, { int: true, min: 1 });
    const warmup = numberFlag(args, 'warmup', 2, { int: true, min: 0 });
    const tileRows = args.values['tile-rows'] === undefined ? undefined : numberFlag(args, 'tile-rows', 0, { int: true, min: 1 });
    const dtypes = listFlag(args, 'dtypes').flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
    for (const d of dtypes) {
      if (!(QUANT_DTYPES as readonly string[]).includes(d)) {
        throw new LedgerLabError({ kind: 'usage', problem: `unknown dtype "${d}"`, where: '--dtypes', hint: `use ${QUANT_DTYPES.join(', ')}` });
      }
    }
    await initBackend();
    const env = await environmentReport();
    const rows = await benchQuantLinear({
      inFeatures, outFeatures, tokens, repeats, warmup, tileRows, dtypes: dtypes.length ? (dtypes as QuantDtype[]) : undefined,
    });
    if (args.values.json) {
      console.log(JSON.stringify({ environment: env, inFeatures, outFeatures, tokens, tileRows, repeats, warmup, rows }, null, 2));
      return;
    }
    console.log(`quantized linear bench — ${environmentSummary(env)}; x [${tokens}, ${inFeatures}] · W [${inFeatures}, ${outFeatures}]; tile rows ${tileRows ?? 'auto (≤ 262144 values)'}; warm-up ${warmup}, ${repeats} timed`);
    for (const r of rows) {
      console.log(`  ${r.dtype.padEnd(13)} ${String(r.bytes).padStart(9)} B  fwd ${formatStat(r.forwardMs, 'ms', 2)}` +
        `  decode/fwd ${r.dequantMsPerForward.toFixed(2)} ms  fwd+bwd ${formatStat(r.forwardBackwardMs, 'ms', 2)}` +
        `  decode ${r.decodeNsPerValue.toFixed(1)} ns/value`);
    }
    // Every figure above went through the timing engine; say how quiet the machine was for them.
    const records = rows.flatMap((r) => [r.forwardMs.timing, r.forwardBackwardMs.timing]).filter((t) => t !== undefined);
    if (records.length) console.log(`  machine: ${worstStatus(records.map((t) => t.noise.status))} (first timing: ${formatNoise(records[0]!)})`);
  },
};
