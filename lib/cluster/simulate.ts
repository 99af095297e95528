/**
 * `ledgerlab simulate FILE --queue URL`: a simulation sweep through the queue, one job per seed, each playing
 * the whole design × attack grid for its seed. (A grid cell takes milliseconds and a job's process start about
 * a second, so one job per cell would be slower than running the sweep locally.) The per-seed runs are what
 * the simulate report already pools (sim/report.ts readSimSweeps), so `--wait` prints the same table as a local
 * `ledgerlab simulate`.
 *
 * simulate is a shipped experiment kind (lib/experiments/registry.ts), so this submits the file as `run --queue` does.
 */
import { planExperimentData, readSimSpec, readSimSweeps, type RunOutcome } from '../experiments/index.ts';
import { findRuns } from '../results/index.ts';
import type { SweepRow } from '../sim/index.ts';
import { submitPlan, type SubmitOptions, type Submission } from './submit.ts';

/**
 * Checks the file as `ledgerlab simulate` does and queues its plan, read once; `seeds` (a count) means seeds
 * 0..N−1 instead of the file's list.
 */
export async function submitSimulation(file: string, o: SubmitOptions & { seeds?: number }): Promise<Submission> {
  const spec = readSimSpec(file);
  const seeds = o.seeds !== undefined ? Array.from({ length: o.seeds }, (_, i) => i) : spec.seeds;
  return submitPlan(planExperimentData({ ...spec, seeds }, { source: file, overrides: o.set }), o);
}

/** The design × attack table over the finished seeds of a waited-for simulation (empty when none finished). */
export function simulationRows(sub: Submission, outcomes: readonly RunOutcome[]): { seeds: number[]; rows: SweepRow[] } {
  const ids = outcomes.filter((x) => x.status !== 'failed').map((x) => x.runId);
  if (!ids.length) return { seeds: [], rows: [] };
  const [sweep] = readSimSweeps(findRuns(ids, sub.root));
  return { seeds: sweep?.seeds ?? [], rows: sweep?.rows ?? [] };
}
