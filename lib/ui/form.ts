/**
 * A kind's config schema as a form description the launch page renders: one field per leaf (number, string,
 * boolean, choice), fieldsets for objects, a tag choice plus branch fields for tagged unions, and a JSON box
 * for lists, maps and free values. Defaults come from the schema's own `.default(...)` values.
 */
import type { Schema } from '../config/index.ts';

export type FormField =
  | { type: 'number'; key: string; int: boolean; min?: number; max?: number; exclusiveMin?: number; default?: unknown; doc?: string; description: string; required: boolean }
  | { type: 'string'; key: string; default?: unknown; doc?: string; description: string; required: boolean }
  | { type: 'boolean'; key: string; default?: unknown; doc?: string; description: string; required: boolean }
  | { type: 'enum'; key: string; values: readonly (string | number)[]; default?: unknown; doc?: string; description: string; required: boolean }
  | { type: 'json'; key: string; default?: unknown; doc?: string; description: string; required: boolean }
  | { type: 'object'; key: string; fields: FormField[]; doc?: string; description: string; required: boolean; default?: unknown }
  | { type: 'tagged'; key: string; tag: string; branches: Record<string, FormField[]>; default?: unknown; doc?: string; description: string; required: boolean };

/** The form of a schema; `key` is the field's name inside its parent (paths are built by the page). */
export function describeSchema(schema: Schema<unknown>, key = ''): FormField {
  const common = {
    key, description: schema.description, required: !schema.missingOk,
    ...(schema.doc ? { doc: schema.doc } : {}),
    ...(schema.defaultValue ? { default: schema.defaultValue.value } : {}),
  };
  const info = schema.info;
  switch (info?.type) {
    case 'number': return { ...common, type: 'number', int: info.int, ...(info.min !== undefined ? { min: info.min } : {}), ...(info.max !== undefined ? { max: info.max } : {}), ...(info.exclusiveMin !== undefined ? { exclusiveMin: info.exclusiveMin } : {}) };
    case 'string': return { ...common, type: 'string' };
    case 'boolean': return { ...common, type: 'boolean' };
    case 'enum': return { ...common, type: 'enum', values: info.values };
    case 'object': return { ...common, type: 'object', fields: Object.entries(info.shape).map(([k, s]) => describeSchema(s, k)) };
    case 'tagged': return {
      ...common, type: 'tagged', tag: info.tag,
      branches: Object.fromEntries(Object.entries(info.branches).map(([name, b]) => {
        const f = describeSchema(b, name);
        return [name, f.type === 'object' ? f.fields : []];
      })),
    };
    default: return { ...common, type: 'json' };
  }
}
