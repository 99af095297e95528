/**
 * Gas report: gas used per contract function (count, min, mean, max) and per settlement page, from
 * receipts. Numbers are gas units, independent of the (zero) base fee of the dev chain.
 */
import { id as keccakId } from 'ethers';
import { type LedgerChain, type Receipt, type TxRequest, TX_GAS_CAP } from './chain.ts';
import type { AttributionLedger } from './bindings/index.ts';
import { deployLedger } from './deploy.ts';
import { closeAndSettle } from './settle.ts';

export interface GasRow {
  fn: string;
  calls: number;
  min: bigint;
  mean: bigint;
  max: bigint;
  total: bigint;
}

export class GasReport {
  private readonly byFn = new Map<string, bigint[]>();

  add(fn: string, gas: bigint | Receipt): void {
    const g = typeof gas === 'bigint' ? gas : gas.gasUsed;
    let l = this.byFn.get(fn);
    if (!l) this.byFn.set(fn, (l = []));
    l.push(g);
  }

  addAll(fn: string, receipts: readonly Receipt[]): void {
    for (const r of receipts) this.add(fn, r);
  }

  rows(): GasRow[] {
    return [...this.byFn.entries()].map(([fn, l]) => {
      const total = l.reduce((a, b) => a + b, 0n);
      return {
        fn, calls: l.length, total, mean: total / BigInt(l.length),
        min: l.reduce((a, b) => (b < a ? b : a)), max: l.reduce((a, b) => (b > a ? b : a)),
      };
    });
  }
}

/** Fixed-width table; `note` per row is appended (e.g. "per tx of 50 events"). */
export function formatGasTable(rows: readonly GasRow[], notes: Record<string, string> = {}): string {
  const head = `${'function'.padEnd(28)} ${'calls'.padStart(6)} ${'min'.padStart(10)} ${'mean'.padStart(10)} ${'max'.padStart(10)}`;
  const lines = rows.map((r) => `${r.fn.padEnd(28)} ${String(r.calls).padStart(6)} ${r.min.toString().padStart(10)} ${r.mean.toString().padStart(10)} ${r.max.toString().padStart(10)}${notes[r.fn] ? `  ${notes[r.fn]}` : ''}`);
  return [head, ...lines].join('\n');
}

/** JSON-safe rows (bigint → number; gas fits easily). */
export function gasRowsJson(rows: readonly GasRow[]): Record<string, number | string>[] {
  return rows.map((r) => ({ fn: r.fn, calls: r.calls, min: Number(r.min), mean: Number(r.mean), max: Number(r.max), total: Number(r.total) }));
}

export interface SettlementCurvePoint {
  payees: number;
  events: number;
  /** Gas of logAttributions per (event, item) entry, first use of each payee in the epoch. */
  logGasPerEntry: bigint;
  closeGas: bigint;
  scoreGasPerPayee: bigint;
  sumGasPerPayee: bigint;
  totalGas: bigint;
  maxTxGas: bigint;
  transactions: number;
}

/** Fee of each attribution event in the settlement workloads (wei). */
const EVENT_FEE = 10n ** 12n;
/** Attribution events per logAttributions transaction in the settlement workloads. */
export const EVENTS_PER_TX = 4;

/**
 * The logAttributions transactions of the settlement workloads that credit the items of payees [start, end)
 * (payee i registered item firstItem + i): events of `per` items with weights 1…7 cycling, EVENTS_PER_TX
 * events per transaction. Shared by measureSettlementCurve and settleAtScale, so both settle the same epoch.
 */
export function attributionTxs(ledger: AttributionLedger, owner: string, firstItem: bigint, start: number, end: number, per = 50): { txs: TxRequest[]; events: number } {
  const txs: TxRequest[] = [];
  let events = 0;
  for (let s = start; s < end; s += EVENTS_PER_TX * per) {
    const evs = [];
    for (let e = s; e < Math.min(s + EVENTS_PER_TX * per, end); e += per) {
      const items = Array.from({ length: Math.min(per, end - e) }, (_, k) => firstItem + BigInt(e + k));
      evs.push({ fee: EVENT_FEE, items, weights: items.map((_, k) => 1 + (k % 7)) });
    }
    events += evs.length;
    txs.push(ledger.logAttributionsTx(evs, { from: owner, value: BigInt(evs.length) * EVENT_FEE, gas: TX_GAS_CAP }));
  }
  return { txs, events };
}

/**
 * Settlement gas as a function of payees (one item each, `itemsPerEvent` items per event): for each count,
 * a fresh ledger state (snapshot/revert) is filled and settled in pages of `pageSize`.
 */
export async function measureSettlementCurve(
  chain: LedgerChain, counts: readonly number[], opts: { pageSize?: number; itemsPerEvent?: number; seed?: string } = {},
): Promise<SettlementCurvePoint[]> {
  const pageSize = opts.pageSize ?? 500;
  const per = opts.itemsPerEvent ?? 50;
  const { ledger, owner } = await deployLedger(chain, { params: { dailyCap: 0 } });
  const out: SettlementCurvePoint[] = [];
  for (const n of counts) {
    const snap = await chain.snapshot();
    const users = await chain.fundedAccounts(n, 10n ** 18n, `${opts.seed ?? 'curve'}-${n}`);
    await chain.sendBatch(users.map((u, i) => ledger.registerTx(keccakId(`curve-${n}-${i}`), 1, 1, { from: u, gas: 300_000n })));
    const first = (await ledger.itemCount()) - BigInt(n) + 1n;
    const { txs, events } = attributionTxs(ledger, owner, first, 0, n, per);
    // 5 per block: a block of hundreds of ~14 M-gas txs held GBs while being built (docs/adaptive-attacks.md)
    const { receipts } = await chain.sendBatch(txs, { receipts: true, round: 5 });
    const logGas = receipts!.reduce((a, r) => a + r.gasUsed, 0n);
    const run = await closeAndSettle(ledger, { from: owner, pageSize });
    const full = (pages: bigint[]) => pages.reduce((a, b) => a + b, 0n) / BigInt(Math.max(n, 1));
    out.push({
      payees: n, events, logGasPerEntry: logGas / BigInt(n), closeGas: run.closeGas, scoreGasPerPayee: full(run.scorePages),
      sumGasPerPayee: full(run.sumPages), totalGas: run.totalGas, maxTxGas: run.maxTxGas, transactions: 1 + run.scorePages.length + run.sumPages.length,
    });
    await chain.revert(snap);
  }
  return out;
}

export function formatSettlementCurve(points: readonly SettlementCurvePoint[], pageSize: number): string {
  const head = `${'payees'.padStart(7)} ${'events'.padStart(7)} ${'log/entry'.padStart(10)} ${'score/payee'.padStart(12)} ${'sum/payee'.padStart(10)} ${'total'.padStart(11)} ${'max tx'.padStart(10)} ${'txs'.padStart(4)}   (pages of ${pageSize})`;
  return [head, ...points.map((p) => `${String(p.payees).padStart(7)} ${String(p.events).padStart(7)} ${p.logGasPerEntry.toString().padStart(10)} ${p.scoreGasPerPayee.toString().padStart(12)} ${p.sumGasPerPayee.toString().padStart(10)} ${p.totalGas.toString().padStart(11)} ${p.maxTxGas.toString().padStart(10)} ${String(p.transactions).padStart(4)}`)].join('\n');
}
