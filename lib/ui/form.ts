/**
 * A kind's config schema as a form description the launch page renders, read from the schema's JSON Schema
 * (`schema.jsonSchema()`, the one `ledgerlab schema KIND` prints): one field per leaf (number, string, boolean,
 * choice), fieldsets for objects, a tag choice plus branch fields for tagged unions (`oneOf` whose branches
 * fix a `const` tag), and a JSON box for lists, maps and free values. Other tools' alias keys (PEFT's
 * `lora_alpha`, …) are left out: the form writes canonical names only.
 */
import type { JsonSchema, Schema } from '../config/index.ts';

interface Common { key: string; description: string; required: boolean; default?: unknown; doc?: string }
export type FormField =
  | (Common & { type: 'number'; int: boolean; min?: number; max?: number; exclusiveMin?: number })
  | (Common & { type: 'string' })
  | (Common & { type: 'boolean' })
  | (Common & { type: 'enum'; values: readonly (string | number)[] })
  | (Common & { type: 'json' })
  | (Common & { type: 'object'; fields: FormField[] })
  | (Common & { type: 'tagged'; tag: string; branches: Record<string, FormField[]> });

type J = JsonSchema & {
  type?: string; properties?: Record<string, J>; required?: string[]; allOf?: { anyOf?: { required?: string[] }[] }[];
  oneOf?: J[]; enum?: (string | number)[]; const?: unknown; minimum?: number; maximum?: number; exclusiveMinimum?: number;
  additionalProperties?: unknown; description?: string; default?: unknown; pattern?: string;
};

const isAlias = (j: J) => typeof j.description === 'string' && /^another tool's name for |'s name for .*; stored as /.test(j.description);

/** "integer ≥ 1", "one of a | b", "number > 0 ≤ 1": the short type text shown beside a field. */
function typeText(j: J): string {
  if (j.enum) return `one of ${j.enum.join(' | ')}`;
  if (j.type === 'integer' || j.type === 'number') {
    return [j.type, j.minimum !== undefined ? `≥ ${j.minimum}` : '', j.exclusiveMinimum !== undefined ? `> ${j.exclusiveMinimum}` : '', j.maximum !== undefined ? `≤ ${j.maximum}` : ''].filter(Boolean).join(' ');
  }
  if (j.type === 'array') return 'list (JSON)';
  if (j.type === 'object' && !j.properties) return 'map (JSON)';
  if (j.oneOf) return 'choice';
  return j.type ?? 'any value (JSON)';
}

function field(j: J, key: string, required: boolean): FormField {
  const common: Common = {
    key, description: typeText(j), required,
    ...(j.default !== undefined ? { default: j.default } : {}),
    ...(typeof j.description === 'string' ? { doc: j.description } : {}),
  };
  if (j.oneOf && j.oneOf.every((b) => b.properties)) {
    const tag = Object.keys(j.oneOf[0].properties!).find((k) => j.oneOf!.every((b) => b.properties![k]?.const !== undefined));
    if (tag) {
      return {
        ...common, type: 'tagged', tag,
        branches: Object.fromEntries(j.oneOf.map((b) => [String(b.properties![tag].const), fields({ ...b, properties: Object.fromEntries(Object.entries(b.properties!).filter(([k]) => k !== tag)) })])),
      };
    }
  }
  if (j.enum) return { ...common, type: 'enum', values: j.enum };
  if (j.type === 'integer' || j.type === 'number') {
    return { ...common, type: 'number', int: j.type === 'integer', ...(j.minimum !== undefined ? { min: j.minimum } : {}), ...(j.maximum !== undefined ? { max: j.maximum } : {}), ...(j.exclusiveMinimum !== undefined ? { exclusiveMin: j.exclusiveMinimum } : {}) };
  }
  if (j.type === 'string') return { ...common, type: 'string' };
  if (j.type === 'boolean') return { ...common, type: 'boolean' };
  if (j.type === 'object' && j.properties) return { ...common, type: 'object', fields: fields(j) };
  return { ...common, type: 'json' };
}

/** The canonical (non-alias) properties of an object schema, each with whether it is required. */
function fields(j: J): FormField[] {
  const required = new Set([...(j.required ?? []), ...(j.allOf ?? []).flatMap((a) => (a.anyOf ?? []).flatMap((x) => x.required ?? []))]);
  return Object.entries(j.properties ?? {}).filter(([, p]) => !isAlias(p)).map(([k, p]) => field(p, k, required.has(k)));
}

/** The form of a schema; `key` is the field's name inside its parent (paths are built by the page). */
export function describeSchema(schema: Schema<unknown>, key = ''): FormField {
  return field(schema.jsonSchema() as J, key, !schema.missingOk);
}
