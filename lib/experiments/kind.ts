/**
 * An experiment kind: a typed config schema and a function that runs one (config, seed) and returns the
 * run's summary. The runner owns run records, sweeps, skipping, failures and resume; a kind only does science.
 * The kinds that ship are listed in ./registry.ts.
 */
import type { Schema } from '../config/index.ts';
import type { Run } from '../results/index.ts';

export interface ExperimentContext<C> {
  config: C;
  seed: number;
  run: Run;
  /** True when continuing an interrupted run: load the last checkpoint from run.dir. */
  resume: boolean;
  /** Print progress? (false under --json or LEDGERLAB_QUIET=1) */
  verbose: boolean;
}

export interface ExperimentKind<C = unknown> {
  kind: string;
  summary: string;
  configSchema: Schema<C>;
  run(ctx: ExperimentContext<C>): Promise<unknown>;
  /**
   * Shared work every run of a config needs (a pretrained base), done once in the parent before runs go to
   * parallel workers, so two workers never build the same cache entry at the same time.
   */
  prepare?(config: C, verbose: boolean): Promise<void>;
}
