/** config/: typed schemas, located validation errors, config files and `--set` overrides. */
export { s, suggest, formatPath, configError, alias } from './schema.ts';
export type { Schema, Infer, Issue, Path, AliasRule, AliasProblem, JsonSchema } from './schema.ts';
export { loadConfig, applyOverrides, parseOverride, parseJsonText, parseYamlText, parseConfigText, isYamlPath, readTextFile, lineCol, jsonErrorOffset } from './load.ts';
