/**
 * Reward designs = ledger rule (rules.md) × attribution method × defences. A design is a DesignConfig; this
 * module names them consistently and builds grids and the standard catalogue used by the example sweeps.
 */
import { type AttributionKey, type DefenceKey, type DesignConfig, type RuleKey, DesignSchema } from './config.ts';

/** "rule/attribution+defence+defence", e.g. "volume-cap/knn-shapley+duplicates". */
export function designName(rule: RuleKey, attribution: AttributionKey, defences: readonly DefenceKey[] = []): string {
  return [`${rule}/${attribution}`, ...defences].join('+');
}

/** Every combination of the given rules, attribution methods and defence sets, with defaults filled. */
export function designGrid(rules: readonly RuleKey[], attributions: readonly AttributionKey[], defenceSets: readonly (readonly DefenceKey[])[] = [[]], extra: Partial<DesignConfig> = {}): DesignConfig[] {
  return rules.flatMap((rule) => attributions.flatMap((attribution) => defenceSets.map((defences) =>
    DesignSchema.parse({ ...extra, name: designName(rule, attribution, defences), rule, attribution, defences: [...defences] }))));
}

/** The standard catalogue: the five ledger rules, the valuation upgrades, and each defence on its own. */
export function standardDesigns(): DesignConfig[] {
  const d = (rule: RuleKey, attribution: AttributionKey, defences: DefenceKey[] = []) => DesignSchema.parse({ name: designName(rule, attribution, defences), rule, attribution, defences });
  return [
    d('pro-rata', 'retrieval'),
    d('stake', 'retrieval'),
    d('volume-cap', 'retrieval'),
    d('sqrt', 'retrieval'),
    d('reputation', 'retrieval', ['challenges']),
    d('pro-rata', 'knn-shapley'),
    d('pro-rata', 'quotient', ['duplicates']),
    d('volume-cap', 'retrieval', ['identity-clustering']),
  ];
}
