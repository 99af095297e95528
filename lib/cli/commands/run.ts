import type { Command } from '../command.ts';
import { listFlag, numberFlag } from '../args.ts';
import { LedgerLabError } from '../../index.ts';
import { paths } from '../../index.ts';
import { findRuns } from '../../index.ts';
import { runExperiment, resumeExperimentRun, type RunOutcome } from '../../index.ts';
import { summaryMetrics } from '../../index.ts';

function line(o: RunOutcome): string {
  const metrics = Object.entries(summaryMetrics(o.summary)).slice(0, 4).map(([k, v]) => `${k}=${Number(v.toPrecision(4))}`).join(' ');
  return `${o.status.padEnd(8)} ${o.runId}${metrics ? `  ${metrics}` : ''}${o.error ? `\n${o.error.replace(/^/gm, '         ')}` : ''}`;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run an experiment file (a sweep over config keys × seeds) into results/',
  usage: 'ledgerlab run FILE [--set key=value ...] [--jobs N] [--only RUN_ID ...] [--root DIR] [--json]  |  ledgerlab run --resume RUN',
  help: [
    'Each grid point × seed is one run folder results/<runId>/ (run.json, metrics.jsonl, artefacts).',
    'Finished runs are skipped, so re-running a sweep fills its gaps; interrupted runs continue from their',
    'checkpoint; a failed run is recorded and the sweep goes on (exit 1 at the end if any failed).',
    '--set a.b=v overrides the file; keys other than kind/name/seeds/sweep/config mean config.<key>.',
    '--jobs N runs N runs at once, each in its own process (tfjs-wasm uses one core per process); shared',
    'preparation (a pretrained base) is done first, and each worker\'s progress is shown (a row per worker on',
    'a terminal, "[run] ..." lines every LEDGERLAB_PROGRESS_EVERY_S seconds (10) elsewhere). --only RUN_ID',
    'runs just those runs of the plan. --progress shows progress even with --json (on stderr).',
  ].join('\n'),
  options: { set: { type: 'string', multiple: true }, resume: { type: 'string' }, root: { type: 'string' }, json: { type: 'boolean' }, jobs: { type: 'string' }, only: { type: 'string', multiple: true }, progress: { type: 'boolean' } },
  positionals: [0, 1],
  async run(args) {
    const root = (args.values.root as string | undefined) ?? paths.results;
    const json = Boolean(args.values.json);
    const verbose = !json || Boolean(args.values.progress);
    const print = (o: RunOutcome) => !json && console.log(line(o));
    if (args.values.resume) {
      const [entry] = findRuns([args.values.resume as string], root);
      const o = await resumeExperimentRun(entry.dir, verbose);
      print(o);
      if (json) console.log(JSON.stringify(o, null, 2));
      return o.status === 'failed' ? 1 : 0;
    }
    if (args.positionals.length !== 1) {
      throw new LedgerLabError({ kind: 'usage', problem: 'missing experiment FILE', where: 'ledgerlab run', hint: 'e.g. ledgerlab run experiments/smoke.json' });
    }
    const jobs = numberFlag(args, 'jobs', 1, { int: true, min: 1 });
    const out = await runExperiment(args.positionals[0], { set: listFlag(args, 'set'), root, verbose, onRun: print, jobs, only: listFlag(args, 'only') });
    if (json) console.log(JSON.stringify(out.outcomes, null, 2));
    else {
      const n = (s: string) => out.outcomes.filter((o) => o.status === s).length;
      console.log(`${out.outcomes.length} runs: ${n('finished')} finished, ${n('skipped')} skipped (already finished), ${n('failed')} failed`);
    }
    return out.failed.length ? 1 : 0;
  },
};
