/**
 * The whole simulator config (the `config` of a simulation file): the core world, designs and attacks of
 * config.ts, plus the optional adaptive studies of the sub-folders (search, population, spans). It sits above
 * the engine: the sub-folders import config.ts, and this file imports their front doors.
 */
import { s, type Infer } from '../config/index.ts';
import { AttackSchema, DesignSchema, WorldSchema, type SimCore } from './config.ts';
import { SearchSchema, type SearchConfig } from './search/index.ts';
import { PopulationSchema, type PopulationConfig } from './population/index.ts';
import { SpansSchema, type SpansConfig } from './spans/index.ts';

export const SimConfigSchema = s.object({
  world: WorldSchema.optional(),
  designs: s.array(DesignSchema, { min: 1 }),
  attacks: s.array(AttackSchema, { min: 1 }),
  search: SearchSchema.optional().describe('best-response search per design × attack (lib/sim/search)'),
  population: PopulationSchema.optional().describe('adaptive contributor populations per design × attack (lib/sim/population)'),
  spans: SpansSchema.optional().describe('span attribution on a real-text Datanet through a fine-tuned model (lib/sim/spans)'),
});
export interface SimConfig extends SimCore { search?: SearchConfig; population?: PopulationConfig; spans?: SpansConfig }

/** Validates a simulator config (the `config` of an experiment file); a missing world gets every default. */
export function parseSimConfig(raw: unknown, source?: string): SimConfig {
  return simConfigOf(SimConfigSchema.parse(raw, source));
}

/**
 * A config SimConfigSchema already validated (the runner's parse), as the engine takes it: a missing world gets
 * every default. No second validation of what was parsed.
 */
export function simConfigOf(c: Infer<typeof SimConfigSchema>): SimConfig {
  return { world: c.world ?? WorldSchema.parse({}), designs: c.designs, attacks: c.attacks, ...(c.search ? { search: c.search } : {}), ...(c.population ? { population: c.population } : {}), ...(c.spans ? { spans: c.spans } : {}) };
}
