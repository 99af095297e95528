/** experiments/drift/: ROUGE over continual adaptation cycles on drifting data, change detection, report. */
export { driftKind, runDrift, prepareDrift, cycleTrainSet, cycleLines, predictionsPath, DRIFT_CHECKPOINT, DRIFT_CHECKPOINT_FORMAT } from './kind.ts';
export type { DriftItem, CycleLine, MethodSummary, DriftSetup } from './kind.ts';
export { DriftSchema, DriftMethodSchema, DetectSchema, DEFAULT_METHODS, DRIFT_MODEL } from './config.ts';
export type { DriftConfig, DriftMethod, DetectConfig } from './config.ts';
export { ScenarioSchema, SCENARIO_NAMES, scenarioWindow, heldOutSet, severityAt, generatorOptions } from './scenarios.ts';
export type { Scenario, ScenarioName } from './scenarios.ts';
export { cusumDetect, bootstrapDetect, baselineStats } from './detect.ts';
export type { CyclePoint, CusumOptions, BootstrapDetectOptions, ChangeDetection } from './detect.ts';
export { hallucinatedValues, mentionedValues, lexiconValues, charLength } from './measures.ts';
export { aggregateDrift, verdictOf as driftVerdict } from './aggregate.ts';
export type { DriftAggregate, DriftCurve, CurvePoint, RegressionExample, AggregateDriftOptions } from './aggregate.ts';
export { driftReport, driftSections, driftCharts, markCycles, DRIFT_LIMITS } from './report.ts';
export type { DriftCharts } from './report.ts';
