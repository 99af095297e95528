/**
 * LedgerLab's public entry (package.json `exports` "."): everything notebooks and the CLI use comes from here.
 * Modules are grouped by concern; each folder's index.ts documents its job. The layer table (which folder may
 * import which) is lib/layers.ts; docs/architecture.md explains it.
 *
 * One namespace per folder: `import { peft, metrics } from 'ledgerlab'`, then `peft.applyLora(…)`,
 * `metrics.scoreChinese(…)`. estimate/ is `estimation` (its main function keeps the name `estimate`), and `sim`
 * and `ledger` exist only as namespaces. The names of the other folders are also exported flat, as they always
 * were (`import { runExperiment, showChart } from 'ledgerlab'`), so existing notebooks, scripts and tests keep
 * working. (The flat block comes first, in its old order, so modules load in the same order as before.)
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

// The namespaces, one per folder (sim and ledger above), lowest layer first.
export * as util from './util/index.ts';
export * as hub from './hub/index.ts';
export * as config from './config/index.ts';
export * as measure from './measure/index.ts';
export * as runtime from './runtime/index.ts';
export * as data from './data/index.ts';
export * as quant from './quant/index.ts';
export * as metrics from './metrics/index.ts';
export * as results from './results/index.ts';
export * as model from './model/index.ts';
export * as peft from './peft/index.ts';
export * as infer from './infer/index.ts';
export * as report from './report/index.ts';
export * as notebook from './notebook/index.ts';
export * as train from './train/index.ts';
export * as experiments from './experiments/index.ts';
export * as bench from './bench/index.ts';
export * as estimation from './estimate/index.ts';
export * as cluster from './cluster/index.ts';
export * as ui from './ui/index.ts';
