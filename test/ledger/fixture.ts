/** Shared set-up for the ledger tests: one in-process chain per file, a deployed ledger, funded accounts. */
import * as assert from 'uvu/assert';
import { id } from 'ethers';
import {
  startInProcessChain, deployLedger, LedgerRevertError, type LedgerChain, type DeployedLedger, type DeployOptions,
} from '../../lib/ledger/index.ts';

export const ETH = 10n ** 18n;
export const hash = (s: string | number) => id(`content-${s}`);

export interface Fixture extends DeployedLedger {
  chain: LedgerChain;
  /** Funded, impersonated users (not owner/treasury, no roles). */
  users: string[];
}

export async function setup(opts: DeployOptions = {}, users = 8): Promise<Fixture> {
  const chain = await startInProcessChain();
  const d = await deployLedger(chain, opts);
  return { ...d, chain, users: await chain.fundedAccounts(users, 1000n * ETH, 'test-users') };
}

/** Asserts the promise rejects with a LedgerRevertError of this custom error (and optionally these args). */
export async function reverts(p: Promise<unknown>, reason: string, args?: unknown[], fn?: string): Promise<LedgerRevertError> {
  try {
    await p;
  } catch (err) {
    assert.instance(err, LedgerRevertError, String(err));
    const e = err as LedgerRevertError;
    assert.is(e.reason, reason, e.message);
    assert.is(e.kind, 'ledger');
    assert.is(e.contract, 'AttributionLedger');
    if (fn) assert.is(e.fn, fn);
    if (args) assert.equal(e.args.map((a) => (typeof a === 'string' ? a.toLowerCase() : a)), args.map((a) => (typeof a === 'string' ? a.toLowerCase() : a)));
    return e;
  }
  assert.unreachable(`expected revert ${reason}`);
  throw new Error('unreachable');
}

/** Runs each test from the same chain state (evm_revert consumes a snapshot, so a fresh one is taken). */
export function isolate(fx: () => Fixture) {
  let snap: string | undefined;
  return {
    before: async () => { snap = await fx().chain.snapshot(); },
    after: async () => { if (snap) await fx().chain.revert(snap); snap = undefined; },
  };
}

export { ROLES, DEFAULT_PARAMS, paramsTuple as paramsTupleFor } from '../../lib/ledger/deploy.ts';
