/** The `spans` block of a simulation config: attribution on real text through a real model (lib/sim/spans). */
import { s, type Infer } from '../../config/index.ts';
import { TEXT_ATTACKS } from './datanet.ts';
import { RULE_KEYS } from '../keys.ts';

// Here, not in methods.ts: methods.ts imports the oracle, which would make a circle through ../config.ts.
export const TEXT_METHODS = ['spans', 'retrieval', 'knn-shapley'] as const;
export type TextMethod = (typeof TEXT_METHODS)[number];

export const SpanModelSchema = s.object({
  vocab: s.int({ min: 300 }).default(1200),
  layers: s.int({ min: 1 }).default(2),
  dModel: s.int({ min: 8 }).default(64),
  heads: s.int({ min: 1 }).default(4),
  steps: s.int({ min: 1 }).default(150),
  batchSize: s.int({ min: 1 }).default(16),
  lr: s.number({ exclusiveMin: 0 }).default(3e-3),
  maxSource: s.int({ min: 2 }).default(48),
  maxTarget: s.int({ min: 1 }).default(64),
  maxNew: s.int({ min: 1 }).default(48),
});
export type SpanModelConfig = Infer<typeof SpanModelSchema>;

export const SpansSchema = s.object({
  advertisegen: s.string({ nonEmpty: true }).optional().describe('AdvertiseGen JSONL (default: the shared sample)'),
  e2e: s.string({ nonEmpty: true }).optional().describe('E2E CSV (default: the shared dev set)'),
  perSource: s.int({ min: 2 }).default(150).describe('honest records per source'),
  queriesPerSource: s.int({ min: 1 }).default(20).describe('held-out prompts per source in the query workload'),
  honest: s.int({ min: 1 }).default(10).describe('honest contributors the records are dealt to'),
  attackItems: s.int({ min: 1 }).default(12).describe('items per attacker'),
  attacks: s.array(s.enum(TEXT_ATTACKS)).default([...TEXT_ATTACKS]),
  methods: s.array(s.enum(TEXT_METHODS)).default([...TEXT_METHODS]),
  rule: s.enum(RULE_KEYS).default('pro-rata'),
  minLength: s.int({ min: 1 }).default(4).describe('shortest span (tokens) that credits anyone'),
  maxOccurrences: s.int({ min: 1 }).default(10_000),
  model: SpanModelSchema.optional(),
  seed: s.int({ min: 0 }).default(0),
});
export type SpansConfig = Infer<typeof SpansSchema>;
export const spansConfig = (c: Partial<SpansConfig> = {}): SpansConfig => SpansSchema.parse(c);
