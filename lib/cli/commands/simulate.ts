import type { Command } from '../command.ts';
import { numberFlag } from '../args.ts';
import { LedgerLabError } from '../../index.ts';
import { paths } from '../../index.ts';
import { loadSimFile, recordSweep, formatSweepTable } from '../../index.ts';
import { runSweep } from '../../sim/index.ts';
import { verifySweepOnChain, type EvmCheck } from '../../sim/index.ts';

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'incentive stress test: how much of the reward pool attackers capture, per design × attack',
  usage: 'ledgerlab simulate FILE [--seeds N] [--mode fast|evm] [--root DIR] [--no-record] [--json]',
  help: [
    'FILE is an experiment file with kind "simulate": config.world, config.designs (rule × attribution ×',
    'defences) and config.attacks. Every design × attack runs on each seed together with an attack-free run',
    '(honest retention) and a run where the attacker\'s budget is spent honestly (gain ratio).',
    'Prints captured share, attacker ROI and honest retention as mean [95% CI] over seeds; --json prints',
    'every metric. The sweep is recorded as a run folder under results/ (or --root) unless --no-record.',
    '--mode fast settles off-chain with the ledger\'s exact bigint rules (lib/ledger/rules.ts); --mode evm also',
    'replays every attack episode on an in-process Hardhat chain (the ledger contracts), checks each payout',
    'equals fast mode to the wei (error otherwise) and reports the measured gas. Counterfactual runs stay off-chain.',
    'Examples: ledgerlab simulate experiments/sim-quick.json; ledgerlab simulate experiments/sim-default.json --seeds 10',
  ].join('\n'),
  options: { seeds: { type: 'string' }, mode: { type: 'string' }, root: { type: 'string' }, 'no-record': { type: 'boolean' }, json: { type: 'boolean' } },
  positionals: [1, 1],
  async run(args) {
    const mode = (args.values.mode as string | undefined) ?? 'fast';
    if (mode !== 'fast' && mode !== 'evm') {
      throw new LedgerLabError({ kind: 'usage', problem: `unknown mode "${mode}"`, where: '--mode', hint: 'use --mode fast or --mode evm' });
    }
    const seeds = args.values.seeds === undefined ? undefined : numberFlag(args, 'seeds', 0, { int: true, min: 1 });
    const sim = loadSimFile(args.positionals[0], { seeds });
    const json = Boolean(args.values.json);
    const total = sim.config.designs.length * sim.config.attacks.length * sim.seeds.length;
    const quiet = json || process.env.LEDGERLAB_QUIET === '1';
    const result = runSweep(sim.config, sim.seeds, (_c, done) => {
      if (!quiet && (done % 10 === 0 || done === total)) process.stderr.write(`\r  ${done}/${total} design × attack × seed`);
    });
    if (!quiet) process.stderr.write('\n');
    let evm: EvmCheck[] | undefined;
    if (mode === 'evm') {
      const t0 = performance.now();
      evm = await verifySweepOnChain(sim.config, sim.seeds, (_c, done, n) => {
        if (!quiet) process.stderr.write(`\r  ${done}/${n} episodes replayed on chain`);
      });
      if (!quiet) process.stderr.write('\n');
      result.seconds += (performance.now() - t0) / 1000;
    }
    const dir = args.values['no-record'] ? undefined : await recordSweep(sim, result, (args.values.root as string | undefined) ?? paths.results, mode, evm);
    if (json) {
      console.log(JSON.stringify({ name: sim.name, mode, seeds: sim.seeds, seconds: result.seconds, runDir: dir, rows: result.rows, evm: evm?.map((c) => ({ ...c, gas: Number(c.gas) })) }, null, 2));
      return;
    }
    console.log(`${sim.name}: ${sim.config.designs.length} designs × ${sim.config.attacks.length} attacks × ${sim.seeds.length} seeds, ${mode} mode, ${result.seconds.toFixed(1)} s`);
    console.log(formatSweepTable(result.rows));
    if (evm) {
      const gas = evm.reduce((a, c) => a + c.gas, 0n);
      console.log(`evm: ${evm.length} attack episodes replayed on an in-process chain; every payout equals fast mode to the wei; ${evm.reduce((a, c) => a + c.txs, 0)} txs, ${gas} gas measured`);
    }
    if (dir) console.log(`recorded: ${dir}`);
  },
};
