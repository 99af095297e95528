/**
 * Typed config validation at the edge, in the spirit of zod but small and dependency-free (tslab's
 * TypeScript 5.0 must be able to read our .d.ts). Objects are strict: an unknown key is an error that
 * names its path. All problems are collected, not just the first.
 *
 * @example
 * const Train = s.object({ lr: s.number({ min: 0 }), steps: s.int({ min: 1 }).default(100) });
 * type Train = Infer<typeof Train>;                    // { lr: number; steps: number }
 * Train.parse({ lr: 1e-3 });                           // { lr: 0.001, steps: 100 }
 * Train.parse({ lr: 1e-3, stpes: 5 }, 'exp.json');     // throws: unknown key at "stpes" (did you mean "steps"?)
 */
import { LedgerLabError } from '../errors.ts';
import { FORBIDDEN_KEYS } from '../util/index.ts';

export type Path = ReadonlyArray<string | number>;
export interface Issue { path: Path; message: string }

/** A JSON Schema (draft 2020-12) fragment, as `ledgerlab schema KIND` prints it for editors. */
export type JsonSchema = Record<string, unknown>;

/**
 * Another tool's name for an option (PEFT's `lora_alpha`, LLaMA-Factory's `learning_rate`, …). The object
 * rewrites the `from` keys into its canonical keys before validating, so the validated config — and every run
 * record — holds only canonical names. `map` turns the alias values into canonical ones (module names into
 * target names, `quantization_bit` + `double_quantization` into a storage dtype); without it the single alias
 * value is taken as is. It may return an `AliasProblem` for a value it cannot translate.
 */
export interface AliasRule {
  from: readonly string[];
  /** Canonical keys the rule fills; giving one of them as well as an alias is an error. */
  to: readonly string[];
  map?: (aliases: Record<string, unknown>, given: Record<string, unknown>) => Record<string, unknown> | AliasProblem;
  /** Whose name it is ("PEFT", "LLaMA-Factory"), for messages and the JSON Schema. */
  source: string;
}
export interface AliasProblem { problem: string }

/** `from` is another tool's name for `to`, with the same values. */
export function alias(from: string, to: string, source: string): AliasRule {
  return { from: [from], to: [to], source, map: (a) => ({ [to]: a[from] }) };
}

export interface Schema<T> {
  /** Human-readable type, used in messages ("number ≥ 0", "one of lora | ptuning-v2"). */
  readonly description: string;
  /** Returns the parsed value, or undefined after pushing issues. */
  check(value: unknown, path: Path, issues: Issue[]): T | undefined;
  /** Validates and returns the typed value; throws a config LedgerLabError listing every issue. */
  parse(value: unknown, source?: string): T;
  optional(): Schema<T | undefined>;
  default(value: T): Schema<T>;
  describe(text: string): Schema<T>;
  /** Set for optional/defaulted schemas so objects accept a missing key. */
  readonly missingOk: boolean;
  /** Documentation of the field, shown by help commands. */
  readonly doc?: string;
  /** The JSON Schema of accepted values (with `default` and `description` where set). */
  jsonSchema(): JsonSchema;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

export function formatPath(path: Path): string {
  if (path.length === 0) return '(root)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

export function showValue(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object') return 'an object';
  if (typeof v === 'string') return `string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v} ${String(v)}`;
}

interface Extra<T> { missingOk?: boolean; doc?: string; fallback?: { value: T }; json?: () => JsonSchema }

function make<T>(
  description: string,
  check: (value: unknown, path: Path, issues: Issue[]) => T | undefined,
  extra: Extra<T> = {},
): Schema<T> {
  const schema: Schema<T> = {
    description,
    missingOk: extra.missingOk ?? false,
    doc: extra.doc,
    jsonSchema() {
      const js: JsonSchema = { ...(extra.json?.() ?? {}) };
      if (extra.doc) js.description = extra.doc;
      if (extra.fallback) js.default = extra.fallback.value;
      return js;
    },
    check(value, path, issues) {
      if (value === undefined && extra.fallback) return structuredClone(extra.fallback.value);
      if (value === undefined && extra.missingOk) return undefined as T;
      return check(value, path, issues);
    },
    parse(value, source) {
      const issues: Issue[] = [];
      const out = schema.check(value, [], issues);
      if (issues.length > 0) throw configError(issues, source);
      return out as T;
    },
    optional: () => make<T | undefined>(description, check, { ...extra, missingOk: true, fallback: undefined }),
    default: (v: T) => make<T>(description, check, { ...extra, missingOk: true, fallback: { value: v } }),
    describe: (text: string) => make<T>(description, check, { ...extra, doc: text }),
  };
  return schema;
}

export function configError(issues: Issue[], source?: string): LedgerLabError {
  const list = issues.map((i) => `  - ${formatPath(i.path)}: ${i.message}`).join('\n');
  const first = issues[0];
  return new LedgerLabError({
    kind: 'config',
    code: 'config.invalid',
    issues,
    problem: `${issues.length} invalid config value${issues.length > 1 ? 's' : ''}:\n${list}`,
    where: source ? `${source} at ${formatPath(first.path)}` : formatPath(first.path),
    hint: 'fix the values above; `--set key=value` overrides use the same dotted paths',
  });
}

interface NumberOpts { min?: number; max?: number; exclusiveMin?: number; int?: boolean }

function number(opts: NumberOpts = {}): Schema<number> {
  const parts = [opts.int ? 'integer' : 'number'];
  if (opts.min !== undefined) parts.push(`≥ ${opts.min}`);
  if (opts.exclusiveMin !== undefined) parts.push(`> ${opts.exclusiveMin}`);
  if (opts.max !== undefined) parts.push(`≤ ${opts.max}`);
  const description = parts.join(' ');
  const json = () => ({
    type: opts.int ? 'integer' : 'number',
    ...(opts.min !== undefined && { minimum: opts.min }),
    ...(opts.max !== undefined && { maximum: opts.max }),
    ...(opts.exclusiveMin !== undefined && { exclusiveMinimum: opts.exclusiveMin }),
  });
  return make(description, (v, path, issues) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      issues.push({ path, message: `expected ${description}, got ${showValue(v)}` });
      return undefined;
    }
    const bad =
      (opts.int && !Number.isInteger(v)) ||
      (opts.min !== undefined && v < opts.min) ||
      (opts.exclusiveMin !== undefined && v <= opts.exclusiveMin) ||
      (opts.max !== undefined && v > opts.max);
    if (bad) {
      issues.push({ path, message: `expected ${description}, got ${v}` });
      return undefined;
    }
    return v;
  }, { json });
}

function string(opts: { nonEmpty?: boolean; pattern?: RegExp } = {}): Schema<string> {
  const description = opts.pattern ? `string matching ${opts.pattern}` : opts.nonEmpty ? 'non-empty string' : 'string';
  return make(description, (v, path, issues) => {
    if (typeof v !== 'string' || (opts.nonEmpty && v.length === 0) || (opts.pattern && !opts.pattern.test(v))) {
      issues.push({ path, message: `expected ${description}, got ${showValue(v)}` });
      return undefined;
    }
    return v;
  }, { json: () => ({ type: 'string', ...(opts.nonEmpty && { minLength: 1 }), ...(opts.pattern && { pattern: opts.pattern.source }) }) });
}

function boolean(): Schema<boolean> {
  return make('boolean', (v, path, issues) => {
    if (typeof v !== 'boolean') {
      issues.push({ path, message: `expected boolean, got ${showValue(v)}` });
      return undefined;
    }
    return v;
  }, { json: () => ({ type: 'boolean' }) });
}

function enumOf<const T extends string | number>(values: readonly T[]): Schema<T> {
  const description = `one of ${values.join(' | ')}`;
  return make(description, (v, path, issues) => {
    if (!values.includes(v as T)) {
      const near = typeof v === 'string' ? suggest(v, values.map(String)) : undefined;
      issues.push({ path, message: `expected ${description}, got ${showValue(v)}${near ? ` (did you mean "${near}"?)` : ''}` });
      return undefined;
    }
    return v as T;
  }, { json: () => ({ enum: [...values] }) });
}

function array<T>(item: Schema<T>, opts: { min?: number; max?: number } = {}): Schema<T[]> {
  const description = `array of ${item.description}`;
  return make(description, (v, path, issues) => {
    if (!Array.isArray(v)) {
      issues.push({ path, message: `expected ${description}, got ${showValue(v)}` });
      return undefined;
    }
    if (opts.min !== undefined && v.length < opts.min) issues.push({ path, message: `expected at least ${opts.min} items, got ${v.length}` });
    if (opts.max !== undefined && v.length > opts.max) issues.push({ path, message: `expected at most ${opts.max} items, got ${v.length}` });
    return v.map((x, i) => item.check(x, [...path, i], issues) as T);
  }, { json: () => ({ type: 'array', items: item.jsonSchema(), ...(opts.min !== undefined && { minItems: opts.min }), ...(opts.max !== undefined && { maxItems: opts.max }) }) });
}

type Shape = Record<string, Schema<unknown>>;
export type ObjectOf<S extends Shape> = {
  [K in keyof S as S[K] extends Schema<infer T> ? (undefined extends T ? never : K) : never]: Infer<S[K]>;
} & {
  [K in keyof S as S[K] extends Schema<infer T> ? (undefined extends T ? K : never) : never]?: Infer<S[K]>;
};

/**
 * A strict object: unknown keys are errors (with a did-you-mean). `aliases` are other tools' names for its keys,
 * rewritten to the canonical keys before validation; errors about a value name the key as the user wrote it.
 */
function object<S extends Shape>(shape: S, opts: { aliases?: readonly AliasRule[] } = {}): Schema<ObjectOf<S>> & { shape: S; aliases: readonly AliasRule[] } {
  const keys = Object.keys(shape);
  const aliases = opts.aliases ?? [];
  const aliasKeys = aliases.flatMap((a) => a.from);
  const schema = make<ObjectOf<S>>('object', (v, path, issues) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      issues.push({ path, message: `expected an object, got ${showValue(v)}` });
      return undefined;
    }
    const input: Record<string, unknown> = { ...(v as Record<string, unknown>) };
    const writtenAs: Record<string, string> = {};
    for (const rule of aliases) {
      const present = rule.from.filter((k) => input[k] !== undefined);
      if (present.length === 0) continue;
      const clash = rule.to.find((k) => input[k] !== undefined && !rule.from.includes(k));
      const given = Object.fromEntries(present.map((k) => [k, input[k]]));
      for (const k of present) delete input[k];
      if (clash) {
        issues.push({ path: [...path, present[0]], message: `"${present[0]}" (${rule.source}'s name) and "${clash}" set the same option; give one of them` });
        continue;
      }
      const mapped = rule.map ? rule.map(given, input) : { [rule.to[0]]: given[present[0]] };
      if ('problem' in mapped && typeof mapped.problem === 'string' && Object.keys(mapped).length === 1) {
        issues.push({ path: [...path, present[0]], message: mapped.problem as string });
        continue;
      }
      for (const [k, x] of Object.entries(mapped)) {
        input[k] = x;
        writtenAs[k] = present[0];
      }
    }
    for (const key of Object.keys(input)) {
      if (!(key in shape)) {
        const near = suggest(key, [...keys, ...aliasKeys]);
        issues.push({
          path: [...path, key],
          message: `unknown key${near ? ` (did you mean "${near}"?)` : ''}; known keys: ${keys.join(', ')}`,
        });
      }
    }
    const out: Record<string, unknown> = {};
    for (const key of keys) {
      const field = shape[key];
      const value = input[key];
      const at = [...path, writtenAs[key] ?? key];
      if (value === undefined && !field.missingOk) {
        issues.push({ path: at, message: `required ${field.description} is missing` });
        continue;
      }
      const parsed = field.check(value, at, issues);
      if (parsed !== undefined) out[key] = parsed;
    }
    return out as ObjectOf<S>;
  }, {
    json: () => {
      const properties: Record<string, JsonSchema> = Object.fromEntries(keys.map((k) => [k, shape[k].jsonSchema()]));
      for (const rule of aliases) {
        for (const k of rule.from) properties[k] = { description: `${rule.source}'s name for ${rule.to.join(' + ')}; stored as ${rule.to.join(' + ')}` };
      }
      // A required key may be given under one of its aliases instead: then one of the names is required.
      const required: string[] = [];
      const either: JsonSchema[] = [];
      for (const k of keys.filter((key) => !shape[key].missingOk)) {
        const names = aliases.filter((a) => a.to.includes(k)).flatMap((a) => a.from);
        if (names.length) either.push({ anyOf: [k, ...names].map((n) => ({ required: [n] })) });
        else required.push(k);
      }
      return { type: 'object', properties, ...(required.length && { required }), ...(either.length && { allOf: either }), additionalProperties: false };
    },
  });
  return Object.assign(schema, { shape, aliases });
}

/** A map with free-form keys and typed values. */
function record<T>(value: Schema<T>): Schema<Record<string, T>> {
  return make(`map of ${value.description}`, (v, path, issues) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      issues.push({ path, message: `expected an object, got ${showValue(v)}` });
      return undefined;
    }
    const out: Record<string, T> = {};
    for (const [k, x] of Object.entries(v)) {
      // `out["__proto__"] = x` would replace out's prototype: such keys are never config values.
      if (FORBIDDEN_KEYS.has(k)) issues.push({ path: [...path, k], message: `forbidden key "${k}" (it would reach a JavaScript prototype)` });
      else out[k] = value.check(x, [...path, k], issues) as T;
    }
    return out;
  }, { json: () => ({ type: 'object', additionalProperties: value.jsonSchema() }) });
}

/**
 * Tagged union: picks the branch by the value of `tag` (e.g. "method"), so errors stay precise. `tagAliases`
 * are other tools' keys for the tag with their own values (PEFT's `peft_type: LORA` for `method: lora`).
 */
function tagged<K extends string, B extends Record<string, Schema<object>>>(
  tag: K,
  branches: B,
  opts: { tagAliases?: readonly { key: string; values: Record<string, keyof B & string>; source: string }[] } = {},
): Schema<{ [N in keyof B]: Infer<B[N]> & { [P in K]: N } }[keyof B]> {
  type Out = { [N in keyof B]: Infer<B[N]> & { [P in K]: N } }[keyof B];
  const names = Object.keys(branches);
  return make<Out>(`object with ${tag} = ${names.join(' | ')}`, (value, path, issues) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      issues.push({ path, message: `expected an object, got ${showValue(value)}` });
      return undefined;
    }
    let v = value as Record<string, unknown>;
    for (const a of opts.tagAliases ?? []) {
      if (v[a.key] === undefined) continue;
      const { [a.key]: given, ...others } = v;
      if (others[tag] !== undefined) {
        issues.push({ path: [...path, a.key], message: `"${a.key}" (${a.source}'s name) and "${tag}" set the same option; give one of them` });
        return undefined;
      }
      const mapped = typeof given === 'string' ? a.values[given] : undefined;
      if (!mapped) {
        issues.push({ path: [...path, a.key], message: `expected one of ${Object.keys(a.values).join(' | ')}, got ${showValue(given)}` });
        return undefined;
      }
      v = { ...others, [tag]: mapped };
    }
    const t = v[tag];
    if (typeof t !== 'string' || !(t in branches)) {
      const near = typeof t === 'string' ? suggest(t, names) : undefined;
      issues.push({ path: [...path, tag], message: `expected one of ${names.join(' | ')}, got ${showValue(t)}${near ? ` (did you mean "${near}"?)` : ''}` });
      return undefined;
    }
    const { [tag]: _t, ...rest } = v;
    const out = branches[t].check(rest, path, issues);
    return out === undefined ? undefined : ({ ...out, [tag]: t } as never);
  }, {
    json: () => ({
      oneOf: names.map((n) => {
        const b = branches[n].jsonSchema() as { properties?: Record<string, JsonSchema>; required?: string[] };
        const aliasProps = Object.fromEntries((opts.tagAliases ?? []).map((a) => [a.key, Object.keys(a.values).filter((k) => a.values[k] === n)] as const)
          .filter(([, values]) => values.length > 0).map(([key, values]) => [key, { enum: values, description: `another tool's name for ${tag}` }]));
        const tagKeys = [tag, ...Object.keys(aliasProps)];
        return {
          ...b, properties: { [tag]: { const: n }, ...aliasProps, ...(b.properties ?? {}) },
          ...(tagKeys.length > 1 ? { anyOf: tagKeys.map((k) => ({ required: [k] })), required: b.required } : { required: [tag, ...(b.required ?? [])] }),
        };
      }),
    }),
  });
}

function literal<const T extends string | number | boolean>(value: T): Schema<T> {
  return make(JSON.stringify(value), (v, path, issues) => {
    if (v !== value) {
      issues.push({ path, message: `expected ${JSON.stringify(value)}, got ${showValue(v)}` });
      return undefined;
    }
    return value;
  }, { json: () => ({ const: value }) });
}

/** A schema chosen by the value itself (e.g. an object with a "from" key vs a plain config). */
function select<T>(description: string, choose: (v: unknown) => Schema<T>, branches: Schema<T>[]): Schema<T> {
  return make<T>(description, (v, path, issues) => choose(v).check(v, path, issues), { json: () => ({ anyOf: branches.map((b) => b.jsonSchema()) }) });
}

function unknownValue(): Schema<unknown> {
  return make('any value', (v) => v, { json: () => ({}) });
}

export const s = {
  number,
  int: (opts: Omit<NumberOpts, 'int'> = {}) => number({ ...opts, int: true }),
  string,
  boolean,
  enum: enumOf,
  array,
  object,
  record,
  tagged,
  literal,
  unknown: unknownValue,
  select,
};

/** Closest candidate by edit distance, if close enough to be a likely typo. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    // The distance is at least the length difference: a candidate too far off in length can never be a
    // likely typo, and skipping it keeps a huge input (a 2 MB "kind") from an O(n·m) table.
    if (Math.abs(word.length - c.length) > Math.max(1, Math.floor(c.length / 3))) continue;
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(1, Math.floor(best.length / 3)) ? best : undefined;
}

/** Optimal-string-alignment distance: edits plus adjacent transpositions ("lroa" → "lora" is 1). */
function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
