/**
 * Drives the paginated settlement of one epoch (closeEpoch → computeScores pages → sumPayouts pages) and
 * reads an epoch's per-identity totals back for checks against lib/ledger/rules.ts.
 */
import { LedgerLabError } from '../errors.ts';
import type { AttributionLedger } from './bindings/index.ts';
import { type Receipt, TX_GAS_CAP } from './chain.ts';

export interface SettlementRun {
  epoch: bigint;
  payees: number;
  closeGas: bigint;
  scorePages: bigint[];
  sumPages: bigint[];
  totalGas: bigint;
  /** Largest single transaction; must stay under the 16,777,216 per-transaction cap. */
  maxTxGas: bigint;
}

/** Closes the open epoch and settles it in pages of `pageSize` payees. */
export async function closeAndSettle(ledger: AttributionLedger, opts: { from: string; pageSize?: number }): Promise<SettlementRun> {
  const epoch = (await ledger.currentEpoch()) as bigint;
  const close = await ledger.closeEpoch({ from: opts.from });
  const run = await settleEpoch(ledger, epoch, opts);
  run.closeGas = close.gasUsed;
  run.totalGas += close.gasUsed;
  if (close.gasUsed > run.maxTxGas) run.maxTxGas = close.gasUsed;
  return run;
}

/** Runs both passes of a closed epoch to completion. */
export async function settleEpoch(ledger: AttributionLedger, epoch: bigint, opts: { from: string; pageSize?: number }): Promise<SettlementRun> {
  const pageSize = opts.pageSize ?? 400;
  const info = await ledger.epochOf(epoch);
  const scorePages: bigint[] = [];
  const sumPages: bigint[] = [];
  const guard = (r: Receipt, what: string) => {
    if (r.gasUsed >= TX_GAS_CAP) throw new LedgerLabError({ kind: 'ledger', problem: `${what} used ${r.gasUsed} gas, at the per-transaction cap`, where: `AttributionLedger.${what}`, hint: 'lower pageSize' });
    return r.gasUsed;
  };
  let phase = info.phase;
  while (phase === 1n) {
    scorePages.push(guard(await ledger.computeScores(epoch, pageSize, { from: opts.from }), 'computeScores'));
    phase = (await ledger.epochOf(epoch)).phase;
  }
  while (phase === 2n) {
    sumPages.push(guard(await ledger.sumPayouts(epoch, pageSize, { from: opts.from }), 'sumPayouts'));
    phase = (await ledger.epochOf(epoch)).phase;
  }
  const all = [...scorePages, ...sumPages];
  return {
    epoch, payees: Number(info.payeeCount), closeGas: 0n, scorePages, sumPages,
    totalGas: all.reduce((a, b) => a + b, 0n), maxTxGas: all.reduce((a, b) => (b > a ? b : a), 0n),
  };
}

/** All payees of an epoch, read in pages (views also have a gas limit). */
export async function readPayees(ledger: AttributionLedger, epoch: bigint | number, page = 1000): Promise<string[]> {
  const out: string[] = [];
  for (let off = 0; ; off += page) {
    const p = await ledger.payees(epoch, off, page);
    out.push(...p);
    if (p.length < page) return out;
  }
}
