import type { Command } from '../command.ts';
import { listFlag } from '../args.ts';
import {
  listRuns, filterRuns, findRuns, listQueuedRuns, filterBy, type QueuedRun, compareRuns, formatComparison, paths,
} from '../../index.ts';
import { join } from 'node:path';

function duration(start: string, end?: string): string {
  if (!end) return '';
  const s = (Date.parse(end) - Date.parse(start)) / 1000;
  return s < 120 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`;
}

export const runsCommand: Command = {
  name: 'runs',
  summary: 'list runs in results/ (newest first), optionally filtered',
  usage: 'ledgerlab runs [--filter key=value ...] [--root DIR] [--json]',
  help: [
    'Filter keys: kind, name, status (queued|running|finished|failed|interrupted), runId, configSha256, resumedFrom,',
    'resumes, config.<dotted.path>. An unknown key or status is an error.',
    'queued: put on a job queue (`ledgerlab run --queue`, docs/cluster.md) and not started by a worker yet.',
  ].join('\n'),
  options: { filter: { type: 'string', multiple: true }, root: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    const root = (args.values.root as string) ?? paths.results;
    const entries = filterRuns(listRuns(root), listFlag(args, 'filter'));
    const queued = filterBy(listQueuedRuns(root), listFlag(args, 'filter'), (q: QueuedRun, key) => (key === 'status' ? 'queued' : (q as Record<string, unknown>)[key]));
    if (args.values.json) {
      console.log(JSON.stringify([
        ...queued.map((q) => ({ ...q, status: 'queued', dir: join(root, q.runId) })),
        ...entries.map((e) => ({ ...e.record, status: e.status, dir: e.dir })),
      ], null, 2));
      return;
    }
    if (entries.length === 0 && queued.length === 0) {
      console.log('no runs');
      return;
    }
    const rows = [...queued.map((q) => [q.runId, q.kind, 'queued', `(queued ${q.queuedAt.replace('T', ' ').slice(0, 19)})`, '', '—']), ...entries.map((e) => [
      e.record.runId,
      e.record.kind,
      e.status,
      e.record.startedAt.replace('T', ' ').slice(0, 19),
      duration(e.record.startedAt, e.record.endedAt),
      e.record.git.commit ? e.record.git.commit.slice(0, 8) + (e.record.git.dirty ? '*' : '') : '—',
    ])];
    const head = ['run', 'kind', 'status', 'started (UTC)', 'took', 'commit'];
    const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
    for (const r of [head, ...rows]) console.log(r.map((x, j) => x.padEnd(widths[j])).join('  ').trimEnd());
  },
};

export const compareCommand: Command = {
  name: 'compare',
  summary: 'side-by-side table of runs: differing config keys, metrics with 95% intervals across seeds',
  usage: 'ledgerlab compare RUN... [--root DIR] [--json]',
  help: 'RUN is a run id, an id prefix (all its runs, e.g. a sweep), or a run folder.',
  options: { root: { type: 'string' }, json: { type: 'boolean' } },
  positionals: [1, 1000],
  async run(args) {
    const c = compareRuns(findRuns(args.positionals, (args.values.root as string) ?? paths.results));
    console.log(args.values.json ? JSON.stringify(c, null, 2) : formatComparison(c));
  },
};
