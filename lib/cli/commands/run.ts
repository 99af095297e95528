import type { Command } from '../command.ts';
import { listFlag, numberFlag } from '../args.ts';
import {
  LedgerLabError, paths, findRuns, runExperiment, resumeExperimentRun, type RunOutcome, summaryMetrics,
  submitExperiment, waitForRuns, type Submission,
} from '../../index.ts';

function line(o: RunOutcome): string {
  const metrics = Object.entries(summaryMetrics(o.summary)).slice(0, 4).map(([k, v]) => `${k}=${Number(v.toPrecision(4))}`).join(' ');
  return `${o.status.padEnd(8)} ${o.runId}${metrics ? `  ${metrics}` : ''}${o.error ? `\n${o.error.replace(/^/gm, '         ')}` : ''}`;
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run an experiment file (a sweep over config keys × seeds) into results/',
  usage: 'ledgerlab run FILE [--set key=value ...] [--jobs N | --queue redis://HOST:PORT [--wait] [--attempts N] [--backoff MS]] [--only RUN_ID ...] [--root DIR] [--json]  |  ledgerlab run --resume RUN',
  help: [
    'Each grid point × seed is one run folder results/<runId>/ (run.json, metrics.jsonl, artefacts).',
    'Finished runs are skipped, so re-running a sweep fills its gaps; interrupted runs continue from their',
    'checkpoint; a failed run is recorded and the sweep goes on (exit 1 at the end if any failed).',
    '--set a.b=v overrides the file; keys other than kind/name/seeds/sweep/config mean config.<key>.',
    '--jobs N runs N runs at once, each in its own process (tfjs-wasm uses one core per process); shared',
    'preparation (a pretrained base) is done first, and each worker\'s progress is shown (a row per worker on',
    'a terminal, "[run] ..." lines every LEDGERLAB_PROGRESS_EVERY_S seconds (10) elsewhere). --only RUN_ID',
    'runs just those runs of the plan. --progress shows progress even with --json (on stderr).',
    '--queue URL puts every run on a Redis job queue instead of running it; `ledgerlab worker` on any machine',
    'runs them into the shared --root. --wait waits for the sweep, prints the same summary as a local run and',
    'exits 1 if any run failed. A failing run is retried --attempts times in all (default 3), first after',
    '--backoff ms (default 10000, doubling). See docs/cluster.md.',
  ].join('\n'),
  options: { set: { type: 'string', multiple: true }, resume: { type: 'string' }, root: { type: 'string' }, json: { type: 'boolean' }, jobs: { type: 'string' }, only: { type: 'string', multiple: true }, progress: { type: 'boolean' }, queue: { type: 'string' }, wait: { type: 'boolean' }, attempts: { type: 'string' }, backoff: { type: 'string' } },
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
    if (args.values.queue !== undefined) return runOnQueue(args.positionals[0], args, root, json, print);
    for (const f of ['wait', 'attempts', 'backoff']) {
      if (args.values[f] !== undefined) throw new LedgerLabError({ kind: 'usage', problem: `--${f} needs --queue URL`, where: `--${f}` });
    }
    const jobs = numberFlag(args, 'jobs', 1, { int: true, min: 1 });
    const out = await runExperiment(args.positionals[0], { set: listFlag(args, 'set'), root, verbose, onRun: print, jobs, only: listFlag(args, 'only') });
    if (json) console.log(JSON.stringify(out.outcomes, null, 2));
    else console.log(sweepSummary(out.outcomes));
    return out.failed.length ? 1 : 0;
  },
};

function sweepSummary(outcomes: readonly RunOutcome[]): string {
  const n = (s: string) => outcomes.filter((o) => o.status === s).length;
  return `${outcomes.length} runs: ${n('finished')} finished, ${n('skipped')} skipped (already finished), ${n('failed')} failed`;
}

/** `--queue URL [--wait]`: submit the sweep to the job queue (lib/cluster) and optionally follow it to the end. */
async function runOnQueue(file: string, args: Parameters<Command['run']>[0], root: string, json: boolean, print: (o: RunOutcome) => void): Promise<number> {
  if (args.values.jobs !== undefined) throw new LedgerLabError({ kind: 'usage', problem: '--jobs and --queue exclude each other', where: '--jobs', hint: 'with --queue, start workers with `ledgerlab worker --queue URL --concurrency N`' });
  const url = args.values.queue as string;
  const sub = await submitExperiment(file, {
    url, root, set: listFlag(args, 'set'), only: listFlag(args, 'only'),
    attempts: numberFlag(args, 'attempts', 3, { int: true, min: 1 }), backoffMs: numberFlag(args, 'backoff', 10_000, { int: true, min: 0 }),
  });
  const queuedLine = `${sub.sweep}: ${sub.queued.length} queued, ${sub.alreadyQueued.length} already queued, ${sub.skipped.length} skipped (already finished) on ${sub.url}`;
  if (!args.values.wait) {
    if (json) console.log(JSON.stringify(submissionJson(sub), null, 2));
    else {
      for (const p of sub.queued) console.log(`${'queued'.padEnd(8)} ${p.runId}`);
      for (const p of sub.alreadyQueued) console.log(`${'queued'.padEnd(8)} ${p.runId}  (already on the queue)`);
      for (const o of sub.skipped) print(o);
      console.log(queuedLine);
    }
    return 0;
  }
  if (!json) console.error(queuedLine);
  const outcomes = await waitForRuns(sub, { url, onRun: print });
  if (json) console.log(JSON.stringify(outcomes, null, 2));
  else console.log(sweepSummary(outcomes));
  return outcomes.some((o) => o.status === 'failed') ? 1 : 0;
}

function submissionJson(sub: Submission) {
  const ids = (ps: readonly { runId: string }[]) => ps.map((p) => p.runId);
  return { sweep: sub.sweep, queue: sub.url, root: sub.root, queued: ids(sub.queued), alreadyQueued: ids(sub.alreadyQueued), skipped: ids(sub.skipped) };
}
