import type { Command } from '../command.ts';
import { experimentJsonSchema, experimentKinds, getExperimentKind, suggest, writeFileAtomic, LedgerLabError } from '../../index.ts';

export const schemaCommand: Command = {
  name: 'schema',
  summary: "print the JSON Schema of a kind's experiment file (for editors: completion and checking)",
  usage: 'ledgerlab schema KIND [--config-only] [--out FILE]',
  help: [
    'The envelope (kind, name, seeds, sweep) with `config` the kind\'s schema: types, bounds, defaults, descriptions,',
    'and the PEFT / LLaMA-Factory / Hugging Face option names accepted as aliases. Point an editor at it with',
    '"$schema": "<path to the file>" in the experiment file, or the editor\'s JSON/YAML schema settings.',
    '--config-only prints the schema of the `config` object alone.',
  ].join('\n'),
  options: { 'config-only': { type: 'boolean' }, out: { type: 'string' } },
  positionals: [1, 1],
  async run(args) {
    const name = args.positionals[0]!;
    const kind = getExperimentKind(name);
    if (!kind) {
      const names = experimentKinds().map((k) => k.kind);
      const near = suggest(name, names);
      throw new LedgerLabError({ kind: 'usage', problem: `unknown experiment kind "${name}"${near ? ` (did you mean "${near}"?)` : ''}`, where: 'ledgerlab schema KIND', hint: `known kinds: ${names.join(', ')}` });
    }
    const schema = args.values['config-only'] ? { $schema: 'https://json-schema.org/draft/2020-12/schema', ...kind.configSchema.jsonSchema() } : experimentJsonSchema(kind);
    const text = JSON.stringify(schema, null, 2) + '\n';
    if (args.values.out) {
      writeFileAtomic(args.values.out as string, text);
      console.log(`wrote ${args.values.out}`);
    } else process.stdout.write(text);
  },
};
