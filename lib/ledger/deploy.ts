/**
 * Deploying the attribution ledger with its roles and a first Datanet, and the parameter defaults.
 */
import { id as keccakId } from 'ethers';
import type { LedgerChain } from './chain.ts';
import { deployContract } from './contract.ts';
import { AttributionLedger } from './bindings/index.ts';

export const ROLES = {
  ATTRIBUTOR: keccakId('ATTRIBUTOR'),
  RESOLVER: keccakId('RESOLVER'),
  SETTLER: keccakId('SETTLER'),
  CURATOR: keccakId('CURATOR'),
} as const;
export type RoleName = keyof typeof ROLES;

/** On-chain parameters (LedgerBase.Params). Amounts in wei, times in seconds, shares in bps. */
export interface LedgerParams {
  dailyCap: number;
  allowDuplicates: boolean;
  minStake: bigint;
  challengeBond: bigint;
  challengeWindow: number;
  /** Seconds a resolver has to rule on a challenge; after that anyone may lapse it (1 … 3650 days). */
  resolveWindow: number;
  /** Seconds between commitRegistration and revealRegistration (1 … 3650 days). */
  revealWindow: number;
  slashBountyBps: number;
  slashRepBps: number;
  decayBps: number;
  capMultipleBps: number;
}

export const DEFAULT_PARAMS: LedgerParams = {
  dailyCap: 50, allowDuplicates: false, minStake: 0n, challengeBond: 10n ** 17n, challengeWindow: 7 * 86400,
  resolveWindow: 3 * 86400, revealWindow: 86400,
  slashBountyBps: 5_000, slashRepBps: 5_000, decayBps: 500, capMultipleBps: 20_000,
};

export interface DeployOptions {
  params?: Partial<LedgerParams>;
  /** Deployer and owner; default the chain's first account. */
  owner?: string;
  /** Receives dust, slash remainders and zero-score pools; default the chain's second account. */
  treasury?: string;
  /** Accounts per role; default the owner holds every role. */
  roles?: Partial<Record<RoleName, string[]>>;
  /** Datanets to create (ids 1..n). Default 1. */
  datanets?: number;
}

export interface DeployedLedger {
  ledger: AttributionLedger;
  owner: string;
  treasury: string;
  params: LedgerParams;
  deployGas: bigint;
}

/**
 * @example
 * const chain = await startInProcessChain();
 * const { ledger, owner } = await deployLedger(chain, { params: { dailyCap: 10 } });
 * await ledger.register(contentHash, 1024, 1, { from: owner });
 */
export async function deployLedger(chain: LedgerChain, opts: DeployOptions = {}): Promise<DeployedLedger> {
  const accounts = await chain.accounts();
  const owner = opts.owner ?? accounts[0];
  const treasury = opts.treasury ?? accounts[1];
  const params = { ...DEFAULT_PARAMS, ...opts.params };
  const { address, receipt } = await deployContract(chain, 'AttributionLedger', [treasury, paramsTuple(params)], owner);
  const ledger = new AttributionLedger(chain, address);
  for (const role of Object.keys(ROLES) as RoleName[]) {
    for (const acct of opts.roles?.[role] ?? [owner]) await ledger.grantRole(ROLES[role], acct, { from: owner });
  }
  const curator = opts.roles?.CURATOR?.[0] ?? owner;
  for (let i = 0; i < (opts.datanets ?? 1); i++) await ledger.createDatanet(keccakId(`datanet-${i + 1}`), { from: curator });
  return { ledger, owner, treasury, params, deployGas: receipt.gasUsed };
}

/** The Params struct argument for the constructor and setParams (field names match the Solidity struct). */
export function paramsTuple(p: LedgerParams): LedgerParams {
  return { ...p };
}
