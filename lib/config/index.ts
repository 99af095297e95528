/** config/: typed schemas, located validation errors, config files and `--set` overrides. */
export { s, suggest, formatPath, configError, alias } from './schema.ts';
export type { Schema, Infer, Issue, Path, AliasRule, AliasProblem, JsonSchema } from './schema.ts';
export { loadConfig, applyOverrides, setConfigKey, MAX_YAML_ALIASES, parseOverride, parseJsonText, parseYamlText, parseConfigText, isYamlPath, readTextFile, lineCol, jsonErrorOffset } from './load.ts';
// The safe key-path setter lives in util/ (the notebook layer uses it too); configs are its main users.
export { FORBIDDEN_KEYS, rejectForbiddenKeys, setKeyPath, assertSafeKey } from '../util/index.ts';
