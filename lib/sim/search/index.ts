/** sim/search/: best-responding attackers — strategy spaces, a seeded cross-entropy optimizer, worst cases per sweep row. */
export { crossEntropyMaximize } from './cem.ts';
export type { CemOptions, CemResult } from './cem.ts';
export { SearchSchema, searchConfig } from './config.ts';
export type { SearchConfig } from './config.ts';
export { knobsFor, decode, encode, describeStrategy, strategicAgent, affordability } from './strategies.ts';
export type { Knob, Strategy, Attack } from './strategies.ts';
export { bestResponse, scoreStrategy, searchSweep } from './best-response.ts';
export type { BestResponse, StrategyScore, WorstCase, SearchedRow } from './best-response.ts';
export { formatWorstCaseTable, formatStrategy } from './table.ts';
