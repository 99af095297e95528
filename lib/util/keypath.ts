/**
 * The one way LedgerLab sets a nested key that came from outside (a `--set` override, a sweep key, a notebook
 * `-p`, a queue payload, a parsed experiment file). A key path such as `__proto__.NODE_OPTIONS` written with
 * plain `obj[k] = v` reaches Object.prototype and changes every object in the process — including the option
 * and environment objects child processes are started with. So the key names that lead to a prototype are
 * refused with a located error, only own properties are followed, and values are defined (never assigned), so
 * no setter on a prototype can run. Objects created along the path are plain `{}`: configs are compared,
 * cloned and printed as ordinary objects.
 */
import { LedgerLabError, type ErrorKind } from '../errors.ts';

/** Keys that reach a prototype instead of naming a value. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export interface KeyPlace {
  /** Where the key came from, for the error ("--set", "exp.json at sweep", "-p"). */
  where: string;
  /** Error kind (default "config"; "usage" for command-line flags). */
  kind?: ErrorKind;
}

function forbiddenKey(key: string, path: readonly (string | number)[], place: KeyPlace): LedgerLabError {
  return new LedgerLabError({
    kind: place.kind ?? 'config',
    code: `${place.kind ?? 'config'}.forbidden_key`,
    problem: `the key "${key}" is not allowed (it would reach a JavaScript prototype, not a config value)`,
    where: place.where,
    issues: [{ path, message: `forbidden key "${key}"` }],
    hint: `config keys never need ${[...FORBIDDEN_KEYS].join(', ')}; remove or rename it`,
  });
}

/** Throws a located error when `key` is one of FORBIDDEN_KEYS. */
export function assertSafeKey(key: string, path: readonly (string | number)[], place: KeyPlace): void {
  if (FORBIDDEN_KEYS.has(key)) throw forbiddenKey(key, path, place);
}

const isContainer = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null;

/**
 * Sets `path` in `obj` to `value` and returns the (possibly new) root. Missing objects along the path are
 * created; an existing array takes a numeric segment as an index. Every segment is checked
 * before anything is written, so a refused path leaves `obj` unchanged.
 */
export function setKeyPath(obj: unknown, path: readonly string[], value: unknown, place: KeyPlace): unknown {
  path.forEach((k, i) => assertSafeKey(k, path.slice(0, i + 1), place));
  return setChecked(obj, path, value);
}

function setChecked(obj: unknown, path: readonly string[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  const container: Record<string, unknown> = isContainer(obj) ? obj : {};
  const key: string | number = Array.isArray(container) && /^\d+$/.test(head) ? Number(head) : head;
  const current = Object.hasOwn(container, key) ? container[key] : undefined;
  // defineProperty, not assignment: even a key that slipped past the check could not invoke a setter.
  Object.defineProperty(container, key, { value: setChecked(current, rest, value), writable: true, enumerable: true, configurable: true });
  return container;
}

/**
 * Walks a parsed document (JSON, YAML, a queue payload) and throws a located error at the first key that would
 * reach a prototype. JSON.parse keeps `"__proto__"` as an own key, but any later `out[k] = v` copy of it
 * (a schema's record, a spread into a new object) replaces that object's prototype.
 */
export function rejectForbiddenKeys(value: unknown, place: KeyPlace, path: (string | number)[] = []): void {
  if (!isContainer(value)) return;
  if (Array.isArray(value)) {
    value.forEach((x, i) => rejectForbiddenKeys(x, place, [...path, i]));
    return;
  }
  for (const key of Object.keys(value)) {
    if (key === '__proto__') throw forbiddenKey(key, [...path, key], { ...place, where: `${place.where} at ${[...path, key].join('.')}` });
    rejectForbiddenKeys(value[key], place, [...path, key]);
  }
}
