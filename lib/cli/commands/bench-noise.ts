import type { Command } from '../command.ts';
import { numberFlag } from '../args.ts';
import { noiseCheck, MAX_SPREAD, DEFAULT_GUARD } from '../../index.ts';

export const benchNoiseCommand: Command = {
  name: 'bench noise',
  summary: 'is this machine fit for timing now? a fixed kernel alone for 20 s: spread, steal, foreign load, verdict',
  usage: 'ledgerlab bench noise [--seconds S] [--json]',
  help: [
    'Runs a fixed JavaScript kernel (a 128³ matmul) alone through the timing engine for --seconds (default 20),',
    'holding the machine-wide timing lock, and reads /proc/stat around every round. Prints the kernel\'s spread',
    `(IQR / median of the per-round times; limit ${100 * MAX_SPREAD}%), the foreign load (busy cores that are not this process;`,
    `limit ${DEFAULT_GUARD.maxForeignCores} core), steal (limit ${100 * DEFAULT_GUARD.maxSteal}%) and the load average, then one line: "fit for timing: yes/no (why)".`,
    'Without /proc/stat the answer is "unknown". Exit code 0 either way (it is a report, not a gate).',
  ].join('\n'),
  options: { seconds: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    const seconds = numberFlag(args, 'seconds', 20, { min: 1 });
    const r = await noiseCheck({ seconds });
    if (args.values.json) {
      console.log(JSON.stringify(r, null, 2));
      return;
    }
    const fc = r.foreignCores ? `${r.foreignCores.median.toFixed(2)} cores median, ${r.foreignCores.max.toFixed(2)} max` : 'unknown';
    console.log(`bench noise — fixed kernel alone for ${r.seconds.toFixed(0)} s, ${r.rounds} rounds`);
    console.log(`  kernel: median ${r.kernelMs.median.toFixed(2)} ms, min ${r.kernelMs.min.toFixed(2)} ms, spread (IQR/median) ${(100 * r.spread).toFixed(1)}%`);
    console.log(`  foreign load: ${fc}; steal: ${r.stealMax === null ? 'unknown' : `${(100 * r.stealMax).toFixed(1)}% max`}; noisy rounds ${r.noisyRounds} of ${r.rounds}`);
    console.log(`  load average: ${r.loadAvg.start.map((x) => x.toFixed(2)).join(' ')} → ${r.loadAvg.end.map((x) => x.toFixed(2)).join(' ')}`);
    console.log(r.verdict);
  },
};
