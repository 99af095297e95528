/**
 * Settlement of a very large epoch (10⁵ payees) with bounded memory: the same workload as
 * measureSettlementCurve (n identities register one item each, events of 50 items, 4 events per
 * logAttributions tx, closeEpoch + paginated computeScores/sumPayouts), streamed in chunks.
 *
 * Where the memory went before (measured on the in-process EDR chain, docs/adaptive-attacks.md):
 * - logAttributions sent as one sendBatch round: all n/200 transactions of ~14 M gas each mined into ONE
 *   block; building it held several GB transiently (50 such txs in a block: RSS 1.1 → 3.4 GB at 20,000
 *   payees; 5 per block: 1.25 GB peak). Here: `logRound` (5) transactions per block.
 * - hardhat_setBalance per payee (fundedAccounts): ~15 KB of EDR irregular state per account. Every
 *   transaction here pays zero fees and sends zero value, so payees are only impersonated, never funded.
 * - every address, TxRequest and receipt of all n payees kept in arrays. Here: addresses are derived
 *   chunk by chunk from a seeded stream (the same sequence fundedAccounts gives for the seed), requests
 *   are built per chunk and dropped, gas is read from the mined blocks' gasUsed (one call per block, no
 *   receipts), and the local nonce entries of senders that are done are forgotten.
 * What remains is the chain's own state and history (~20 KB per payee registered and attributed).
 */
import { id as keccakId } from 'ethers';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { LedgerLabError } from '../errors.ts';
import { addressStream, type LedgerChain, type TxRequest } from './chain.ts';
import { deployLedger } from './deploy.ts';
import { closeAndSettle } from './settle.ts';
import { attributionTxs, EVENTS_PER_TX } from './gas.ts';

export interface ScaleSettlementOptions {
  /** Payees per settlement page (as measureSettlementCurve: 500). */
  pageSize?: number;
  /** Payees registered and attributed per chunk; rounded up to a multiple of one logAttributions tx (200). */
  chunk?: number;
  /** Registrations per mined block. */
  registerRound?: number;
  /** logAttributions transactions (~14 M gas each) per mined block. */
  logRound?: number;
  /** Address and content-hash seed; the default reproduces measureSettlementCurve's (`curve-${n}`). */
  seed?: string;
  /** Progress line after every chunk (payees so far, RSS of this process and of the chain process). */
  log?: (line: string) => void;
}

export interface PhaseTotals {
  transactions: number;
  gas: bigint;
  seconds: number;
}

export interface ScaleSettlementResult {
  payees: number;
  chain: 'in-process' | 'node';
  registration: PhaseTotals;
  logging: PhaseTotals & { events: number };
  settlement: PhaseTotals & { gasPerPayee: bigint; maxTxGas: bigint; closeGas: bigint; scorePages: number; sumPages: number };
  /** The settled epoch and the ledger: for reading payouts back (tests). */
  epoch: bigint;
  ledgerAddress: string;
  /** RSS after each chunk: this process, and the chain process when it is a separate `hardhat node`. */
  samples: { payees: number; rssBytes: number; chainRssBytes?: number }[];
  /** getrusage peak of this process (for in-process chains it includes the chain). */
  peakRssBytes: number;
  /** VmHWM of the `hardhat node` child (node chains only). */
  chainPeakRssBytes?: number;
  /** os.loadavg() at the end: [1, 5, 15] minutes. */
  loadAverage: number[];
  seconds: number;
}

const PER_EVENT = 50;

/** VmRSS / VmHWM of another process from /proc (Linux); undefined when unreadable. */
export function procMemory(pid: number): { rssBytes: number; peakBytes: number } | undefined {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN) * 1024;
    return { rssBytes: kb('VmRSS'), peakBytes: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

async function blockGas(chain: LedgerChain, from: bigint, to: bigint): Promise<{ gas: bigint; txs: number }> {
  let gas = 0n;
  let txs = 0;
  for (let b = from; b <= to; b++) {
    const blk = await chain.request<{ gasUsed: string; transactions: unknown[] }>('eth_getBlockByNumber', [`0x${b.toString(16)}`, false]);
    gas += BigInt(blk.gasUsed);
    txs += blk.transactions.length;
  }
  return { gas, txs };
}

/**
 * Deploys a fresh ledger on `chain`, fills one epoch with n payees and settles it. Transactions and gas
 * are counted per phase from the mined blocks; a registration or log that reverted shows up as a wrong
 * item or event count and throws.
 */
export async function settleAtScale(chain: LedgerChain, n: number, opts: ScaleSettlementOptions = {}): Promise<ScaleSettlementResult> {
  const pageSize = opts.pageSize ?? 500;
  const perTx = PER_EVENT * EVENTS_PER_TX;
  const chunk = Math.ceil((opts.chunk ?? 5_000) / perTx) * perTx;
  const registerRound = opts.registerRound ?? 500;
  const logRound = opts.logRound ?? 5;
  const seed = opts.seed ?? 'curve';
  const log = opts.log ?? (() => {});
  const t0 = performance.now();
  const { ledger, owner } = await deployLedger(chain, { params: { dailyCap: 0 } });
  const firstItem = (await ledger.itemCount()) + 1n;
  const firstEvent = await ledger.eventCount();
  const nextAddress = addressStream(`${seed}-${n}`);
  const registration: PhaseTotals = { transactions: 0, gas: 0n, seconds: 0 };
  const logging = { transactions: 0, gas: 0n, seconds: 0, events: 0 };
  const samples: ScaleSettlementResult['samples'] = [];

  // One phase step: send, then count the mined blocks' transactions and gas into `into`.
  const phase = async (into: PhaseTotals, txs: TxRequest[], round: number) => {
    const s0 = performance.now();
    const b0 = await chain.blockNumber();
    await chain.sendBatch(txs, { round });
    const g = await blockGas(chain, b0 + 1n, await chain.blockNumber());
    into.transactions += g.txs;
    into.gas += g.gas;
    into.seconds += (performance.now() - s0) / 1000;
  };

  for (let start = 0; start < n; start += chunk) {
    const end = Math.min(start + chunk, n);
    const users = Array.from({ length: end - start }, nextAddress);
    await chain.impersonate(users);
    await phase(registration, users.map((u, k) => ledger.registerTx(keccakId(`curve-${n}-${start + k}`), 1, 1, { from: u, gas: 300_000n })), registerRound);
    chain.forgetNonces(users);
    const { txs, events } = attributionTxs(ledger, owner, firstItem, start, end, PER_EVENT);
    logging.events += events;
    await phase(logging, txs, logRound);
    const sample = { payees: end, rssBytes: process.memoryUsage.rss(), ...(chain.pid ? { chainRssBytes: procMemory(chain.pid)?.rssBytes } : {}) };
    samples.push(sample);
    log(`  ${end} payees registered and attributed: RSS ${(sample.rssBytes / 2 ** 20).toFixed(0)} MiB` +
      (sample.chainRssBytes ? `, chain process ${(sample.chainRssBytes / 2 ** 20).toFixed(0)} MiB` : '') + `, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  const items = (await ledger.itemCount()) - firstItem + 1n;
  const events = (await ledger.eventCount()) - firstEvent;
  if (items !== BigInt(n) || events !== BigInt(logging.events)) {
    throw new LedgerLabError({
      kind: 'ledger', problem: `${items} of ${n} registrations and ${events} of ${logging.events} attribution events landed`,
      where: 'settleAtScale', hint: 'a transaction reverted or stayed pending; rerun with a smaller chunk or round',
    });
  }

  const s0 = performance.now();
  const run = await closeAndSettle(ledger, { from: owner, pageSize });
  const settlement = {
    transactions: 1 + run.scorePages.length + run.sumPages.length, gas: run.totalGas, seconds: (performance.now() - s0) / 1000,
    gasPerPayee: run.totalGas / BigInt(Math.max(n, 1)), maxTxGas: run.maxTxGas, closeGas: run.closeGas,
    scorePages: run.scorePages.length, sumPages: run.sumPages.length,
  };
  const chainMem = chain.pid ? procMemory(chain.pid) : undefined;
  return {
    payees: n, chain: chain.kind, registration, logging, settlement, epoch: run.epoch, ledgerAddress: ledger.address, samples,
    peakRssBytes: process.resourceUsage().maxRSS * 1024, ...(chainMem ? { chainPeakRssBytes: chainMem.peakBytes } : {}),
    loadAverage: loadavg(), seconds: (performance.now() - t0) / 1000,
  };
}
