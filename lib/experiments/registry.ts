/**
 * Every experiment kind LedgerLab ships and its report section, in one list (like lib/cli/commands/index.ts for
 * commands). Nothing registers itself on import: `ledgerlab run` resolves a file's `kind` here, and
 * `ledgerlab report` takes each kind's section from here (kinds without one get report/'s generic section).
 *
 * Add a kind: write lib/experiments/<kind>/kind.ts (an ExperimentKind) and, if it has its own report view,
 * report.ts (a ReportSectionBuilder); export both from its index.ts and list the pair below.
 */
import type { ExperimentKind } from './kind.ts';
import { buildReport, type BuildReportOptions, type ReportSectionBuilder, type ReportDocument } from '../report/index.ts';
import type { RunEntry } from '../results/index.ts';
import { speedupKind, speedupReport } from './speedup/index.ts';
import { finetuneKind } from './finetune/index.ts';
import { driftKind, driftReport } from './drift/index.ts';
import { qloraKind, qloraReport } from './qlora/index.ts';
import { simulateKind, simReport } from './simulate/index.ts';
import { scaleKind, scaleReport } from './scale/index.ts';

export interface KindEntry {
  kind: ExperimentKind<unknown>;
  /** The kind's report section; undefined: the generic compare section. */
  report?: ReportSectionBuilder;
}

// A kind's config type is checked inside the kind (its schema parses the config), so the list erases it.
const entry = <C>(kind: ExperimentKind<C>, report?: ReportSectionBuilder): KindEntry => ({ kind: kind as ExperimentKind<unknown>, ...(report ? { report } : {}) });

export const KINDS: readonly KindEntry[] = [
  entry(speedupKind, ({ runs }) => speedupReport(runs)),
  entry(finetuneKind),
  entry(driftKind, ({ runs }) => driftReport(runs)),
  entry(qloraKind, ({ runs }) => qloraReport(runs)),
  entry(simulateKind, ({ runs }) => simReport(runs)),
  entry(scaleKind, ({ runs }) => scaleReport(runs)),
];

/** The shipped kinds (a caller with its own kinds, e.g. a test's toy kind, passes a list of its own). */
export function experimentKinds(): ExperimentKind<unknown>[] {
  return KINDS.map((e) => e.kind);
}

export function getExperimentKind(name: string, kinds: readonly ExperimentKind<unknown>[] = experimentKinds()): ExperimentKind<unknown> | undefined {
  return kinds.find((k) => k.kind === name);
}

/** kind → report section, for buildReport's `sections`. */
export function reportSections(): Record<string, ReportSectionBuilder> {
  return Object.fromEntries(KINDS.flatMap((e) => (e.report ? [[e.kind.kind, e.report]] : [])));
}

/** buildReport with the shipped kinds' sections (what `ledgerlab report` writes); `opts.sections` adds or replaces some. */
export function buildExperimentReport(runs: readonly RunEntry[], opts: BuildReportOptions = {}): Promise<ReportDocument> {
  return buildReport(runs, { ...opts, sections: { ...reportSections(), ...opts.sections } });
}
