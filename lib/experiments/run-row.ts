/** The provenance row every kind's report gives one run: commit, config, backend and machine. */
import { backendLabel } from '../runtime/index.ts';
import type { RunEntry } from '../results/index.ts';

export interface RunRow { runId: string; seed: number; commit: string; dirty: boolean; configSha256: string; backend: string; machine: string }

/** One run's row in a report's run table (the speedup and qlora kinds). */
export function runRow(e: RunEntry): RunRow {
  const env = e.record.environment as { cpu?: { model?: string; cores?: number } } | undefined;
  return {
    runId: e.record.runId, seed: e.record.seeds[0]!, commit: e.record.git?.commit ?? 'unknown', dirty: !!e.record.git?.dirty,
    configSha256: e.record.configSha256, backend: backendLabel(e.record.environment), machine: `${env?.cpu?.cores ?? '?'}× ${env?.cpu?.model ?? 'unknown CPU'}`,
  };
}
