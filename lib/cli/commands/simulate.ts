import type { Command, ParsedArgs } from '../command.ts';
import { numberFlag } from '../args.ts';
import {
  LedgerLabError, paths, loadSimFile, recordSweep, formatSweepTable, submitSimulation, waitForRuns, simulationRows,
  redactUrl, runAdaptive, writeAdaptiveArtifacts,
} from '../../index.ts';
import { runSweep, verifySweepOnChain, type EvmCheck, formatWorstCaseTable, formatPopulations, formatSpanStudy } from '../../sim/index.ts';

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'incentive stress test: how much of the reward pool attackers capture, per design × attack',
  usage: 'ledgerlab simulate FILE [--seeds N] [--mode fast|evm] [--root DIR] [--no-record] [--json]  |  ledgerlab simulate FILE --queue redis://HOST:PORT [--wait] [--attempts N] [--backoff MS] [--seeds N] [--root DIR] [--json]',
  help: [
    'FILE is an experiment file with kind "simulate": config.world, config.designs (rule × attribution ×',
    'defences) and config.attacks. Every design × attack runs on each seed together with an attack-free run',
    '(honest retention) and a run where the attacker\'s budget is spent honestly (gain ratio).',
    'Prints captured share, attacker ROI and honest retention as mean [95% CI] over seeds; --json prints',
    'every metric. The sweep is recorded as a run folder under results/ (or --root) unless --no-record.',
    '--mode fast settles off-chain with the ledger\'s exact bigint rules (lib/ledger/rules.ts); --mode evm also',
    'replays every attack episode on an in-process Hardhat chain (the ledger contracts), checks each payout',
    'equals fast mode to the wei (error otherwise) and reports the measured gas. Counterfactual runs stay off-chain.',
    '--queue URL puts one job per seed (the whole design × attack grid of that seed, fast mode) on the job',
    'queue that `ledgerlab worker`s take (docs/cluster.md); each seed is a run folder in the shared --root.',
    '--wait waits, prints the same table as a local run and exits 1 if a seed failed.',
    'With config.search, every design × attack row also gets a worstCase (capturedShare, roi, strategy, gain): the',
    'attacker\'s best response found by a seeded cross-entropy search over the attack\'s strategy space.',
    'With config.population, populations of adaptive contributors (honest or game per epoch, multiplicative',
    'weights) run per design × attack; --json gives each trajectory under "population".',
    'With config.spans, a Datanet of real records (AdvertiseGen, E2E) plus duplicate, paraphrase, boilerplate and',
    'n-gram-stuffing attackers trains a small model (lib/train); its outputs are attributed by span matching,',
    'retrieval and KNN-Shapley and settled; --json gives the shares under "spans".',
    'Examples: ledgerlab simulate experiments/sim-quick.json; ledgerlab simulate experiments/sim-default.json --seeds 10',
  ].join('\n'),
  options: { seeds: { type: 'string' }, mode: { type: 'string' }, root: { type: 'string' }, 'no-record': { type: 'boolean' }, json: { type: 'boolean' }, queue: { type: 'string' }, wait: { type: 'boolean' }, attempts: { type: 'string' }, backoff: { type: 'string' } },
  positionals: [1, 1],
  async run(args) {
    const mode = (args.values.mode as string | undefined) ?? 'fast';
    if (mode !== 'fast' && mode !== 'evm') {
      throw new LedgerLabError({ kind: 'usage', problem: `unknown mode "${mode}"`, where: '--mode', hint: 'use --mode fast or --mode evm' });
    }
    const seeds = args.values.seeds === undefined ? undefined : numberFlag(args, 'seeds', 0, { int: true, min: 1 });
    if (args.values.queue !== undefined) return simulateOnQueue(args, seeds);
    for (const f of ['wait', 'attempts', 'backoff']) {
      if (args.values[f] !== undefined) throw new LedgerLabError({ kind: 'usage', problem: `--${f} needs --queue URL`, where: `--${f}` });
    }
    const sim = loadSimFile(args.positionals[0], { seeds });
    const json = Boolean(args.values.json);
    const total = sim.config.designs.length * sim.config.attacks.length * sim.seeds.length;
    const quiet = json || process.env.LEDGERLAB_QUIET === '1';
    const result = runSweep(sim.config, sim.seeds, (_c, done) => {
      if (!quiet && (done % 10 === 0 || done === total)) process.stderr.write(`\r  ${done}/${total} design × attack × seed`);
    });
    if (!quiet) process.stderr.write('\n');
    const adaptive = await runAdaptive(sim.config, result, (what, done, n) => {
      if (!quiet) process.stderr.write(`\r  ${done}/${n} ${what}${done === n ? '\n' : ''}`);
    });
    const { population, spans } = adaptive;
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
    // The adaptive parts beside the sweep's own artefacts (table.json carries the worstCase rows).
    if (dir) writeAdaptiveArtifacts(dir, adaptive);
    if (json) {
      console.log(JSON.stringify({ name: sim.name, mode, seeds: sim.seeds, seconds: result.seconds, runDir: dir, rows: result.rows, population, spans, evm: evm?.map((c) => ({ ...c, gas: Number(c.gas) })) }, null, 2));
      return;
    }
    console.log(`${sim.name}: ${sim.config.designs.length} designs × ${sim.config.attacks.length} attacks × ${sim.seeds.length} seeds, ${mode} mode, ${result.seconds.toFixed(1)} s`);
    console.log(formatSweepTable(result.rows));
    if (sim.config.search) console.log(`\nbest-responding attackers (cross-entropy search, objective ${sim.config.search.objective}):\n${formatWorstCaseTable(result.rows)}`);
    if (population) console.log(`\nadaptive contributors (multiplicative weights, honest vs game, ${sim.config.population!.epochs} epochs):\n${formatPopulations(population)}`);
    if (spans) console.log(`\nattribution on real text (pool share % per attacker and method, ${sim.config.spans!.rule}):\n${formatSpanStudy(spans)}`);
    if (evm) {
      const gas = evm.reduce((a, c) => a + c.gas, 0n);
      console.log(`evm: ${evm.length} attack episodes replayed on an in-process chain; every payout equals fast mode to the wei; ${evm.reduce((a, c) => a + c.txs, 0)} txs, ${gas} gas measured`);
    }
    if (dir) console.log(`recorded: ${dir}`);
  },
};

/** `--queue URL [--wait]`: one job per seed on the job queue (lib/cluster/simulate.ts). */
async function simulateOnQueue(args: ParsedArgs, seeds: number | undefined): Promise<number> {
  if (args.values.mode !== undefined && args.values.mode !== 'fast') {
    throw new LedgerLabError({ kind: 'usage', problem: '--queue runs fast mode only', where: '--mode', hint: 'replay on chain locally: ledgerlab simulate FILE --mode evm' });
  }
  if (args.values['no-record']) throw new LedgerLabError({ kind: 'usage', problem: '--no-record and --queue exclude each other (queued seeds are run folders)', where: '--no-record' });
  const url = args.values.queue as string;
  const json = Boolean(args.values.json);
  const sub = await submitSimulation(args.positionals[0], {
    url, seeds, root: (args.values.root as string | undefined) ?? paths.results,
    attempts: numberFlag(args, 'attempts', 3, { int: true, min: 1 }), backoffMs: numberFlag(args, 'backoff', 10_000, { int: true, min: 0 }),
  });
  const queued = `${sub.sweep}: ${sub.queued.length} seeds queued, ${sub.alreadyQueued.length} already queued, ${sub.skipped.length} skipped (already finished) on ${redactUrl(url)}`;
  if (!args.values.wait) {
    console.log(json ? JSON.stringify({ sweep: sub.sweep, queue: sub.url, root: sub.root, queued: sub.queued.map((p) => p.runId), alreadyQueued: sub.alreadyQueued.map((p) => p.runId), skipped: sub.skipped.map((p) => p.runId) }, null, 2) : queued);
    return 0;
  }
  if (!json) console.error(queued);
  const outcomes = await waitForRuns(sub, { url });
  const failed = outcomes.filter((o) => o.status === 'failed');
  const table = simulationRows(sub, outcomes);
  if (json) {
    console.log(JSON.stringify({ name: sub.sweep, mode: 'fast', seeds: table.seeds, runs: outcomes.map((o) => ({ runId: o.runId, seed: o.seed, status: o.status, dir: o.dir, ...(o.error ? { error: o.error } : {}) })), rows: table.rows }, null, 2));
  } else {
    const cfg = sub.plan.runs[0]?.config as { designs: unknown[]; attacks: unknown[] } | undefined;
    console.log(`${sub.sweep}: ${cfg?.designs.length ?? 0} designs × ${cfg?.attacks.length ?? 0} attacks × ${table.seeds.length} seeds, fast mode, through the queue`);
    if (table.rows.length) console.log(formatSweepTable(table.rows));
    for (const o of failed) console.log(`failed   ${o.runId}\n${(o.error ?? '').replace(/^/gm, '         ')}`);
    console.log(`${outcomes.length} seeds: ${outcomes.length - failed.length} finished, ${failed.length} failed`);
  }
  return failed.length ? 1 : 0;
}
