/** experiments/: experiment files, sweeps, the runner, and the registry of experiment kinds. */
export { registerExperimentKind, experimentKinds, getExperimentKind } from './kind.ts';
export type { ExperimentKind, ExperimentContext } from './kind.ts';
export { planExperiment, gridPoints, ExperimentFileSchema } from './spec.ts';
export type { ExperimentFile, ExperimentPlan, PlannedRun } from './spec.ts';
export { runExperiment, resumeExperimentRun } from './runner.ts';
export type { RunOutcome, ExperimentOutcome, RunExperimentOptions } from './runner.ts';
