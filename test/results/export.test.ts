// export-runs through the real CLI, read back: MLflow's file store with a reader written from MLflow's documented
// layout (FileStore: <exp>/meta.yaml, <exp>/<run>/{meta.yaml, params/, metrics/, tags/, artifacts/}), and the
// pandas tables as CSV text and as Parquet read by hyparquet.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { parquetReadObjects } from 'hyparquet';
import { startRun, readRunRecord, mlflowRunId, mlflowExperimentId, LedgerLabError } from '../../lib/index.ts';
import { ledgerlab } from '../helpers/cli.ts';

const env = { stub: 'environment' };
const tmp = (p: string) => mkdtempSync(join(tmpdir(), p));

async function makeRuns(): Promise<{ root: string; ids: string[] }> {
  const root = tmp('ll-export-root-');
  const a = await startRun({ root, runId: 'exp-a-lora-s0', kind: 'finetune', name: 'exp-a', config: { method: 'lora', train: { lr: 0.001, steps: 2 }, targets: ['q', 'v'] }, seeds: [0], environment: env });
  a.logMetrics({ step: 1, loss: 2.5, lr: 0.001 });
  a.logMetrics({ step: 2, loss: 2.25, lr: 0.0005, note: 'text is not a metric' });
  a.writeArtifact('predictions', 'predictions.jsonl', '{"prediction":"x"}\n');
  a.finish({ rouge: { r2: 7.36 }, steps: 2, label: 'not a number' });
  const b = await startRun({ root, runId: 'exp-a-ptuning-s0', kind: 'finetune', name: 'exp-a', config: { method: 'ptuning-v2', train: { lr: 0.01, steps: 2 }, prefixLength: 16 }, seeds: [0], environment: env });
  b.logMetrics({ step: 1, loss: 3 });
  b.fail(new LedgerLabError({ kind: 'data', problem: 'bad line', where: 'x.jsonl:3' }));
  const c = await startRun({ root, runId: 'exp-b-full-s1', kind: 'speedup', name: 'exp-b', config: { flag: true }, seeds: [1, 2], environment: env });
  c.finish({ ratio: { trained: 2.03 } });
  return { root, ids: ['exp-a-lora-s0', 'exp-a-ptuning-s0', 'exp-b-full-s1'] };
}

/** MLflow's FileStore as documented, read back. */
function readMlflow(dir: string) {
  const text = (p: string) => readFileSync(p, 'utf8');
  const files = (p: string) => (existsSync(p) ? readdirSync(p).sort() : []);
  return files(dir).filter((e) => statSync(join(dir, e)).isDirectory() && !e.startsWith('.')).map((expId) => {
    const exp = parse(text(join(dir, expId, 'meta.yaml')));
    const runs = files(join(dir, expId)).filter((r) => existsSync(join(dir, expId, r, 'meta.yaml'))).map((runId) => {
      const rd = join(dir, expId, runId);
      return {
        dirName: runId,
        info: parse(text(join(rd, 'meta.yaml'))),
        params: Object.fromEntries(files(join(rd, 'params')).map((k) => [k, text(join(rd, 'params', k))])),
        tags: Object.fromEntries(files(join(rd, 'tags')).map((k) => [k, text(join(rd, 'tags', k))])),
        metrics: Object.fromEntries(files(join(rd, 'metrics')).map((k) => [k, text(join(rd, 'metrics', k)).trim().split('\n').map((l) => {
          const [ts, value, step] = l.split(' ');
          return { timestamp: Number(ts), value: Number(value), step: Number(step) };
        })])),
        artifacts: files(join(rd, 'artifacts')),
        artifactDir: join(rd, 'artifacts'),
      };
    });
    return { dirName: expId, exp, runs };
  });
}

test('mlflow: experiments, runs, params, metrics (timestamp value step), tags and artefacts as MLflow reads them', async () => {
  const { root } = await makeRuns();
  const out = join(tmp('ll-export-mlflow-'), 'mlruns');
  const r = ledgerlab(['export-runs', '--root', root, '--format', 'mlflow', '--out', out]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, 'wrote 3 run(s) in 2 MLflow experiment(s)');
  assert.match(r.stdout, `view with: mlflow ui --backend-store-uri ${out}`);
  const store = readMlflow(out);
  assert.equal(store.map((e) => e.exp.name).sort(), ['exp-a', 'exp-b']);
  for (const e of store) {
    assert.is(e.exp.experiment_id, e.dirName, 'experiment_id matches its folder');
    assert.is(e.exp.lifecycle_stage, 'active');
    assert.match(e.exp.artifact_location, /^file:\/\//);
    assert.type(e.exp.creation_time, 'number');
    assert.is(e.dirName, mlflowExperimentId(e.exp.name));
  }
  const runs = store.flatMap((e) => e.runs);
  const lora = runs.find((x) => x.tags['ledgerlab.runId'] === 'exp-a-lora-s0')!;
  const rec = readRunRecord(join(root, 'exp-a-lora-s0'));
  assert.is(lora.dirName, mlflowRunId('exp-a-lora-s0'));
  assert.match(lora.dirName, /^[0-9a-f]{32}$/);
  assert.equal([lora.info.run_uuid, lora.info.run_id, lora.info.run_name], [lora.dirName, lora.dirName, 'exp-a-lora-s0']);
  assert.is(lora.info.status, 3, 'FINISHED');
  assert.is(lora.info.lifecycle_stage, 'active');
  assert.is(lora.info.start_time, Date.parse(rec.startedAt));
  assert.is(lora.info.end_time, Date.parse(rec.endedAt!));
  assert.equal(lora.info.tags, []);
  assert.is(lora.tags['mlflow.runName'], 'exp-a-lora-s0');
  assert.is(lora.tags['mlflow.source.git.commit'], rec.git.commit);
  assert.is(lora.tags['ledgerlab.kind'], 'finetune');
  assert.equal(lora.params, { method: 'lora', seeds: '0', targets: '["q","v"]', 'train.lr': '0.001', 'train.steps': '2' });
  assert.equal(lora.metrics.loss.map((p) => [p.value, p.step]), [[2.5, 1], [2.25, 2]]);
  assert.equal(lora.metrics.lr.map((p) => p.value), [0.001, 0.0005]);
  assert.ok(lora.metrics.loss.every((p) => Number.isInteger(p.timestamp) && p.timestamp >= lora.info.start_time));
  assert.equal(lora.metrics['summary.rouge.r2'].map((p) => [p.value, p.step]), [[7.36, 0]]);
  assert.equal(lora.metrics['summary.steps'].map((p) => p.value), [2]);
  assert.equal(Object.keys(lora.metrics).sort(), ['loss', 'lr', 'summary.rouge.r2', 'summary.steps'], 'text fields are not metrics');
  assert.equal(lora.artifacts, ['metrics.jsonl', 'predictions.jsonl', 'run.json']);
  assert.is(readFileSync(join(lora.artifactDir, 'predictions.jsonl'), 'utf8'), '{"prediction":"x"}\n');
  const failed = runs.find((x) => x.tags['ledgerlab.runId'] === 'exp-a-ptuning-s0')!;
  assert.is(failed.info.status, 4, 'FAILED');
  assert.is(failed.tags['ledgerlab.error'], 'bad line (at x.jsonl:3)');
  const b = runs.find((x) => x.tags['ledgerlab.runId'] === 'exp-b-full-s1')!;
  assert.equal(b.params, { flag: 'true', seeds: '1,2' });

  // Exporting again rewrites the same paths without duplicating points.
  assert.is(ledgerlab(['export-runs', '--root', root, '--format', 'mlflow', '--out', out]).code, 0);
  const again = readMlflow(out).flatMap((e) => e.runs).find((x) => x.dirName === lora.dirName)!;
  assert.equal(again.metrics.loss.map((p) => p.value), [2.5, 2.25]);
  assert.is(readMlflow(out).flatMap((e) => e.runs).length, 3);
});

test('--filter picks runs as `ledgerlab runs` does; --json reports what was written', async () => {
  const { root } = await makeRuns();
  const out = tmp('ll-export-filter-');
  const r = ledgerlab(['export-runs', '--root', root, '--format', 'mlflow', '--out', out, '--filter', 'status=finished', '--filter', 'name=exp-a', '--json']);
  assert.is(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.runs.map((x: { runId: string }) => x.runId), ['exp-a-lora-s0']);
  assert.equal(j.runs[0].metrics, 4);
  assert.equal(j.runs[0].points, 6);
});

test('csv: one row per run (config + summary columns), curves in long form', async () => {
  const { root } = await makeRuns();
  const out = tmp('ll-export-csv-');
  const r = ledgerlab(['export-runs', '--root', root, '--format', 'csv', '--out', out, '--filter', 'name=exp-a']);
  assert.is(r.code, 0, r.stderr);
  const runs = readFileSync(join(out, 'runs.csv'), 'utf8').trim().split('\n');
  assert.is(runs[0], 'run_id,kind,name,status,started_at,ended_at,commit,seeds,config.method,config.prefixLength,config.targets,config.train.lr,config.train.steps,summary.rouge.r2,summary.steps');
  const rows = runs.slice(1).map((l) => l.split(','));
  const lora = runs.slice(1).find((l) => l.startsWith('exp-a-lora-s0'))!;
  assert.match(lora, /,0,lora,,"\[""q"",""v""\]",0\.001,2,7\.36,2$/);
  const pt = runs.slice(1).find((l) => l.startsWith('exp-a-ptuning-s0'))!;
  assert.match(pt, /^exp-a-ptuning-s0,finetune,exp-a,failed,/);
  assert.match(pt, /,0,ptuning-v2,16,,0\.01,2,,$/);
  assert.is(rows.length, 2);
  const metrics = readFileSync(join(out, 'metrics.csv'), 'utf8').trim().split('\n');
  assert.is(metrics[0], 'run_id,step,key,value,time');
  assert.equal(metrics.slice(1).map((l) => l.split(',').slice(0, 4).join(',')).sort(), [
    'exp-a-lora-s0,1,loss,2.5', 'exp-a-lora-s0,1,lr,0.001', 'exp-a-lora-s0,2,loss,2.25', 'exp-a-lora-s0,2,lr,0.0005', 'exp-a-ptuning-s0,1,loss,3',
  ]);
});

test('parquet: typed columns pandas reads (numbers as DOUBLE, booleans, text), read back with hyparquet', async () => {
  const { root } = await makeRuns();
  const out = tmp('ll-export-pq-');
  const r = ledgerlab(['export-runs', '--root', root, '--format', 'parquet', '--out', out]);
  assert.is(r.code, 0, r.stderr);
  const read = async (f: string) => parquetReadObjects({ file: new Uint8Array(readFileSync(join(out, f))).buffer as ArrayBuffer });
  const runs = (await read('runs.parquet')).sort((a, b) => String(a.run_id).localeCompare(String(b.run_id)));
  assert.equal(runs.map((x) => x.run_id), ['exp-a-lora-s0', 'exp-a-ptuning-s0', 'exp-b-full-s1']);
  assert.equal(runs.map((x) => x['config.train.lr']), [0.001, 0.01, null]);
  assert.equal(runs.map((x) => x['config.flag']), [null, null, true]);
  assert.equal(runs.map((x) => x['summary.ratio.trained']), [null, null, 2.03]);
  assert.equal(runs.map((x) => x.status), ['finished', 'failed', 'finished']);
  assert.is(runs[0]['config.targets'], '["q","v"]');
  const metrics = await read('metrics.parquet');
  assert.is(metrics.length, 5);
  assert.equal(metrics.filter((m) => m.key === 'loss').map((m) => m.value).sort(), [2.25, 2.5, 3]);
});

test('bad use: unknown format, missing --out, nothing to export: usage errors (exit 2) naming the flag', async () => {
  const { root } = await makeRuns();
  const bad = ledgerlab(['export-runs', '--root', root, '--format', 'xml', '--out', tmp('x-')]);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, 'error (usage): unknown format "xml"');
  assert.match(bad.stderr, 'use one of mlflow, csv, parquet');
  const noOut = ledgerlab(['export-runs', '--root', root, '--format', 'csv']);
  assert.is(noOut.code, 2);
  assert.match(noOut.stderr, '--out DIR is required');
  const none = ledgerlab(['export-runs', '--root', root, '--format', 'csv', '--out', tmp('x-'), '--filter', 'kind=drift']);
  assert.is(none.code, 2);
  assert.match(none.stderr, 'no runs match');
});

test.run();
