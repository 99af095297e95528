/**
 * Finished scale runs with their typed summaries, for notebooks and the report: the run id, its seed, its
 * folder (cells.json lives there) and the summary in the contract's shape (./summary.ts).
 *
 * @example
 * const runs = loadScaleRuns('results');           // or scaleRuns(listRuns(root))
 * runs[0].summary.costModel.heldOutRelErrorMedian;
 */
import { join } from 'node:path';
import { listRuns, type RunEntry } from '../../results/index.ts';
import type { ScaleSummary } from './summary.ts';

export interface ScaleRunEntry { runId: string; name: string; seed: number; dir: string; cellsFile: string; summary: ScaleSummary }

export function scaleRuns(runs: readonly RunEntry[], name?: string): ScaleRunEntry[] {
  return runs
    .filter((r) => r.record.kind === 'scale' && r.status === 'finished' && (name === undefined || r.record.name === name))
    .map((r) => ({ runId: r.record.runId, name: r.record.name, seed: r.record.seeds[0], dir: r.dir, cellsFile: join(r.dir, 'cells.json'), summary: r.record.summary as ScaleSummary }));
}

export function loadScaleRuns(root: string, name?: string): ScaleRunEntry[] {
  return scaleRuns(listRuns(root), name);
}
