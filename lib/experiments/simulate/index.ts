/**
 * experiments/simulate/: the simulator (lib/sim/) as an experiment kind — simulation files, recording a sweep as
 * a run folder, the terminal table, and the report section. The engine itself stays in lib/sim/.
 */
export { simulateKind } from './kind.ts';
export { readSimSpec, loadSimFile, recordSweep, formatSweepTable, rowSummary } from './sweep-file.ts';
export type { SimFile } from './sweep-file.ts';
export { simReport, sweepSections, simCharts, readSimSweeps, capturedShareHeatmap, budgetChart, simBudgetCurves, shareLabel, theoryChecks, theorySection, SIM_QUESTION, SIM_LIMITS } from './report.ts';
export type { SimSweep, SimReportOptions, BudgetOptions, TheoryChecks, WashCheck, SybilCheck, DuplicateCheck } from './report.ts';
export { adaptiveSections, readAdaptiveRuns, populationChart } from './adaptive-report.ts';
export type { AdaptiveRun } from './adaptive-report.ts';
export { runAdaptive, writeAdaptiveArtifacts } from './adaptive.ts';
export type { AdaptiveResult } from './adaptive.ts';
export { trainAndGenerate } from './spans-model.ts';
