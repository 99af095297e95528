/**
 * Writes runs in MLflow's file-store layout, so `mlflow ui --backend-store-uri DIR` shows them:
 *
 *   DIR/<experiment id>/meta.yaml                      experiment: name, artifact_location, lifecycle_stage, …
 *   DIR/<experiment id>/<run id>/meta.yaml             run info: run_uuid, status (3 = FINISHED), start/end ms, …
 *   DIR/<experiment id>/<run id>/params/<key>          one file per flattened config key, the value as text
 *   DIR/<experiment id>/<run id>/metrics/<key>         one line per point: "<timestamp ms> <value> <step>"
 *   DIR/<experiment id>/<run id>/tags/<key>            mlflow.runName, mlflow.source.git.commit, ledgerlab.*
 *   DIR/<experiment id>/<run id>/artifacts/…           the run's artefacts and run.json
 *
 * The layout is MLflow's FileStore (mlflow/store/tracking/file_store.py): written by hand because MLflow is a
 * Python tool with no JavaScript writer, and this must match what its reader expects. One MLflow experiment per
 * LedgerLab experiment name; ids are derived from the name (and run ids from LedgerLab's run id), so exporting
 * again writes the same paths. Curves come from metrics.jsonl (every numeric field but `step`, at its step);
 * summary figures are metrics named `summary.<path>` at step 0.
 *
 * @example
 * exportMlflow(listRuns('results'), 'mlruns');   // then: mlflow ui --backend-store-uri mlruns
 */
import { copyFileSync, existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';
import { sha256, writeFileAtomic, readJsonl } from '../../util/index.ts';
import { flatten, summaryMetrics } from '../compare.ts';
import type { RunEntry } from '../store.ts';
import type { RunStatus } from '../run-record.ts';

/** MLflow's RunStatus enum as stored in meta.yaml (RUNNING 1, SCHEDULED 2, FINISHED 3, FAILED 4, KILLED 5). */
export const MLFLOW_STATUS: Record<RunStatus, number> = { running: 1, finished: 3, failed: 4, interrupted: 5 };
/** SourceType.LOCAL in MLflow's enum. */
const SOURCE_LOCAL = 4;
/** MLflow's limit on a param value (mlflow.utils.validation.MAX_PARAM_VAL_LENGTH). */
export const MAX_PARAM_LENGTH = 6000;

/** MLflow accepts names of letters, digits, `_ - . / space`; anything else becomes `_`. */
export function mlflowKey(key: string): string {
  const k = key.replace(/[^\w\-./ ]/g, '_').replace(/\.\.+/g, '.').replace(/^\/+/, '');
  return k || '_';
}

/** A decimal experiment id from the experiment name (MLflow's own ids are decimal strings; "0" is Default). */
export function mlflowExperimentId(name: string): string {
  return (BigInt('0x' + sha256(`experiment:${name}`).slice(0, 13)) + 1n).toString();
}

/** 32 hex characters, like MLflow's uuid4().hex, from LedgerLab's run id. */
export function mlflowRunId(runId: string): string {
  return sha256(`run:${runId}`).slice(0, 32);
}

export interface MlflowExport {
  experiments: { id: string; name: string; runs: number }[];
  runs: { runId: string; mlflowRunId: string; experimentId: string; params: number; metrics: number; points: number }[];
}

const ms = (iso: string | undefined) => (iso ? Date.parse(iso) : null);

function paramText(v: unknown): string {
  const text = typeof v === 'string' ? v : JSON.stringify(v) ?? 'null';
  return text.length > MAX_PARAM_LENGTH ? text.slice(0, MAX_PARAM_LENGTH) : text;
}

/** Writes the runs under `out` (created if needed); returns what was written. */
export function exportMlflow(entries: readonly RunEntry[], out: string): MlflowExport {
  const root = resolve(out);
  mkdirSync(root, { recursive: true });
  const byExperiment = new Map<string, RunEntry[]>();
  for (const e of entries) {
    const name = e.record.name || e.record.kind;
    byExperiment.set(name, [...(byExperiment.get(name) ?? []), e]);
  }
  const result: MlflowExport = { experiments: [], runs: [] };
  for (const [name, runs] of byExperiment) {
    const expId = mlflowExperimentId(name);
    const expDir = join(root, expId);
    const created = Math.min(...runs.map((r) => ms(r.record.startedAt) ?? Date.now()));
    const updated = Math.max(...runs.map((r) => ms(r.record.endedAt ?? r.record.heartbeatAt) ?? created));
    writeFileAtomic(join(expDir, 'meta.yaml'), stringify({
      artifact_location: pathToFileURL(expDir).href, creation_time: created, experiment_id: expId,
      last_update_time: updated, lifecycle_stage: 'active', name,
    }));
    result.experiments.push({ id: expId, name, runs: runs.length });
    for (const e of runs) result.runs.push(writeRun(e, expId, expDir));
  }
  return result;
}

function writeRun(e: RunEntry, expId: string, expDir: string): MlflowExport['runs'][number] {
  const r = e.record;
  const id = mlflowRunId(r.runId);
  const dir = join(expDir, id);
  // A re-export replaces the run folder whole, so metric files never keep points from an older export.
  rmSync(dir, { recursive: true, force: true });
  const start = ms(r.startedAt)!;
  writeFileAtomic(join(dir, 'meta.yaml'), stringify({
    artifact_uri: pathToFileURL(join(dir, 'artifacts')).href, end_time: ms(r.endedAt), entry_point_name: '',
    experiment_id: expId, lifecycle_stage: 'active', run_id: id, run_name: r.runId, run_uuid: id,
    source_name: '', source_type: SOURCE_LOCAL, source_version: r.git.commit ?? '', start_time: start,
    status: MLFLOW_STATUS[e.status], tags: [], user_id: process.env.USER ?? 'ledgerlab',
  }));
  const params = Object.entries(flatten(r.config)).map(([k, v]) => [mlflowKey(k), paramText(v)] as const);
  params.push(['seeds', r.seeds.join(',')]);
  for (const [k, v] of params) writeFileAtomic(join(dir, 'params', k), v);

  const tags: Record<string, string> = {
    'mlflow.runName': r.runId, 'mlflow.user': process.env.USER ?? 'ledgerlab', 'mlflow.source.type': 'LOCAL',
    'mlflow.source.name': r.process.argv.join(' '), 'ledgerlab.runId': r.runId, 'ledgerlab.kind': r.kind,
    'ledgerlab.status': e.status, 'ledgerlab.configSha256': r.configSha256,
  };
  if (r.git.commit) tags['mlflow.source.git.commit'] = r.git.commit;
  if (r.error) tags['ledgerlab.error'] = `${r.error.message}${r.error.where ? ` (at ${r.error.where})` : ''}`;
  for (const [k, v] of Object.entries(tags)) writeFileAtomic(join(dir, 'tags', k), v);

  // Curves: one file per numeric field of metrics.jsonl, in file order.
  const curves = new Map<string, string[]>();
  let points = 0;
  const metricsFile = join(e.dir, r.artifacts.metrics ?? 'metrics.jsonl');
  if (existsSync(metricsFile)) {
    readJsonl(metricsFile).forEach((line, i) => {
      const step = typeof line.step === 'number' ? Math.trunc(line.step) : i;
      const t = typeof line.time === 'string' && Number.isFinite(Date.parse(line.time)) ? Date.parse(line.time) : start;
      for (const [k, v] of Object.entries(flatten(line))) {
        if (k === 'step' || typeof v !== 'number' || !Number.isFinite(v)) continue;
        const key = mlflowKey(k);
        curves.set(key, [...(curves.get(key) ?? []), `${t} ${v} ${step}`]);
        points++;
      }
    });
  }
  const end = ms(r.endedAt) ?? start;
  for (const [k, v] of Object.entries(summaryMetrics(r.summary))) {
    curves.set(mlflowKey(`summary.${k}`), [`${end} ${v} 0`]);
    points++;
  }
  for (const [k, lines] of curves) writeFileAtomic(join(dir, 'metrics', k), lines.join('\n') + '\n');

  mkdirSync(join(dir, 'artifacts'), { recursive: true });
  copyFileSync(join(e.dir, 'run.json'), join(dir, 'artifacts', 'run.json'));
  for (const rel of Object.values(r.artifacts)) {
    const src = join(e.dir, rel);
    if (!existsSync(src) || !statSync(src).isFile()) continue;
    mkdirSync(dirname(join(dir, 'artifacts', rel)), { recursive: true });
    copyFileSync(src, join(dir, 'artifacts', rel));
  }
  return { runId: r.runId, mlflowRunId: id, experimentId: expId, params: params.length, metrics: curves.size, points };
}
