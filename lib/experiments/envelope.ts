/**
 * The envelope of an experiment file (kind, name, seeds, sweep, config) and its JSON Schema. A module of its
 * own, below spec.ts and the registry, so that a kind (simulate reads its own files) can parse the envelope
 * without importing the registry that lists it.
 */
import { s, type Infer } from '../config/index.ts';
import type { ExperimentKind } from './kind.ts';

export const ExperimentFileSchema = s.object({
  /** Editors' pointer to the file's JSON Schema (`ledgerlab schema KIND --out …`); not used otherwise. */
  $schema: s.string().optional(),
  kind: s.string({ pattern: /^[A-Za-z0-9._-]{1,64}$/ }),
  // Bounded: the name starts every run id, which is a folder name (filesystems cap those at 255 bytes).
  name: s.string({ pattern: /^[A-Za-z0-9._-]{1,80}$/ }),
  description: s.string().optional(),
  seeds: s.array(s.int({ min: 0 }), { min: 1 }).default([0]),
  sweep: s.record(s.array(s.unknown(), { min: 1 })).default({}),
  config: s.unknown().default({}),
});
export type ExperimentFile = Infer<typeof ExperimentFileSchema>;

export const ENVELOPE_KEYS = Object.keys(ExperimentFileSchema.shape);

/**
 * The JSON Schema of an experiment file of `kind`: the envelope, with `config` the kind's own schema (defaults,
 * descriptions, and other tools' option names as aliases), for editors to complete and check files with.
 */
export function experimentJsonSchema(kind: ExperimentKind<unknown>): Record<string, unknown> {
  const envelope = ExperimentFileSchema.jsonSchema() as { properties: Record<string, unknown> };
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: `LedgerLab ${kind.kind} experiment file`,
    description: kind.summary,
    ...envelope,
    properties: { ...envelope.properties, kind: { const: kind.kind }, config: kind.configSchema.jsonSchema() },
  };
}
