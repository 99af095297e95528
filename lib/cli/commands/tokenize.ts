import { existsSync, statSync } from 'node:fs';
import type { Command } from '../command.ts';
import { LedgerLabError, loadHfTokenizer, loadTokenizer } from '../../index.ts';

/** Ids and token strings of TEXT under a model's tokenizer (HF directory) or a LedgerLab tokenizer file. */
function tokenize(model: string, text: string): { ids: number[]; tokens: string[] } {
  if (!existsSync(model)) throw new LedgerLabError({ kind: 'io', problem: `no such model directory or tokenizer file: ${model}`, where: '--model' });
  if (statSync(model).isDirectory()) return loadHfTokenizer(model).encode(text);
  // A LedgerLab tokenizer file: its encode never adds special tokens, so the model sees exactly these ids.
  const tok = loadTokenizer(model);
  const ids = tok.encode(text);
  return { ids, tokens: ids.map((id) => tok.tokenString(id)) };
}

export const tokenizeCommand: Command = {
  name: 'tokenize',
  summary: 'print the token ids and strings a model sees for a text (Hugging Face tokenizer.json or a LedgerLab tokenizer)',
  usage: 'ledgerlab tokenize --model DIR TEXT [--json]',
  help: [
    'DIR is a Hugging Face model directory (tokenizer.json + tokenizer_config.json) or a LedgerLab tokenizer',
    'file (.json). Special tokens appear only where the tokenizer itself adds them (e.g. a Llama <s>).',
    '  --json   one object {"ids": [...], "tokens": [...]}',
    'Without --json: one line per token, "position  id  token" with the token JSON-quoted (so spaces show).',
  ].join('\n'),
  positionals: [1, 1],
  options: { model: { type: 'string' }, json: { type: 'boolean' } },
  async run(args) {
    const model = args.values.model as string | undefined;
    if (!model) throw new LedgerLabError({ kind: 'usage', problem: '--model DIR is required', where: 'ledgerlab tokenize', hint: 'usage: ledgerlab tokenize --model DIR TEXT [--json]' });
    const { ids, tokens } = tokenize(model, args.positionals[0]);
    if (args.values.json) {
      console.log(JSON.stringify({ ids, tokens }));
      return;
    }
    console.log(`${ids.length} tokens`);
    const w = String(Math.max(0, ...ids)).length;
    ids.forEach((id, i) => console.log(`${String(i).padStart(5)}  ${String(id).padStart(w)}  ${JSON.stringify(tokens[i])}`));
  },
};
