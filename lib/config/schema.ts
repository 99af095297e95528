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

export type Path = ReadonlyArray<string | number>;
export interface Issue { path: Path; message: string }

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

function make<T>(
  description: string,
  check: (value: unknown, path: Path, issues: Issue[]) => T | undefined,
  extra: { missingOk?: boolean; doc?: string; fallback?: { value: T } } = {},
): Schema<T> {
  const schema: Schema<T> = {
    description,
    missingOk: extra.missingOk ?? false,
    doc: extra.doc,
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
  });
}

function string(opts: { nonEmpty?: boolean; pattern?: RegExp } = {}): Schema<string> {
  const description = opts.pattern ? `string matching ${opts.pattern}` : opts.nonEmpty ? 'non-empty string' : 'string';
  return make(description, (v, path, issues) => {
    if (typeof v !== 'string' || (opts.nonEmpty && v.length === 0) || (opts.pattern && !opts.pattern.test(v))) {
      issues.push({ path, message: `expected ${description}, got ${showValue(v)}` });
      return undefined;
    }
    return v;
  });
}

function boolean(): Schema<boolean> {
  return make('boolean', (v, path, issues) => {
    if (typeof v !== 'boolean') {
      issues.push({ path, message: `expected boolean, got ${showValue(v)}` });
      return undefined;
    }
    return v;
  });
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
  });
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
  });
}

type Shape = Record<string, Schema<unknown>>;
export type ObjectOf<S extends Shape> = {
  [K in keyof S as S[K] extends Schema<infer T> ? (undefined extends T ? never : K) : never]: Infer<S[K]>;
} & {
  [K in keyof S as S[K] extends Schema<infer T> ? (undefined extends T ? K : never) : never]?: Infer<S[K]>;
};

/** A strict object: unknown keys are errors (with a did-you-mean). */
function object<S extends Shape>(shape: S): Schema<ObjectOf<S>> & { shape: S } {
  const keys = Object.keys(shape);
  const schema = make<ObjectOf<S>>('object', (v, path, issues) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      issues.push({ path, message: `expected an object, got ${showValue(v)}` });
      return undefined;
    }
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(v)) {
      if (!(key in shape)) {
        const near = suggest(key, keys);
        issues.push({
          path: [...path, key],
          message: `unknown key${near ? ` (did you mean "${near}"?)` : ''}; known keys: ${keys.join(', ')}`,
        });
      }
    }
    for (const key of keys) {
      const field = shape[key];
      const value = (v as Record<string, unknown>)[key];
      if (value === undefined && !field.missingOk) {
        issues.push({ path: [...path, key], message: `required ${field.description} is missing` });
        continue;
      }
      const parsed = field.check(value, [...path, key], issues);
      if (parsed !== undefined) out[key] = parsed;
    }
    return out as ObjectOf<S>;
  });
  return Object.assign(schema, { shape });
}

/** A map with free-form keys and typed values. */
function record<T>(value: Schema<T>): Schema<Record<string, T>> {
  return make(`map of ${value.description}`, (v, path, issues) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      issues.push({ path, message: `expected an object, got ${showValue(v)}` });
      return undefined;
    }
    const out: Record<string, T> = {};
    for (const [k, x] of Object.entries(v)) out[k] = value.check(x, [...path, k], issues) as T;
    return out;
  });
}

/** Tagged union: picks the branch by the value of `tag` (e.g. "method"), so errors stay precise. */
function tagged<K extends string, B extends Record<string, Schema<object>>>(
  tag: K,
  branches: B,
): Schema<{ [N in keyof B]: Infer<B[N]> & { [P in K]: N } }[keyof B]> {
  type Out = { [N in keyof B]: Infer<B[N]> & { [P in K]: N } }[keyof B];
  const names = Object.keys(branches);
  return make<Out>(`object with ${tag} = ${names.join(' | ')}`, (v, path, issues) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      issues.push({ path, message: `expected an object, got ${showValue(v)}` });
      return undefined;
    }
    const t = (v as Record<string, unknown>)[tag];
    if (typeof t !== 'string' || !(t in branches)) {
      const near = typeof t === 'string' ? suggest(t, names) : undefined;
      issues.push({ path: [...path, tag], message: `expected one of ${names.join(' | ')}, got ${showValue(t)}${near ? ` (did you mean "${near}"?)` : ''}` });
      return undefined;
    }
    const { [tag]: _t, ...rest } = v as Record<string, unknown>;
    const out = branches[t].check(rest, path, issues);
    return out === undefined ? undefined : ({ ...out, [tag]: t } as never);
  });
}

function literal<const T extends string | number | boolean>(value: T): Schema<T> {
  return make(JSON.stringify(value), (v, path, issues) => {
    if (v !== value) {
      issues.push({ path, message: `expected ${JSON.stringify(value)}, got ${showValue(v)}` });
      return undefined;
    }
    return value;
  });
}

function unknownValue(): Schema<unknown> {
  return make('any value', (v) => v);
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
};

/** Closest candidate by edit distance, if close enough to be a likely typo. */
export function suggest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
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
