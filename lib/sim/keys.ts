/**
 * The names a reward design is built from: ledger rules, attribution methods, defences. A module with no
 * imports, so that every part of the simulator (config.ts, the oracle, the spans study's config) can name
 * them without importing the config that assembles them.
 */
export const RULE_KEYS = ['pro-rata', 'stake', 'volume-cap', 'sqrt', 'reputation'] as const;
export const ATTRIBUTIONS = ['retrieval', 'loo', 'knn-shapley', 'mc-shapley', 'banzhaf', 'quotient'] as const;
export const DEFENCES = ['duplicates', 'identity-clustering', 'challenges'] as const;
export type RuleKey = (typeof RULE_KEYS)[number];
export type AttributionKey = (typeof ATTRIBUTIONS)[number];
export type DefenceKey = (typeof DEFENCES)[number];
