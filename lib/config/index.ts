/** config/: typed schemas, located validation errors, config files and `--set` overrides. */
export { s, suggest, formatPath, configError } from './schema.ts';
export type { Schema, Infer, Issue, Path } from './schema.ts';
export { loadConfig, applyOverrides, parseJsonText, readTextFile, lineCol, jsonErrorOffset } from './load.ts';
