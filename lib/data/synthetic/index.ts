/** Synthetic ad-copy generator (zh/en) with vocabulary, template, noise and drift knobs. */
export { generateAd, generateAds, type AdGenOptions, type AdNoise, type AdDrift, type AdRecord } from './generator.ts';
export { adRecordToExample, toAdvertiseGenJsonl } from './export.ts';
export { knobAt, type KnobSchedule } from './schedule.ts';
export { addTypos, garble, truncate } from './noise.ts';
export { CATEGORIES, VALUES, KEY_NAMES, valuesOf } from './lexicon.ts';
export type { Style } from './templates.ts';
