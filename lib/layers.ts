/**
 * The layer table of lib/, written down once. A folder may import only folders of a LOWER layer — never a
 * sibling of its own layer, never upward — and only through their front door (lib/<folder>/index.ts).
 * test/house/imports.test.ts parses every import in lib/ and fails on a breach. See docs/architecture.md.
 *
 * Root files count as folders of their own: `errors` is lib/errors.ts, `paths` lib/paths.ts, `index`
 * lib/index.ts (the public entry). Nothing in lib/ imports lib/cli/ or lib/index.ts: both are the top.
 */
export const LAYERS: readonly (readonly string[])[] = [
  ['errors', 'paths', 'layers'], // 0 root files: the house error type, where files are, this table
  ['util', 'hub'], //                1 generic helpers: randomness, hashing, canonical JSON, atomic writes, JSON lines; the Hugging Face hub client
  ['config', 'measure'], //          2 typed schemas and overrides; timing and small-sample statistics
  ['runtime', 'data', 'quant', 'metrics', 'ledger'], // 3 tensor backend; datasets/tokenizers; packing; ROUGE/BLEU; the chain
  ['results', 'model', 'sim'], //    4 run records; the transformer; the incentive simulator engine
  ['peft', 'infer', 'report', 'notebook'], // 5 adapters; ONNX/generation; charts and reports; tslab runner
  ['train'], //                      6 the training loop, checkpoint/resume, pretraining
  ['experiments', 'bench'], //       7 experiment kinds (speedup, finetune, drift, qlora, simulate), runner, registry; micro-benchmarks
  ['estimate'], //                   8 plan a run: PEFT parameter counts, memory by part, step time from the cost model
  ['cluster', 'ui'], //              9 the run queue and workers; the local web workbench
  ['index'], //                     10 lib/index.ts: the public entry
  ['cli'], //                       11 `ledgerlab` commands: import the public entry only
];

/**
 * Documented sub-entries besides lib/index.ts (package.json `exports` has the same list): lighter doors for
 * callers that want only the chain or only the simulator engine (no tfjs). The CLI may import these too.
 */
export const SUB_ENTRIES: Readonly<Record<string, string>> = {
  './ledger': 'lib/ledger/index.ts',
  './sim': 'lib/sim/index.ts',
};

/** The layer number of a folder (or root-file name), undefined when the table does not list it. */
export function layerOf(folder: string): number | undefined {
  const i = LAYERS.findIndex((l) => l.includes(folder));
  return i < 0 ? undefined : i;
}
