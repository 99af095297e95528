import { join, relative } from 'node:path';
import type { Command } from '../command.ts';
import { paths, resolveReportRuns, slug, writeReport, buildExperimentReport } from '../../index.ts';

export const reportCommand: Command = {
  name: 'report',
  summary: 'write a self-contained HTML report (and PDF via Chromium) of runs or an experiment',
  usage: 'ledgerlab report RUN_OR_EXPERIMENT... [--pdf] [--out DIR] [--root DIR] [--title TEXT] [--json]',
  help: [
    'RUN_OR_EXPERIMENT is a run folder, a run id, an id prefix (a sweep), an experiment name or a kind.',
    'Runs are grouped by kind; each kind\'s section (lib/experiments/registry.ts) (or the generic compare section) is written,',
    'then the limits and every run\'s record. Default output: <root>/reports/<name>/report.html.',
    '--pdf also prints report.pdf with Debian Chromium (apt-get install chromium).',
  ].join('\n'),
  options: {
    pdf: { type: 'boolean' },
    out: { type: 'string' },
    root: { type: 'string' },
    title: { type: 'string' },
    json: { type: 'boolean' },
  },
  positionals: [1, 100],
  async run(args) {
    const root = (args.values.root as string | undefined) ?? paths.results;
    const runs = resolveReportRuns(args.positionals, root);
    const doc = await buildExperimentReport(runs, { title: args.values.title as string | undefined });
    const dir = (args.values.out as string | undefined) ?? join(root, 'reports', slug(args.positionals.join('-')));
    const written = await writeReport(doc, { dir, pdf: Boolean(args.values.pdf) });
    if (args.values.json) {
      console.log(JSON.stringify({ ...written, runs: runs.map((e) => e.record.runId) }, null, 2));
      return;
    }
    const show = (p: string) => (p.startsWith(process.cwd()) ? relative(process.cwd(), p) : p);
    console.log(`report of ${runs.length} run${runs.length === 1 ? '' : 's'} → ${show(written.html)}`);
    if (written.pdf) console.log(`pdf → ${show(written.pdf)}`);
  },
};
