import type { Command } from '../command.ts';
import { numberFlag } from '../args.ts';
import { sim, ledger, LedgerLabError, environmentReport, environmentSummary } from '../../index.ts';

const MiB = 1024 * 1024;

export const benchSimulateCommand: Command = {
  name: 'bench simulate',
  summary: 'fast-mode simulator at scale: items, identities and queries per epoch, seconds and peak memory per phase',
  usage: 'ledgerlab bench simulate --items N --identities M --queries Q [--method retrieval|knn-shapley] [--rule pro-rata|sqrt] [--probes N] [--seed N] [--evm-payees N [--evm-node]] [--json]',
  help: [
    'One epoch of the stylised world in typed arrays: generate N items for M identities (1% of them retrieval',
    'spammers), build the two-level k-means tree, stream Q queries through retrieval and attribution into',
    'per-identity usage, settle with the ledger\'s exact bigint rules. Phases: world, index, queries, settle;',
    'each with wall seconds, CPU seconds of this process and peak RSS so far (bytes).',
    '--evm-payees N also settles N payees on an in-process Hardhat chain (register one item each, log events of',
    '50 items, close, computeScores/sumPayouts in pages of 500), streamed in chunks of 5,000 payees so memory',
    'stays bounded; reports transactions and gas per phase (registration, logging, settlement), the largest',
    'settlement transaction, wall seconds per phase, peak RSS and the load average. --evm-node runs the chain',
    'as a `hardhat node` child on 127.0.0.1 instead, so its peak RSS is reported separately.',
    '--json: {"items", "identities", "queries", "seconds", "peakRssBytes", "phases": {...}, ...}.',
  ].join('\n'),
  options: {
    items: { type: 'string' }, identities: { type: 'string' }, queries: { type: 'string' }, method: { type: 'string' }, rule: { type: 'string' },
    probes: { type: 'string' }, seed: { type: 'string' }, 'evm-payees': { type: 'string' }, 'evm-node': { type: 'boolean' }, json: { type: 'boolean' },
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
    let evm: ReturnType<typeof evmJson> | undefined;
    if (args.values['evm-payees'] !== undefined) {
      const n = numberFlag(args, 'evm-payees', 0, { int: true, min: 1 });
      const t0 = performance.now();
      const chain = args.values['evm-node'] ? await ledger.startNodeChain() : await ledger.startInProcessChain();
      try {
        const s = await ledger.settleAtScale(chain, n, { pageSize: 500, log: args.values.json ? undefined : (line) => console.error(line) });
        evm = evmJson(s, (performance.now() - t0) / 1000);
      } finally {
        await chain.close();
      }
    } else if (args.values['evm-node']) {
      throw new LedgerLabError({ kind: 'usage', problem: '--evm-node without --evm-payees', where: '--evm-node', hint: 'add --evm-payees N' });
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
    if (evm) {
      const p = (x: { transactions: number; gas: number; seconds: number }) => `${x.transactions} tx, ${x.gas} gas, ${x.seconds.toFixed(1)} s`;
      console.log(`  evm (${evm.chain} chain), ${evm.payees} payees:`);
      console.log(`    registration  ${p(evm.registrations)}`);
      console.log(`    logging       ${p(evm.logging)} (${evm.logging.events} events)`);
      console.log(`    settlement    ${p(evm.settlement)}; ${evm.gasPerPayee} gas per payee, largest tx ${evm.maxTxGas} (cap ${ledger.TX_GAS_CAP})`);
      console.log(`    wall ${evm.seconds.toFixed(1)} s (chain start and deploy included); peak RSS ${(evm.peakRssBytes / MiB).toFixed(0)} MiB` +
        (evm.chainPeakRssBytes !== undefined ? `, chain process ${(evm.chainPeakRssBytes / MiB).toFixed(0)} MiB` : ' (chain in this process)') +
        `; load average ${evm.loadAverage.map((x) => x.toFixed(2)).join(' ')}`);
    }
  },
};

/** The `evm` block of the output: `transactions` and `gas` are settlement's (closeEpoch + pages), as before. */
function evmJson(s: ledger.ScaleSettlementResult, seconds: number) {
  const phase = (x: ledger.PhaseTotals) => ({ transactions: x.transactions, gas: Number(x.gas), seconds: x.seconds });
  return {
    payees: s.payees, chain: s.chain, transactions: s.settlement.transactions, gas: Number(s.settlement.gas), maxTxGas: Number(s.settlement.maxTxGas),
    gasPerPayee: Number(s.settlement.gasPerPayee), seconds,
    registrations: phase(s.registration), logging: { ...phase(s.logging), events: s.logging.events }, settlement: phase(s.settlement),
    peakRssBytes: s.peakRssBytes, ...(s.chainPeakRssBytes !== undefined ? { chainPeakRssBytes: s.chainPeakRssBytes } : {}),
    loadAverage: s.loadAverage, samples: s.samples,
  };
}
