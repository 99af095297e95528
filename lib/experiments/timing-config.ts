/**
 * The timing engine's settings as experiment config (shared by the kinds that time: speedup, scale, qlora):
 * rounds, the stop target (relative half-width of every reported ratio's interval), a time cap per timed
 * section, the time basis, the thread count, and the quiet-machine guard's limits. Unknown keys are errors.
 */
import { s, type Infer } from '../config/index.ts';
import type { TimingOptions } from '../measure/index.ts';

export const TIMING_DEFAULTS = {
  minRounds: 3, maxRounds: 40, timeCapS: 60, target: 0.025, basis: 'wall' as const, threads: 1,
  maxForeignCores: 0.1, maxSteal: 0.02, maxReruns: 2,
};

export const TimingSchema = s.object({
  minRounds: s.int({ min: 2 }).default(TIMING_DEFAULTS.minRounds).describe('recorded rounds at least'),
  maxRounds: s.int({ min: 2 }).default(TIMING_DEFAULTS.maxRounds).describe('recorded rounds at most'),
  timeCapS: s.number({ exclusiveMin: 0 }).default(TIMING_DEFAULTS.timeCapS).describe('seconds of rounds per timed section after which it stops even if the target is not met'),
  target: s.number({ exclusiveMin: 0 }).default(TIMING_DEFAULTS.target).describe("stop once every reported ratio's 95% interval has a relative half-width at most this"),
  basis: s.enum(['wall', 'cpu'] as const).default('wall').describe('the time the headline ratios and the stop rule use (both are recorded)'),
  threads: s.int({ min: 1 }).default(TIMING_DEFAULTS.threads).describe('thread count of timed work (recorded; 1 = CPU time means one core)'),
  maxForeignCores: s.number({ min: 0 }).default(TIMING_DEFAULTS.maxForeignCores).describe("a round is noisy when other processes' load exceeds this many cores"),
  maxSteal: s.number({ min: 0, max: 1 }).default(TIMING_DEFAULTS.maxSteal).describe('a round is noisy when steal time exceeds this share'),
  maxReruns: s.int({ min: 0 }).default(TIMING_DEFAULTS.maxReruns).describe('re-runs of a noisy round before it is kept as noisy'),
});
export type TimingConfig = Infer<typeof TimingSchema>;

export const DEFAULT_TIMING: TimingConfig = TimingSchema.parse({});

/** Engine options from the config (the caller adds seed, batches, ratios). */
export function engineOptions(t: TimingConfig, warmupRounds: number): Omit<TimingOptions, 'seed' | 'batches'> {
  return {
    warmupRounds, minRounds: t.minRounds, maxRounds: t.maxRounds, timeCapS: t.timeCapS, target: t.target, basis: t.basis,
    threads: t.threads, maxReruns: t.maxReruns, guard: { maxForeignCores: t.maxForeignCores, maxSteal: t.maxSteal },
  };
}
