/** The `search` block of a simulation config: asks for a best-response search per design × attack. */
import { s, type Infer } from '../../config/index.ts';

export const SearchSchema = s.object({
  iterations: s.int({ min: 0 }).default(8).describe('cross-entropy iterations'),
  population: s.int({ min: 1 }).default(16).describe('strategies sampled per iteration'),
  elite: s.int({ min: 1 }).default(4).describe('best strategies refitted per iteration'),
  seed: s.int({ min: 0 }).default(0).describe('optimizer seed'),
  seeds: s.int({ min: 1 }).optional().describe('search on the first N of the sweep seeds (default: all of them)'),
  smoothing: s.number({ exclusiveMin: 0, max: 1 }).default(0.7),
  initialSigma: s.number({ exclusiveMin: 0 }).default(0.3).describe('initial spread, in units of each knob\'s range'),
  minSigma: s.number({ min: 0 }).default(0.05),
  objective: s.enum(['roi', 'capturedShare', 'profit'] as const).default('roi').describe('what the attacker maximises (mean over the search seeds): ROI, captured share, or profit in ether'),
  knobs: s.array(s.string({ nonEmpty: true })).optional().describe('search only these knobs (e.g. ["identities"]); the others keep the fixed attack\'s values'),
  attacks: s.array(s.string({ nonEmpty: true })).optional().describe('names of the attacks to search (default: every attack)'),
});
export type SearchConfig = Infer<typeof SearchSchema>;

export const searchConfig = (c: Partial<SearchConfig> = {}): SearchConfig => SearchSchema.parse(c);
