/**
 * Typed simulator config: the world (topics, contributors, workload, prices), reward designs, and attacks.
 * Strict objects: an unknown key is a config error naming its path. Amounts are in ether (numbers) and
 * converted to wei once, with gwei precision, so JSON stays readable. The whole simulation config (with the
 * search, population and spans blocks of the sub-folders) is assembled in sim-config.ts, above the engine, so
 * the engine's modules can import this file without importing the sub-folders that import them.
 */
import { s, type Infer } from '../config/index.ts';
import { ATTRIBUTIONS, DEFENCES, RULE_KEYS } from './keys.ts';

const frac = (d: number) => s.number({ min: 0, max: 1 }).default(d);
const eth = (d: number) => s.number({ min: 0 }).default(d);

export const WorldSchema = s.object({
  dim: s.int({ min: 2 }).default(16).describe('embedding dimension'),
  topics: s.int({ min: 1 }).default(8),
  datanets: s.int({ min: 1 }).default(2).describe('topics are dealt round-robin to datanets; queries name one'),
  honest: s.int({ min: 1 }).default(20).describe('honest contributors'),
  itemsPerHonest: s.int({ min: 1 }).default(6),
  qualityMean: frac(0.6),
  qualitySd: s.number({ min: 0 }).default(0.2),
  itemNoise: s.number({ min: 0 }).default(0.15).describe('per-coordinate noise of honest item embeddings around the topic centroid'),
  queryNoise: s.number({ min: 0 }).default(0.15),
  popularity: s.number({ min: 0 }).default(1).describe('Zipf exponent of topic popularity'),
  consumers: s.int({ min: 1 }).default(10).describe('honest fee-paying query addresses'),
  consumerFocus: frac(0.5).describe('share of a consumer\'s queries on its favourite topic'),
  queriesPerEpoch: s.int({ min: 1 }).default(300),
  epochs: s.int({ min: 1 }).default(4).describe('one epoch = one day (the daily registration cap resets)'),
  k: s.int({ min: 1 }).default(5).describe('top-k retrieved items per query'),
  candidates: s.int({ min: 1 }).default(20).describe('nearest items the attribution method values per query (≥ k)'),
  feeEth: eth(0.001).describe('usage fee per query'),
  fundingEthPerEpoch: eth(0).describe('extra pool funding per epoch'),
  stakeEth: eth(0.01).describe('honest stake per item'),
  honestItemCostEth: eth(0.002).describe('cost of producing one honest item'),
  gasPriceGwei: s.number({ min: 0 }).default(1),
  stakeCostBps: s.int({ min: 0 }).default(500).describe('capital cost of locked stake over the run, bps of the stake'),
  dailyCap: s.int({ min: 1 }).default(10).describe('registrations per identity per day (epoch)'),
});
export type WorldConfig = Infer<typeof WorldSchema>;

export { RULE_KEYS, ATTRIBUTIONS, DEFENCES } from './keys.ts';
export type { RuleKey, AttributionKey, DefenceKey } from './keys.ts';

export const DesignSchema = s.object({
  name: s.string({ nonEmpty: true }),
  rule: s.enum(RULE_KEYS),
  attribution: s.enum(ATTRIBUTIONS).default('retrieval'),
  defences: s.array(s.enum(DEFENCES)).default([]),
  capMultipleBps: s.int({ min: 0 }).default(20000).describe('volume-cap: payout ≤ cap × paid volume'),
  decayBps: s.int({ min: 0, max: 10000 }).default(500),
  slashRepBps: s.int({ min: 0, max: 10000 }).default(5000),
  permutations: s.int({ min: 1 }).default(32).describe('mc-shapley permutations per query'),
  samples: s.int({ min: 1 }).default(128).describe('banzhaf coalitions per query'),
  dupThreshold: s.number({ min: -1, max: 1 }).default(0.98).describe('cosine at or above which two items are near-duplicates'),
  linkShare: frac(0.5).describe('identity clustering: a payer is linked to an owner receiving ≥ this share of its weight'),
  challengesPerEpoch: s.int({ min: 0 }).default(10),
  challengeBondEth: eth(0.005),
  slashBountyBps: s.int({ min: 0, max: 10000 }).default(5000),
  qualityFloor: frac(0.25).describe('challenges are upheld for items below this true quality (or copies)'),
  challengeNoise: s.number({ min: 0 }).default(0.1).describe('noise of the challenger\'s quality inspection'),
});
export type DesignConfig = Infer<typeof DesignSchema>;

const budget = (d: number) => s.number({ exclusiveMin: 0 }).default(d).describe('attacker budget, ether');
const name = s.string({ nonEmpty: true }).optional();

export const AttackSchema = s.tagged('type', {
  none: s.object({ name }),
  sybil: s.object({ name, budgetEth: budget(0.2), identities: s.int({ min: 1 }).default(10), quality: frac(0.5) }),
  flood: s.object({ name, budgetEth: budget(0.2), identities: s.int({ min: 1 }).default(3), bases: s.int({ min: 1 }).default(5), copies: s.int({ min: 1 }).default(5), quality: frac(0.3), spread: s.number({ min: 0 }).default(0.08), jitter: s.number({ min: 0 }).default(0.01) }),
  spam: s.object({ name, budgetEth: budget(0.2), identities: s.int({ min: 1 }).default(2), items: s.int({ min: 1 }).default(12), topicsPerItem: s.int({ min: 1 }).default(1), quality: frac(0.02) }),
  wash: s.object({ name, budgetEth: budget(0.2), items: s.int({ min: 1 }).default(5), queriesPerEpoch: s.int({ min: 0 }).default(30), quality: frac(0.4), launder: s.boolean().default(false) }),
  collusion: s.object({ name, budgetEth: budget(0.2), members: s.int({ min: 2 }).default(4), itemsPerMember: s.int({ min: 1 }).default(5), queriesPerEpoch: s.int({ min: 0 }).default(30), quality: frac(0.4) }),
  swarm: s.object({ name, budgetEth: budget(0.2), identities: s.int({ min: 1 }).default(40), itemsPerIdentity: s.int({ min: 1 }).default(1), washPerEpoch: s.int({ min: 0 }).default(1), quality: frac(0.15), launder: s.boolean().default(true) }),
  freerider: s.object({ name, budgetEth: budget(0.2), identities: s.int({ min: 1 }).default(1), copies: s.int({ min: 1 }).default(10), jitter: s.number({ min: 0 }).default(0.003) }),
});
export type AttackConfig = Infer<typeof AttackSchema>;
export type AttackType = AttackConfig['type'];

/** What a fast sweep needs: the world, the designs and the attacks (SimConfig adds the adaptive studies). */
export interface SimCore { world: WorldConfig; designs: DesignConfig[]; attacks: AttackConfig[] }

/** Parses one world/design/attack with defaults filled (handy in tests and notebooks). */
export const world = (w: Partial<WorldConfig> = {}): WorldConfig => WorldSchema.parse(w);
export const design = (d: Partial<DesignConfig> & Pick<DesignConfig, 'name' | 'rule'>): DesignConfig => DesignSchema.parse(d);
export const attack = (a: { type: AttackType } & Record<string, unknown>): AttackConfig => AttackSchema.parse(a);

/** Display name of an attack (its `name`, else its type). */
export const attackName = (a: AttackConfig): string => a.name ?? a.type;

/** Ether (number) → wei, with gwei precision so float noise never reaches the integer math. */
export function ethToWei(x: number): bigint {
  return BigInt(Math.round(x * 1e9)) * 1_000_000_000n;
}
