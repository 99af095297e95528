/**
 * Which process a cancel may signal. run.json is a file anyone who can write the results root can forge, so
 * its pid is believed only when it names the very process that started the run: an integer above 1 (never
 * init, never `-1` or a process group) whose kernel start time equals the one the run recorded
 * (lib/util/process.ts) — a pid reused by another process since has another start time.
 */
import { LedgerLabError } from '../errors.ts';
import { sameProcess } from '../util/index.ts';
import type { RunEntry } from '../results/index.ts';

/** The pid of `e`'s live process, verified; a LedgerLabError saying why it is not signalled otherwise. */
export function verifiedRunPid(e: RunEntry): number {
  const { pid, startTicks } = e.record.process;
  const where = `${e.dir}/run.json process`;
  if (!Number.isSafeInteger(pid) || pid <= 1) {
    throw new LedgerLabError({ kind: 'usage', problem: `run ${e.record.runId} names pid ${pid}, which is never signalled`, where });
  }
  if (startTicks === undefined) {
    throw new LedgerLabError({
      kind: 'usage', problem: `run ${e.record.runId} does not record its process's start time, so its process cannot be told from another with pid ${pid}`, where,
      hint: 'it was started by an older LedgerLab (or not on Linux): stop it where it runs (Ctrl-C, or kill -INT after checking the pid)',
    });
  }
  if (!sameProcess({ pid, startTicks })) {
    throw new LedgerLabError({ kind: 'usage', problem: `pid ${pid} is not the process that started run ${e.record.runId} (it exited; the pid may be another process now)`, where });
  }
  return pid;
}
