/**
 * Experiment files: a JSON envelope around a kind-specific config.
 *
 *   {
 *     "kind": "speedup",                      // which ExperimentKind runs it
 *     "name": "speedup-quick",
 *     "description": "…",
 *     "seeds": [0, 1, 2],                     // every grid point runs once per seed
 *     "sweep": { "method": ["lora", "ptuning-v2"], "train.padding": ["longest", "max_length"] },
 *     "config": { … }                         // validated by the kind's schema; unknown keys are errors
 *   }
 *
 * `--set a.b=value` overrides apply to the file; keys that are not envelope fields are taken as config keys
 * (`--set train.lr=0.01` means `config.train.lr`).
 */
import { LedgerLabError } from '../errors.ts';
import {
  s, configError, suggest, type Infer, type Issue, applyOverrides, parseConfigText, parseOverride, readTextFile,
  setConfigKey,
} from '../config/index.ts';
import { sha256Json } from '../util/index.ts';
import type { ExperimentKind } from './kind.ts';
import { ENVELOPE_KEYS, ExperimentFileSchema, type ExperimentFile } from './envelope.ts';
import { experimentKinds, getExperimentKind } from './registry.ts';

export interface PlannedRun {
  runId: string;
  seed: number;
  /** Values of the swept keys for this grid point. */
  point: Record<string, unknown>;
  /** The full, validated config of this run (sweep values applied). The seed is separate, so runs that
   *  differ only by seed share a config hash. */
  config: unknown;
}

export interface ExperimentPlan {
  file: string;
  spec: ExperimentFile;
  kind: ExperimentKind<unknown>;
  runs: PlannedRun[];
}

function scopedOverrides(overrides: readonly string[]): string[] {
  return overrides.map((o) => (ENVELOPE_KEYS.includes(parseOverride(o).path[0]) ? o : `config.${o}`));
}

/** Cartesian product of the sweep's value lists, in file order. */
export function gridPoints(sweep: Record<string, unknown[]>): Record<string, unknown>[] {
  return Object.entries(sweep).reduce<Record<string, unknown>[]>(
    (points, [key, values]) => points.flatMap((p) => values.map((v) => ({ ...p, [key]: v }))),
    [{}],
  );
}

const slug = (v: unknown) => String(typeof v === 'object' ? JSON.stringify(v) : v).replace(/[^A-Za-z0-9.]+/g, '_').slice(0, 24);

/** More planned runs than this is a mistake (a pasted list, a product of long sweeps), not an experiment. */
export const MAX_PLANNED_RUNS = 10_000;

/**
 * Reads an experiment file and plans it (planExperimentData on its parsed text).
 * `kinds`: the kinds a file may name (default: the shipped ones, lib/experiments/registry.ts).
 */
export function planExperiment(file: string, overrides: readonly string[] = [], kinds: readonly ExperimentKind<unknown>[] = experimentKinds()): ExperimentPlan {
  return planExperimentData(parseConfigText(readTextFile(file, 'experiment file'), file), { source: file, overrides, kinds });
}

export interface PlanOptions {
  /** What the data came from, for error locations and the plan's `file` (default "experiment"). */
  source?: string;
  /** `key.path=value` overrides (`--set`); keys that are not envelope fields are config keys. */
  overrides?: readonly string[];
  kinds?: readonly ExperimentKind<unknown>[];
}

/**
 * Overrides and validates an experiment (the envelope as data: parsed JSON/YAML, a form's request, a queue's
 * job) and expands it into one planned run per point × seed. Every problem is a LedgerLabError whose
 * `issues` carry the path ("kind", "sweep", "config.train.steps").
 */
export function planExperimentData(data: unknown, o: PlanOptions = {}): ExperimentPlan {
  const file = o.source ?? 'experiment';
  const kinds = o.kinds ?? experimentKinds();
  const raw = applyOverrides(data, scopedOverrides(o.overrides ?? []));
  const spec = ExperimentFileSchema.parse(raw, file);
  const kind = getExperimentKind(spec.kind, kinds);
  if (!kind) {
    const names = kinds.map((k) => k.kind);
    const near = suggest(spec.kind, names);
    throw new LedgerLabError({
      kind: 'config',
      code: 'config.unknown_kind',
      issues: [{ path: ['kind'], message: `unknown experiment kind "${spec.kind}"` }],
      problem: `unknown experiment kind "${spec.kind}"${near ? ` (did you mean "${near}"?)` : ''}`,
      where: `${file} at kind`,
      hint: `known kinds: ${names.join(', ') || 'none registered'}`,
    });
  }
  const planned = Object.values(spec.sweep).reduce((n, v) => n * v.length, spec.seeds.length);
  if (planned > MAX_PLANNED_RUNS) {
    throw new LedgerLabError({ kind: 'config', code: 'config.too_many_runs', issues: [{ path: ['sweep'], message: `plans ${planned} runs, more than ${MAX_PLANNED_RUNS}` }], problem: `the sweep plans ${planned} runs (seeds × every value list), more than ${MAX_PLANNED_RUNS}`, where: `${file} at sweep`, hint: 'split the experiment into several files, or sweep fewer values' });
  }
  const runs: PlannedRun[] = [];
  const issues: Issue[] = [];
  for (const point of gridPoints(spec.sweep)) {
    // Each swept key through the safe setter (never as "k=v" text: a key with "=" or "__proto__" must not pass).
    const base = Object.entries(point).reduce<unknown>((c, [k, v]) => setConfigKey(c, k, v, `${file} at sweep.${k}`), structuredClone(spec.config ?? {}));
    const before = issues.length;
    const config = kind.configSchema.check(base, ['config'], issues);
    if (issues.length > before) continue;
    const tag = Object.values(point).map(slug).join('-');
    const hash = sha256Json({ kind: spec.kind, config }).slice(0, 8);
    for (const seed of spec.seeds) {
      runs.push({ runId: [spec.name, tag, hash, `s${seed}`].filter(Boolean).join('-'), seed, point, config });
    }
  }
  if (issues.length) throw configError(dedupe(issues), file);
  return { file, spec, kind, runs };
}

function dedupe(issues: Issue[]): Issue[] {
  const seen = new Set<string>();
  return issues.filter((i) => {
    const k = `${i.path.join('.')}:${i.message}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });
}
