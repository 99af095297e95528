/** The `population` block of a simulation config: adaptive contributors choosing honest or game per epoch. */
import { s, type Infer } from '../../config/index.ts';

export const PopulationSchema = s.object({
  epochs: s.int({ min: 1 }).default(30).describe('rounds of choose → contribute → settle'),
  agents: s.int({ min: 1 }).optional().describe('adaptive contributors (default: world.honest)'),
  eta: s.number({ exclusiveMin: 0 }).default(1).describe('multiplicative-weights learning rate (per unit of ROI)'),
  initialHonest: s.number({ exclusiveMin: 0, max: 0.999 }).default(0.5).describe('every agent\'s initial probability of playing honest'),
  survival: s.number({ min: 0, max: 1 }).default(0.5).describe('honest contribution survives if the final honest probability is at least this'),
  seed: s.int({ min: 0 }).default(0),
  attacks: s.array(s.string({ nonEmpty: true })).optional().describe('attack names whose strategy is the "game" option (default: every attack)'),
  designs: s.array(s.string({ nonEmpty: true })).optional().describe('design names to run (default: every design)'),
});
export type PopulationConfig = Infer<typeof PopulationSchema>;
export const populationConfig = (c: Partial<PopulationConfig> = {}): PopulationConfig => PopulationSchema.parse(c);
