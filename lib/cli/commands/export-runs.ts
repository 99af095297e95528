import type { Command } from '../command.ts';
import { listFlag } from '../args.ts';
import { exportMlflow, exportTables, filterRuns, listRuns, paths, LedgerLabError } from '../../index.ts';

const FORMATS = ['mlflow', 'csv', 'parquet'] as const;

export const exportRunsCommand: Command = {
  name: 'export-runs',
  summary: 'write runs for other tools: MLflow file store (mlflow ui), or CSV/Parquet tables for pandas',
  usage: 'ledgerlab export-runs [--filter key=value ...] --format mlflow|csv|parquet --out DIR [--root DIR] [--json]',
  help: [
    'mlflow: DIR/<experiment id>/meta.yaml and DIR/<experiment id>/<run id>/{meta.yaml, params/, metrics/, tags/, artifacts/};',
    '        view with: mlflow ui --backend-store-uri DIR',
    'csv, parquet: DIR/runs.<ext> (one row per run: flattened config + summary metrics) and DIR/metrics.<ext>',
    '        (curves in long form: run_id, step, key, value, time).',
    'Filters as in `ledgerlab runs`: kind, name, status, config.<dotted.path>.',
  ].join('\n'),
  options: { filter: { type: 'string', multiple: true }, format: { type: 'string' }, out: { type: 'string' }, root: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    const format = args.values.format as string | undefined;
    if (!format || !(FORMATS as readonly string[]).includes(format)) {
      throw new LedgerLabError({ kind: 'usage', problem: format ? `unknown format "${format}"` : '--format is required', where: '--format', hint: `use one of ${FORMATS.join(', ')}` });
    }
    const out = args.values.out as string | undefined;
    if (!out) throw new LedgerLabError({ kind: 'usage', problem: '--out DIR is required', where: '--out' });
    const entries = filterRuns(listRuns((args.values.root as string) ?? paths.results), listFlag(args, 'filter'));
    if (entries.length === 0) throw new LedgerLabError({ kind: 'usage', problem: 'no runs match', where: '--filter', hint: '`ledgerlab runs` lists what there is' });
    if (format === 'mlflow') {
      const r = exportMlflow(entries, out);
      if (args.values.json) return void console.log(JSON.stringify(r, null, 2));
      console.log(`wrote ${r.runs.length} run(s) in ${r.experiments.length} MLflow experiment(s) to ${out}`);
      for (const x of r.experiments) console.log(`  ${x.id}  ${x.name}  (${x.runs} run${x.runs === 1 ? '' : 's'})`);
      console.log(`view with: mlflow ui --backend-store-uri ${out}`);
      return;
    }
    const files = exportTables(entries, out, format as 'csv' | 'parquet');
    if (args.values.json) return void console.log(JSON.stringify(files, null, 2));
    for (const f of files) console.log(`wrote ${f.path} (${f.rows} rows)`);
  },
};
