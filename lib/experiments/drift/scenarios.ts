/**
 * Drift scenarios: how the training data of a continually re-adapted model degrades over cycles. Each is a
 * seeded schedule over the synthetic ad-copy generator's noise and drift knobs, in CYCLE units (t = cycle),
 * so a window is a pure function of (scenario, seed, cycle) and never of how many cycles the run has:
 * a run of 400 cycles sees the same first 20 windows as a run of 20.
 *
 *   clean             no drift: the control every other curve is read against
 *   label-noise       growing share of copy that describes the wrong attribute values
 *   vocab-style       new product values/keys appear, phrasing moves to the 'social' register
 *   spreadsheet-2017  truncated, duplicated, garbled (mojibake) and typo-ridden records
 *   sparse-prompts    prompts cut to the type plus one attribute while the copy still covers everything
 *   mixed-language    values and clauses written in English inside Chinese copy
 *
 * Severity ramps linearly from 0 at `onset` to `severity` at `onset + ramp` and stays there. The held-out
 * set is clean and fixed (t = 0, its own stream): what the product is supposed to keep doing.
 *
 * `source: 'advertisegen'` draws each window from the real AdvertiseGen sample instead (a seeded sample per
 * cycle) and injects the same corruptions with lib/data/synthetic's noise functions; vocabulary/style/
 * mixed-language drift needs the generator's lexicon and is not available there.
 *
 * @example
 * const sc = ScenarioSchema.parse({ name: 'spreadsheet-2017', onset: 5, ramp: 10 });
 * const w = scenarioWindow(sc, 0, 7, 64);   // 64 training examples of cycle 7
 * severityAt(sc, 7);                        // 0.2 × severity
 */
import { s, type Infer } from '../../config/index.ts';
import { LedgerLabError } from '../../errors.ts';
import { Rng } from '../../util/index.ts';
import {
  generateAds, adRecordToExample, addTypos, garble, truncate, type AdGenOptions, type AdNoise, type AdDrift,
  type KnobSchedule, type Example, contentId,
} from '../../data/index.ts';

export const SCENARIO_NAMES = ['clean', 'label-noise', 'vocab-style', 'spreadsheet-2017', 'sparse-prompts', 'mixed-language'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export const ScenarioSchema = s.object({
  name: s.enum(SCENARIO_NAMES).describe('which drift the windows undergo'),
  source: s.enum(['synthetic', 'advertisegen'] as const).default('synthetic')
    .describe("'synthetic' = the ad-copy generator; 'advertisegen' = the real sample with injected corruption (label-noise, spreadsheet-2017, sparse-prompts only)"),
  onset: s.int({ min: 0 }).default(5).describe('first cycle with any drift'),
  ramp: s.int({ min: 0 }).default(10).describe('cycles from onset to full severity (0 = a step change)'),
  severity: s.number({ min: 0, max: 1 }).default(0.8).describe('knob value at full drift (share of affected records)'),
});
export type Scenario = Infer<typeof ScenarioSchema>;

/** Drift level in [0, severity] at a cycle: 0 before onset, linear over the ramp, flat after. */
export function severityAt(sc: Scenario, cycle: number): number {
  if (cycle < sc.onset) return 0;
  if (sc.ramp === 0) return sc.severity;
  return sc.severity * Math.min(1, (cycle - sc.onset) / sc.ramp);
}

/** The generator knob schedule of a scenario: a ramp in cycle units (t = cycle). */
function ramp(sc: Scenario, scale = 1): KnobSchedule {
  return { from: 0, to: Math.min(1, sc.severity * scale), start: sc.onset, end: sc.onset + sc.ramp };
}

/** Generator options of a scenario (its noise and drift schedules over t = cycle). */
export function generatorOptions(sc: Scenario, seed: number | string): AdGenOptions {
  const noise: AdNoise = {};
  const drift: AdDrift = {};
  switch (sc.name) {
    case 'clean': break;
    case 'label-noise': noise.label = ramp(sc); break;
    case 'vocab-style':
      // newValues unlocks drift values whose `since` <= knob: at full severity nearly the whole new lexicon.
      drift.newValues = { from: 0, to: 1, start: sc.onset, end: sc.onset + sc.ramp };
      drift.style = ramp(sc);
      break;
    case 'spreadsheet-2017':
      noise.truncate = ramp(sc, 0.5);
      noise.duplicate = ramp(sc, 0.5);
      noise.garble = ramp(sc, 0.4);
      noise.typo = ramp(sc, 0.6);
      break;
    case 'sparse-prompts': drift.sparse = ramp(sc); break;
    case 'mixed-language': drift.mixedLanguage = ramp(sc, 0.6); break;
  }
  return { seed: `drift|${seed}`, lang: 'zh', noise, drift };
}

const ADVERTISEGEN_SCENARIOS: readonly ScenarioName[] = ['clean', 'label-noise', 'spreadsheet-2017', 'sparse-prompts'];

/**
 * Window of a cycle: `count` training examples starting at `start` (the window's eval slice uses
 * start = count). Pure in (scenario, seed, cycle, count, start); `pool` is the real sample for
 * source 'advertisegen'.
 */
export function scenarioWindow(sc: Scenario, seed: number | string, cycle: number, count: number, start = 0, pool?: readonly Example[]): Example[] {
  if (sc.source === 'advertisegen') return advertisegenWindow(sc, seed, cycle, count, start, pool);
  return generateAds(generatorOptions(sc, seed), cycle, count, start).map((r) => adRecordToExample(r, `drift|${seed}|${sc.name}`));
}

/** The fixed, clean held-out set: t = 0 of a stream no window uses. */
export function heldOutSet(seed: number | string, count: number, pool?: readonly Example[], source: Scenario['source'] = 'synthetic'): Example[] {
  if (source === 'advertisegen') {
    if (!pool?.length) throw noPool();
    // The last `count` examples of the sample; windows draw from the rest.
    return pool.slice(Math.max(0, pool.length - count));
  }
  return generateAds({ seed: `drift-heldout|${seed}`, lang: 'zh' }, 0, count).map((r) => adRecordToExample(r, `drift-heldout|${seed}`));
}

const noPool = () => new LedgerLabError({ kind: 'config', problem: "scenario source 'advertisegen' needs the AdvertiseGen sample", where: 'scenario.source', hint: "use source 'synthetic', or put the sample at ../shared/datasets/advertisegen/dev-sample.jsonl" });

/**
 * A real-data window with injected corruption. Records are drawn with replacement from `pool` (the caller passes
 * the sample minus the held-out tail; seeded per cycle); each corruption is a coin per record at the scenario's severity, from
 * its own stream so one knob changes only its own records.
 */
function advertisegenWindow(sc: Scenario, seed: number | string, cycle: number, count: number, start: number, pool?: readonly Example[]): Example[] {
  if (!ADVERTISEGEN_SCENARIOS.includes(sc.name)) {
    throw new LedgerLabError({ kind: 'config', problem: `scenario "${sc.name}" needs the synthetic generator's lexicon`, where: 'scenario.source', hint: `with source 'advertisegen' use one of: ${ADVERTISEGEN_SCENARIOS.join(', ')}` });
  }
  if (!pool?.length) throw noPool();
  const sev = severityAt(sc, cycle);
  const out: Example[] = [];
  for (let i = start; i < start + count; i++) {
    const key = `drift-ag|${seed}|${cycle}|${i}`;
    const r = new Rng(`${key}|pick`);
    const ex = pool[r.int(pool.length)]!;
    let source = ex.source;
    let target = ex.target;
    const coin = (what: string, p: number) => new Rng(`${key}|${what}`).next() < p;
    if (sc.name === 'label-noise' && coin('label', sev)) target = pool[new Rng(`${key}|label-pick`).int(pool.length)]!.target;
    if (sc.name === 'sparse-prompts' && coin('sparse', sev)) {
      const parts = source.split('*');
      if (parts.length > 2) source = [parts[0], parts[1 + new Rng(`${key}|sparse-pick`).int(parts.length - 1)]].join('*');
    }
    if (sc.name === 'spreadsheet-2017') {
      if (coin('duplicate', sev * 0.5) && i > start) {
        const prev = out[new Rng(`${key}|dup-pick`).int(out.length)]!;
        out.push({ ...prev, id: contentId('drift-ag', String(seed), String(cycle), String(i)) });
        continue;
      }
      if (coin('typo', sev * 0.6)) target = addTypos(target, 0.04, new Rng(`${key}|typo-apply`));
      if (coin('garble', sev * 0.4)) target = garble(target, new Rng(`${key}|garble-apply`));
      if (coin('truncate', sev * 0.5)) target = truncate(target, new Rng(`${key}|truncate-apply`));
    }
    out.push({ ...ex, id: contentId('drift-ag', String(seed), String(cycle), String(i)), source, target, references: [target] });
  }
  return out;
}
