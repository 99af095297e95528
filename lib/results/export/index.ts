/** Results for other tools: MLflow's file store, and CSV/Parquet tables for pandas. */
export { exportMlflow, mlflowExperimentId, mlflowRunId, mlflowKey, MLFLOW_STATUS, MAX_PARAM_LENGTH } from './mlflow.ts';
export type { MlflowExport } from './mlflow.ts';
export { exportTables, runsTable, metricsTable, tableCsv, tableParquet } from './table.ts';
export type { Table, TableFormat } from './table.ts';
