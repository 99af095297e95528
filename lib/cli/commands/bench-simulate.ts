import type { Command } from '../command.ts';
import { numberFlag } from '../args.ts';
import { sim, ledger, LedgerLabError, environmentReport, environmentSummary } from '../../index.ts';

const MiB = 1024 * 1024;

export const benchSimulateCommand: Command = {
  name: 'bench simulate',
  summary: 'fast-mode simulator at scale: items, identities and queries per epoch, seconds and peak memory per phase',
  usage: 'ledgerlab bench simulate --items N --identities M --queries Q [--method retrieval|knn-shapley] [--rule pro-rata|sqrt] [--probes N] [--seed N] [--evm-payees N] [--json]',
  help: [
    'One epoch of the stylised world in typed arrays: generate N items for M identities (1% of them retrieval',
    'spammers), build the two-level k-means tree, stream Q queries through retrieval and attribution into',
    'per-identity usage, settle with the ledger\'s exact bigint rules. Phases: world, index, queries, settle;',
    'each with wall seconds, CPU seconds of this process and peak RSS so far (bytes).',
    '--evm-payees N also settles N payees on an in-process Hardhat chain (register, log, close, paginated',
    'computeScores/sumPayouts) and reports transactions, gas and wall time.',
    '--json: {"items", "identities", "queries", "seconds", "peakRssBytes", "phases": {...}, ...}.',
  ].join('\n'),
  options: {
    items: { type: 'string' }, identities: { type: 'string' }, queries: { type: 'string' }, method: { type: 'string' }, rule: { type: 'string' },
    probes: { type: 'string' }, seed: { type: 'string' }, 'evm-payees': { type: 'string' }, json: { type: 'boolean' },
  },
  async run(args) {
    const method = (args.values.method as string | undefined) ?? 'retrieval';
    if (method !== 'retrieval' && method !== 'knn-shapley') throw new LedgerLabError({ kind: 'usage', problem: `unknown method "${method}"`, where: '--method', hint: 'use retrieval or knn-shapley' });
    const rule = (args.values.rule as string | undefined) ?? 'pro-rata';
    if (rule !== 'pro-rata' && rule !== 'sqrt') throw new LedgerLabError({ kind: 'usage', problem: `unknown rule "${rule}"`, where: '--rule', hint: 'use pro-rata or sqrt' });
    const items = numberFlag(args, 'items', 100_000, { int: true, min: 1 });
    const identities = numberFlag(args, 'identities', 10_000, { int: true, min: 1 });
    if (identities > items) throw new LedgerLabError({ kind: 'usage', problem: `${identities} identities cannot all own one of ${items} items`, where: '--identities', hint: 'use --identities ≤ --items' });
    const r = sim.benchScale({
      items, identities, queries: numberFlag(args, 'queries', 100_000, { int: true, min: 1 }), method, rule,
      probes: numberFlag(args, 'probes', 16, { int: true, min: 1 }), seed: numberFlag(args, 'seed', 0, { int: true, min: 0 }),
    });
    let evm: { payees: number; transactions: number; gas: number; maxTxGas: number; seconds: number } | undefined;
    if (args.values['evm-payees'] !== undefined) {
      const n = numberFlag(args, 'evm-payees', 0, { int: true, min: 1 });
      const t0 = performance.now();
      const chain = await ledger.startInProcessChain();
      try {
        const [p] = await ledger.measureSettlementCurve(chain, [n], { pageSize: 500 });
        // Registrations and attribution logging are in the wall time too; transactions and gas are settlement's.
        evm = { payees: n, transactions: p.transactions, gas: Number(p.totalGas), maxTxGas: Number(p.maxTxGas), seconds: (performance.now() - t0) / 1000 };
      } finally {
        await chain.close();
      }
    }
    if (args.values.json) {
      console.log(JSON.stringify({ ...r, ...(evm ? { evm } : {}) }, null, 2));
      return;
    }
    const env = await environmentReport();
    console.log(`bench simulate — ${environmentSummary(env)}`);
    console.log(`  ${r.items} items, ${r.identities} identities, ${r.queries} queries, ${r.method}; tree of ${r.leaves} leaves, ${r.meanCandidates.toFixed(2)} candidates/query; ${r.payees} payees; attackers captured ${(r.capturedShare * 100).toFixed(2)}%`);
    console.log('  phase     wall s    CPU s  peak RSS MiB');
    for (const [k, v] of Object.entries(r.phases)) console.log(`  ${k.padEnd(8)} ${v.seconds.toFixed(2).padStart(7)} ${v.cpuSeconds.toFixed(2).padStart(8)} ${(v.peakRssBytes / MiB).toFixed(0).padStart(13)}`);
    console.log(`  total    ${r.seconds.toFixed(2).padStart(7)}          ${(r.peakRssBytes / MiB).toFixed(0).padStart(13)}`);
    if (evm) console.log(`  evm settlement of ${evm.payees} payees: ${evm.transactions} transactions, ${evm.gas} gas (largest tx ${evm.maxTxGas}), ${evm.seconds.toFixed(1)} s wall including registration and logging`);
  },
};
