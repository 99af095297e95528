/**
 * The adaptive parts of a simulation file, run after its fixed-strategy sweep: best-response search
 * (config.search → worstCase on the sweep's rows), adaptive populations (config.population) and the
 * real-text span study (config.spans); and their artefacts beside the sweep's (population.json, spans.json;
 * table.json already carries the worstCase rows). One entry for the CLI and the notebooks.
 */
import { join } from 'node:path';
import { writeJsonAtomic } from '../../util/index.ts';
import { searchSweep, runPopulations, runSpanStudy, type SimConfig, type SweepResult, type PopulationResult, type SpanStudy } from '../../sim/index.ts';
import { trainAndGenerate } from './spans-model.ts';

export interface AdaptiveResult { population?: PopulationResult[]; spans?: SpanStudy; seconds: number }

/** Runs what the config asks for; adds worstCase to `result.rows` in place and its time to `result.seconds`. */
export async function runAdaptive(cfg: SimConfig, result: SweepResult, progress?: (what: string, done: number, total: number) => void): Promise<AdaptiveResult> {
  const t0 = performance.now();
  if (cfg.search) result.rows = searchSweep(cfg, result, (_d, _a, done, n) => progress?.('best-response searches', done, n));
  const population = cfg.population ? runPopulations(cfg, (_r, done, n) => progress?.('adaptive populations', done, n)) : undefined;
  const phases = ['datanet', 'train', 'attribute', 'settle'];
  const spans = cfg.spans ? await runSpanStudy(cfg.spans, trainAndGenerate, (p) => progress?.(`text Datanet: ${p}`, phases.indexOf(p) + 1, phases.length)) : undefined;
  const seconds = (performance.now() - t0) / 1000;
  result.seconds += seconds;
  return { ...(population ? { population } : {}), ...(spans ? { spans } : {}), seconds };
}

/** population.json and spans.json in a recorded sweep's folder. */
export function writeAdaptiveArtifacts(dir: string, a: AdaptiveResult): void {
  if (a.population) writeJsonAtomic(join(dir, 'population.json'), a.population);
  if (a.spans) writeJsonAtomic(join(dir, 'spans.json'), a.spans);
}
