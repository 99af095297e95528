/**
 * `ledgerlab ledger bench`: deploy, N contributions from M accounts, E attribution events, settle one
 * epoch, everyone claims. Reports throughput per phase (tx/s over the whole phase, and median/IQR over
 * its mining rounds), gas per call and settlement gas. A single run: it measures the harness + chain,
 * not the contracts (whose cost is the gas column, which is deterministic).
 */
import { id as keccakId } from 'ethers';
import { LedgerLabError } from '../errors.ts';
import { Rng } from '../util/index.ts';
import { summarize, formatStat, type Stat } from '../measure/index.ts';
import { startInProcessChain, startNodeChain, TX_GAS_CAP, type LedgerChain, type TxRequest, type Receipt } from './chain.ts';
import { deployLedger } from './deploy.ts';
import { closeAndSettle, type SettlementRun } from './settle.ts';
import {
  GasReport, formatGasTable, gasRowsJson, measureSettlementCurve, formatSettlementCurve, type GasRow,
  type SettlementCurvePoint,
} from './gas.ts';
import { RULE, RULE_NAMES, type RuleId } from './rules.ts';

export interface LedgerBenchOptions {
  contributions?: number;
  accounts?: number;
  events?: number;
  eventsPerTx?: number;
  itemsPerEvent?: number;
  /** Transactions per evm_mine round. */
  round?: number;
  /** Payees per settlement page. */
  pageSize?: number;
  rule?: RuleId;
  chain?: 'in-process' | 'node';
  seed?: string | number;
  /** Fetch a receipt for every k-th transaction for the gas table (receipts cost an RPC each). */
  sampleEvery?: number;
  log?: (line: string) => void;
  /** Also measure settlement gas at these payee counts (fresh state each, snapshot/revert). */
  curve?: number[];
}

export interface PhaseResult {
  name: string;
  txs: number;
  seconds: number;
  txPerSec: number;
  /** tx/s per mining round. */
  perRound: Stat;
  /** CPU seconds of this process (JS + the EDR simulator threads) during the phase: on a shared machine,
   * txs / cpuSeconds shows the rate the work itself allows, independent of contention. */
  cpuSeconds: number;
}

export interface LedgerBenchResult {
  chain: 'in-process' | 'node';
  config: Required<Omit<LedgerBenchOptions, 'log' | 'chain' | 'curve'>>;
  curve: SettlementCurvePoint[];
  phases: PhaseResult[];
  /** All batched transactions over the time spent sending and mining them. */
  overallTxPerSec: number;
  gas: GasRow[];
  settlement: Omit<SettlementRun, 'epoch'> & { pages: number };
  deployGas: bigint;
  wallSeconds: number;
}

async function timedBatches(chain: LedgerChain, name: string, txs: TxRequest[], round: number, sampleEvery: number): Promise<{ phase: PhaseResult; sampled: Receipt[] }> {
  const rates: number[] = [];
  const hashes: string[] = [];
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let s = 0; s < txs.length; s += round) {
    const part = txs.slice(s, s + round);
    const r0 = performance.now();
    const res = await chain.sendBatch(part, { round });
    rates.push(part.length / ((performance.now() - r0) / 1000));
    hashes.push(...res.hashes);
  }
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const sampled = await Promise.all(hashes.filter((_, i) => i % sampleEvery === 0).map((h) => chain.receipt(h)));
  const failed = sampled.filter((r) => r.status !== 1n).length;
  if (failed) throw new LedgerLabError({ kind: 'ledger', code: 'ledger.bench_reverted', problem: `${name}: ${failed} sampled transactions reverted` });
  return { phase: { name, txs: txs.length, seconds, txPerSec: txs.length / seconds, perRound: summarize(rates), cpuSeconds }, sampled };
}

export async function runLedgerBench(opts: LedgerBenchOptions = {}): Promise<LedgerBenchResult> {
  const config = {
    contributions: opts.contributions ?? 10_000, accounts: opts.accounts ?? 500, events: opts.events ?? 10_000,
    eventsPerTx: opts.eventsPerTx ?? 50, itemsPerEvent: opts.itemsPerEvent ?? 3, round: opts.round ?? 500,
    pageSize: opts.pageSize ?? 500, rule: opts.rule ?? RULE.PRO_RATA, seed: opts.seed ?? 'ledger-bench', sampleEvery: opts.sampleEvery ?? 10,
  };
  const log = opts.log ?? (() => {});
  const kind = opts.chain ?? 'in-process';
  const wall0 = performance.now();
  const rng = new Rng(config.seed);
  const chain = kind === 'node' ? await startNodeChain() : await startInProcessChain();
  try {
    const perAccount = Math.ceil(config.contributions / config.accounts);
    const { ledger, owner, deployGas } = await deployLedger(chain, { params: { dailyCap: perAccount } });
    if (config.rule !== RULE.PRO_RATA) await ledger.setRule(config.rule, { from: owner });
    log(`deployed AttributionLedger (${deployGas} gas) on the ${kind} chain; rule ${RULE_NAMES[config.rule]}`);
    const users = await chain.fundedAccounts(config.accounts, 10n ** 21n, `${config.seed}-accounts`);
    const gas = new GasReport();
    const phases: PhaseResult[] = [];

    const regs = Array.from({ length: config.contributions }, (_, i) =>
      ledger.registerTx(keccakId(`bench-${config.seed}-${i}`), 1 + rng.int(1 << 20), 1, { from: users[i % config.accounts], gas: 300_000n }));
    const reg = await timedBatches(chain, 'register', regs, config.round, config.sampleEvery);
    phases.push(reg.phase);
    gas.addAll('register', reg.sampled);
    log(`register: ${reg.phase.txs} tx in ${reg.phase.seconds.toFixed(2)} s = ${reg.phase.txPerSec.toFixed(0)} tx/s`);

    const logs: TxRequest[] = [];
    const k = Math.min(config.itemsPerEvent, config.contributions);
    for (let e = 0; e < config.events; e += config.eventsPerTx) {
      const evs = [];
      for (let j = e; j < Math.min(e + config.eventsPerTx, config.events); j++) {
        const set = new Set<number>();
        while (set.size < k) set.add(1 + rng.int(config.contributions));
        const items = [...set].sort((a, b) => a - b);
        evs.push({ fee: BigInt(1 + rng.int(1_000_000)) * 10n ** 9n, items, weights: items.map(() => 1 + rng.int(1000)) });
      }
      logs.push(ledger.logAttributionsTx(evs, { from: owner, value: evs.reduce((s, x) => s + x.fee, 0n), gas: TX_GAS_CAP }));
    }
    // one sender, so these serialize on its nonce; rounds of 50 txs keep blocks small
    const att = await timedBatches(chain, `logAttributions (${config.eventsPerTx} events/tx)`, logs, Math.min(config.round, 50), 1);
    phases.push(att.phase);
    gas.addAll(`logAttributions[${config.eventsPerTx}]`, att.sampled);
    log(`logAttributions: ${config.events} events in ${att.phase.txs} tx, ${att.phase.seconds.toFixed(2)} s = ${(config.events / att.phase.seconds).toFixed(0)} events/s`);

    const run = await closeAndSettle(ledger, { from: owner, pageSize: config.pageSize });
    gas.add('closeEpoch', run.closeGas);
    for (const g of run.scorePages) gas.add(`computeScores[${config.pageSize}]`, g);
    for (const g of run.sumPages) gas.add(`sumPayouts[${config.pageSize}]`, g);
    log(`settled ${run.payees} payees: ${run.totalGas} gas in ${run.scorePages.length + run.sumPages.length + 1} tx (max ${run.maxTxGas})`);

    const claims = users.map((u) => ledger.claimTx(0, { from: u, gas: 150_000n }));
    const cl = await timedBatches(chain, 'claim', claims, config.round, 1);
    phases.push(cl.phase);
    gas.addAll('claim', cl.sampled);

    let curve: SettlementCurvePoint[] = [];
    if (opts.curve?.length) {
      log(`settlement gas curve at ${opts.curve.join(', ')} payees…`);
      curve = await measureSettlementCurve(chain, opts.curve, { pageSize: config.pageSize });
    }

    const totalTx = phases.reduce((s, p) => s + p.txs, 0);
    const totalS = phases.reduce((s, p) => s + p.seconds, 0);
    const { epoch: _e, ...settlement } = run;
    return {
      chain: kind, config, phases, curve, overallTxPerSec: totalTx / totalS, gas: gas.rows(),
      settlement: { ...settlement, pages: run.scorePages.length + run.sumPages.length }, deployGas,
      wallSeconds: (performance.now() - wall0) / 1000,
    };
  } finally {
    await chain.close();
  }
}

export function formatLedgerBench(r: LedgerBenchResult): string {
  const c = r.config;
  const lines = [
    `ledger bench — ${r.chain} chain; ${c.contributions} contributions from ${c.accounts} accounts, ${c.events} attribution events ` +
      `(${c.itemsPerEvent} items each, ${c.eventsPerTx}/tx), rule ${RULE_NAMES[c.rule as RuleId]}, rounds of ${c.round} tx per evm_mine`,
    '',
    `${'phase'.padEnd(34)} ${'tx'.padStart(6)} ${'s'.padStart(7)} ${'tx/s'.padStart(7)} ${'cpu s'.padStart(7)} ${'tx/cpu-s'.padStart(9)}  per round`,
    ...r.phases.map((p) => `${p.name.padEnd(34)} ${String(p.txs).padStart(6)} ${p.seconds.toFixed(2).padStart(7)} ${p.txPerSec.toFixed(0).padStart(7)} ${p.cpuSeconds.toFixed(2).padStart(7)} ${(p.txs / p.cpuSeconds).toFixed(0).padStart(9)}  ${formatStat(p.perRound, 'tx/s', 0)}`),
    `${'all batched transactions'.padEnd(34)} ${String(r.phases.reduce((s, p) => s + p.txs, 0)).padStart(6)} ${r.phases.reduce((s, p) => s + p.seconds, 0).toFixed(2).padStart(7)} ${r.overallTxPerSec.toFixed(0).padStart(7)}`,
    '',
    `gas per call (receipts of every ${c.sampleEvery}th register; every other call measured):`,
    formatGasTable(r.gas, { [`logAttributions[${c.eventsPerTx}]`]: `${c.eventsPerTx} events per tx` }),
    `deploy ${r.deployGas}`,
    '',
    `settlement of ${r.settlement.payees} payees: ${r.settlement.totalGas} gas in ${r.settlement.pages + 1} tx (close + ${r.settlement.scorePages.length} score pages + ${r.settlement.sumPages.length} sum pages of ≤ ${c.pageSize}); ` +
      `largest tx ${r.settlement.maxTxGas} (cap ${TX_GAS_CAP})`,
    ...(r.curve.length ? ['', 'settlement gas vs payees (gas units; one item per payee, 50 items per event):', formatSettlementCurve(r.curve, c.pageSize)] : []),
    `wall time ${r.wallSeconds.toFixed(1)} s (chain start, compile check, deploy, funding included)`,
  ];
  return lines.join('\n');
}

/** JSON-safe view (bigints as numbers/strings). */
export function ledgerBenchJson(r: LedgerBenchResult): unknown {
  return JSON.parse(JSON.stringify({ ...r, gas: gasRowsJson(r.gas) }, (_k, v) => (typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v)));
}
