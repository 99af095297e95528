/**
 * ledger/: the on-chain half of the incentive study. Solidity contracts in contracts/ (Datanet registry,
 * staking + challenges, attribution log, paginated settlement with pluggable reward rules), compiled
 * offline by Hardhat 3, driven on an in-process EDR chain or a 127.0.0.1 `hardhat node` through raw
 * JSON-RPC with generated typed bindings. rules.ts is the exact bigint twin of the contract's reward math
 * (shared with lib/sim). Hardhat loads lazily on the first chain/compile call.
 */
export { RULE, RULE_NAMES, computePayouts, score, isqrt, decayReputation, slashReputation, aggregateEpoch, BPS, ETHER, REPUTATION_FLOOR_BPS, REPUTATION_START_BPS } from './rules.ts';
export type { RuleId, IdentityTotals, PayoutOptions, PayoutResult, AttributionEvent } from './rules.ts';
export { LedgerChain, startInProcessChain, startNodeChain, httpProvider, parseReceipt, addressStream, TX_GAS_CAP } from './chain.ts';
export type { TxRequest, Receipt, Hex } from './chain.ts';
export { ensureCompiled, readArtifact, LEDGER_ROOT } from './compile.ts';
export type { Artifact, Eip1193Provider } from './compile.ts';
export { LedgerContract, LedgerRevertError, deployContract, plain } from './contract.ts';
export type { SendOptions, ReadOptions, DecodedLog } from './contract.ts';
export { AttributionLedger, ReentrantClaimer, RejectingPayee } from './bindings/index.ts';
export { deployLedger, DEFAULT_PARAMS, ROLES } from './deploy.ts';
export type { LedgerParams, DeployOptions, DeployedLedger, RoleName } from './deploy.ts';
export { closeAndSettle, settleEpoch, readPayees } from './settle.ts';
export type { SettlementRun } from './settle.ts';
export { GasReport, formatGasTable, gasRowsJson, measureSettlementCurve, formatSettlementCurve } from './gas.ts';
export type { GasRow, SettlementCurvePoint } from './gas.ts';
export { settleAtScale, procMemory } from './settle-at-scale.ts';
export type { ScaleSettlementOptions, ScaleSettlementResult, PhaseTotals } from './settle-at-scale.ts';
export { runLedgerBench, formatLedgerBench, ledgerBenchJson } from './bench.ts';
export type { LedgerBenchOptions, LedgerBenchResult, PhaseResult } from './bench.ts';
