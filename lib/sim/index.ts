/**
 * sim/: the incentive stress-testing simulator — a world of datanets, items and queries, honest and
 * adversarial agents with budgets, reward designs (ledger rule × attribution method × defences), and
 * fast-mode (off-chain, exact bigint ledger rules) Monte Carlo over seeds and design × attack sweeps.
 * The engine only: experiment files, the `simulate` kind and its report section are in lib/experiments/simulate/.
 */
export * from './attribution/index.ts';
export { SimConfigSchema, parseSimConfig, simConfigOf } from './sim-config.ts';
export type { SimConfig } from './sim-config.ts';
export { WorldSchema, DesignSchema, AttackSchema, world, design, attack, attackName, ethToWei, RULE_KEYS, ATTRIBUTIONS, DEFENCES } from './config.ts';
export type { WorldConfig, DesignConfig, AttackConfig, AttackType, SimCore, RuleKey, AttributionKey, DefenceKey } from './config.ts';
export { Topics, retrieve, consumerQueries, dot, normalize, jitter } from './world.ts';
export type { Item, Identity, Query, Retrieval, Vec } from './world.ts';
export * from './agents/index.ts';
export { eventWeights, candidateValues, quotientKnn, WEIGHT_UNIT } from './oracle.ts';
export { nearDuplicate, clusterIdentities, runChallenges } from './defences.ts';
export { playEpisode, CHALLENGER } from './episode.ts';
export type { Episode, EpochLog, SimEvent, Registration, Flag, Challenge, Spend, FlagSource } from './episode.ts';
export { settleFast, RULE_IDS } from './settle.ts';
export type { Settlement, EpochSettlement, Payee } from './settle.ts';
export { gini, accounts, runMetrics, weiToEth } from './metrics.ts';
export type { RunMetrics, Account } from './metrics.ts';
export { simulateFast, runCell, runSweep, summarize, agentsFor, honestAgents, TABLE_METRICS } from './run.ts';
export type { CellMetrics, SweepRow, SweepCell, SweepResult, TableMetric } from './run.ts';
export { designName, designGrid, standardDesigns } from './designs.ts';
export { settleEvm, verifySweepOnChain } from './evm.ts';
export type { EvmSettlement, EvmEpoch, EvmCheck } from './evm.ts';
export { budgetCurve, compareDesigns, sweepMatrix } from './analysis.ts';
export type { BudgetPoint, DesignDiff, SweepMatrix } from './analysis.ts';
export * from './search/index.ts';
export * from './population/index.ts';
export * from './spans/index.ts';
export * from './scale/index.ts';
