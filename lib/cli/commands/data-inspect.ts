import type { Command } from '../command.ts';
import { numberFlag } from '../args.ts';
import { chatRenderer, detectFormat, loadDataset, DATASET_FORMATS, TEMPLATE_NAMES, LedgerLabError, type DatasetFormat } from '../../index.ts';

export const dataInspectCommand: Command = {
  name: 'data inspect',
  summary: 'detect a dataset file\'s format and show its first examples as the model will see them',
  usage: 'ledgerlab data inspect FILE [--format auto|advertisegen|e2e|prompt-response|alpaca|sharegpt] [--template NAME] [--chat-template DIR] [--limit N] [--json]',
  help: [
    'Formats: AdvertiseGen JSONL, E2E CSV, prompt/response JSONL, alpaca and sharegpt (JSONL or a JSON array).',
    `Chat formats are rendered with --template (${TEMPLATE_NAMES.join(', ')}; default empty); "tokenizer" uses the`,
    'chat_template of --chat-template DIR (a model folder or its tokenizer_config.json).',
    '--json prints {"format", "count", "examples": [{"source", "target"}, …]}. A bad record is a file:line error.',
  ].join('\n'),
  options: { format: { type: 'string' }, template: { type: 'string' }, 'chat-template': { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
  positionals: [1, 1],
  async run(args) {
    const file = args.positionals[0]!;
    const asked = (args.values.format as string | undefined) ?? 'auto';
    if (asked !== 'auto' && !(DATASET_FORMATS as readonly string[]).includes(asked)) {
      throw new LedgerLabError({ kind: 'usage', problem: `unknown format "${asked}"`, where: '--format', hint: `use auto or one of ${DATASET_FORMATS.join(', ')}` });
    }
    const template = (args.values.template as string | undefined) ?? 'empty';
    if (!(TEMPLATE_NAMES as readonly string[]).includes(template)) {
      throw new LedgerLabError({ kind: 'usage', problem: `unknown template "${template}"`, where: '--template', hint: `use one of ${TEMPLATE_NAMES.join(', ')}` });
    }
    const limit = numberFlag(args, 'limit', 3, { int: true, min: 0 });
    const format: DatasetFormat = asked === 'auto' ? detectFormat(file) : (asked as DatasetFormat);
    const examples = await loadDataset(file, format, { renderer: chatRenderer(template, args.values['chat-template'] as string | undefined) });
    const shown = examples.slice(0, limit).map((e) => ({ source: e.source, target: e.target }));
    if (args.values.json) {
      console.log(JSON.stringify({ format, count: examples.length, examples: shown }, null, 2));
      return;
    }
    console.log(`${file}: ${format}, ${examples.length} example${examples.length === 1 ? '' : 's'}${['alpaca', 'sharegpt'].includes(format) ? ` (template ${template})` : ''}`);
    shown.forEach((e, i) => {
      console.log(`\n--- example ${i + 1}: source ---\n${e.source}\n--- target ---\n${e.target}`);
    });
  },
};
