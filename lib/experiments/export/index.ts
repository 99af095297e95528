/** export/: a finished run's model out of LedgerLab — PEFT adapter files, merged weights, or ONNX. */
export { exportRun, openRunModel, EXPORT_FORMATS } from './run-export.ts';
export type { ExportFormat, RunModel } from './run-export.ts';
