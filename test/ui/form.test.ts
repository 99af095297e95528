// The launch form is generated from a kind's config schema: leaves with their types, bounds and defaults,
// objects as sections, tagged unions (the PEFT method) as a choice with each branch's fields.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { describeSchema, type FormField } from '../../lib/ui/index.ts';
import { FinetuneSchema } from '../../lib/experiments/index.ts';
import { s } from '../../lib/config/index.ts';

const child = (f: FormField, key: string) => (f as Extract<FormField, { type: 'object' }>).fields.find((x) => x.key === key)!;

test('finetune config: sections, bounds, defaults, enum choices and the method union', () => {
  const form = describeSchema(FinetuneSchema);
  assert.is(form.type, 'object');
  assert.equal((form as Extract<FormField, { type: 'object' }>).fields.map((f) => f.key), ['data', 'model', 'pretrain', 'method', 'quant', 'train', 'eval']);
  const steps = child(child(form, 'train'), 'steps');
  assert.equal(steps, { key: 'steps', description: 'integer ≥ 1', required: true, doc: 'optimizer updates to run', type: 'number', int: true, min: 1 } as never);
  // The section's own default fills its required fields (the page shows 100 here).
  assert.is((child(form, 'train').default as { steps: number }).steps, 100);
  const source = child(child(form, 'data'), 'source');
  assert.equal([source.type, (source as Extract<FormField, { type: 'enum' }>).values, source.default], ['enum', ['auto', 'advertisegen', 'synthetic', 'file'], 'auto']);
  const method = child(form, 'method') as Extract<FormField, { type: 'tagged' }>;
  assert.is(method.type, 'tagged');
  assert.is(method.tag, 'method');
  assert.equal(Object.keys(method.branches), ['full', 'lora', 'ptuning-v2', 'ptuning-v1', 'prompt-tuning']);
  assert.equal(method.branches.lora.find((f) => f.key === 'r')?.default, 8);
  const early = child(child(form, 'train'), 'earlyStop');
  assert.equal([early.type, early.required, early.default], ['object', false, undefined]);
  // The model section is a choice of two shapes (a built-in config, or {"from": "hf", "path"}): a JSON field
  // holding the built-in default.
  const model = child(form, 'model');
  assert.equal([model.type, (model.default as { arch: string }).arch], ['json', 'llama']);
  assert.is(child(child(form, 'eval'), 'count').type, 'number');
});

test('lists, maps and free values become JSON fields; required fields say so', () => {
  const f = describeSchema(s.object({ xs: s.array(s.int()), m: s.record(s.number()), any: s.unknown(), need: s.string() }));
  const o = f as Extract<FormField, { type: 'object' }>;
  assert.equal(o.fields.map((x) => [x.key, x.type, x.required]), [['xs', 'json', true], ['m', 'json', true], ['any', 'json', true], ['need', 'string', true]]);
});

test.run();
