/**
 * Simulation files use the experiment envelope (kind "simulate", name, seeds, config) so they read like
 * every other experiment; a sweep is recorded as one run folder (run.json with the config and seeds,
 * metrics.jsonl with one line per design × attack × seed, table.json with the intervals).
 */
import { LedgerLabError } from '../../errors.ts';
import { ExperimentFileSchema, type ExperimentFile } from '../envelope.ts';
import { parseConfigText, readTextFile } from '../../config/index.ts';
import { formatCI, type MeanCI } from '../../measure/index.ts';
import { startRun } from '../../results/index.ts';
import { parseSimConfig, type SimConfig, type SweepResult, type SweepRow } from '../../sim/index.ts';

export interface SimFile { file: string; name: string; description?: string; seeds: number[]; config: SimConfig }

/** Reads a simulation file's envelope: kind "simulate", no `sweep` (the config is checked by its reader). */
export function readSimSpec(file: string): ExperimentFile {
  const spec = ExperimentFileSchema.parse(parseConfigText(readTextFile(file, 'simulation file'), file), file);
  if (spec.kind !== 'simulate') {
    throw new LedgerLabError({ kind: 'config', code: 'config.wrong_kind', problem: `expected kind "simulate", got "${spec.kind}"`, where: `${file} at kind`, hint: 'run other experiment kinds with `ledgerlab run`' });
  }
  if (Object.keys(spec.sweep).length > 0) {
    throw new LedgerLabError({ kind: 'config', problem: 'a simulation sweeps config.designs × config.attacks, not "sweep"', where: `${file} at sweep`, hint: 'list designs and attacks under config' });
  }
  return spec;
}

/** Reads and validates a simulation file; `seeds` (a count) overrides the file's seed list with 0..N−1. */
export function loadSimFile(file: string, opts: { seeds?: number } = {}): SimFile {
  const spec = readSimSpec(file);
  const config = parseSimConfig(spec.config, `${file} (config)`);
  const seeds = opts.seeds !== undefined ? Array.from({ length: opts.seeds }, (_, i) => i) : spec.seeds;
  return { file, name: spec.name, description: spec.description, seeds, config };
}

/** Records a finished sweep as a run folder; returns its directory. */
export async function recordSweep(sim: SimFile, result: SweepResult, root: string, mode: string, evm?: readonly { gas: bigint }[]): Promise<string> {
  const run = await startRun({ kind: 'simulate', name: sim.name, config: { mode, ...sim.config }, seeds: sim.seeds, root });
  for (const c of result.cells) run.logMetrics({ design: c.design, attack: c.attack, seed: c.seed, ...c.metrics });
  run.writeArtifact('table', 'table.json', JSON.stringify(result.rows, null, 2));
  if (evm) run.writeArtifact('evm', 'evm.json', JSON.stringify(evm.map((c) => ({ ...c, gas: c.gas.toString() })), null, 2));
  run.finish({ seconds: result.seconds, cells: result.cells.length, rows: result.rows.map(rowSummary) });
  return run.dir;
}

/** The per-cell figures a run's summary keeps (the full intervals are in table.json / metrics.jsonl). */
export function rowSummary(r: SweepRow) {
  return { design: r.design, attack: r.attack, capturedShare: r.metrics.capturedShare.mean, roi: r.metrics.roi.mean, honestRetention: r.metrics.honestRetention.mean };
}

const pct = (ci: MeanCI) => (ci.n === 0 ? '—' : formatCI({ ...ci, mean: ci.mean * 100, lo: ci.lo * 100, hi: ci.hi * 100, sd: ci.sd * 100 }, 1));

/** The design × attack table: captured share (%), attacker ROI, honest retention (%), each mean [95% CI]. */
export function formatSweepTable(rows: readonly SweepRow[]): string {
  const head = ['design', 'attack', 'captured %', 'ROI', 'honest retention %'];
  const body = rows.map((r) => [r.design, r.attack, pct(r.metrics.capturedShare), r.metrics.roi.n ? formatCI(r.metrics.roi, 2) : '—', pct(r.metrics.honestRetention)]);
  const widths = head.map((h, j) => Math.max(h.length, ...body.map((b) => b[j].length)));
  const line = (cells: string[]) => cells.map((c, j) => c.padEnd(widths[j])).join('  ').trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}
