/**
 * LedgerLab's public entry (package.json `exports` "."): everything notebooks and the CLI use comes from here.
 * Modules are grouped by concern (config, runtime, results, metrics, model, peft, quant, data, train,
 * ledger, sim, report, notebook, experiments); each folder's index.ts documents its job. The layer table
 * (which folder may import which) is lib/layers.ts; docs/architecture.md explains it.
 */
export * from './errors.ts';
export * from './config/index.ts';
export * from './util/index.ts';
export * from './measure/index.ts';
export * from './runtime/index.ts';
export * from './results/index.ts';
export * from './experiments/index.ts';
export * from './data/index.ts';
export * from './quant/index.ts';
export * from './model/index.ts';
export * from './peft/index.ts';
export * from './metrics/index.ts';
export { paths, packageRoot } from './paths.ts';
export * from './report/index.ts';
export * as sim from './sim/index.ts';
export * as ledger from './ledger/index.ts';
export * from './train/index.ts';
export * from './infer/index.ts';
export * from './bench/index.ts';
export * from './notebook/index.ts';
export * from './cluster/index.ts';
export * from './hub/index.ts';
export * from './ui/index.ts';
export * from './estimate/index.ts';
