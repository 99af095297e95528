/** sim/population/: adaptive contributors (multiplicative weights over honest vs game) and their trajectories. */
export { PopulationSchema, populationConfig } from './config.ts';
export type { PopulationConfig } from './config.ts';
export { hedgeStep, runPopulation, runPopulations, formatPopulations } from './dynamics.ts';
export type { PopulationEpoch, PopulationResult } from './dynamics.ts';
