import type { Command } from '../command.ts';
import { environmentReport, formatEnvironment } from '../../index.ts';

export const envCommand: Command = {
  name: 'env',
  summary: 'show Node, package versions, CPU, memory, the tensor backend chosen and why, accelerators found',
  usage: 'ledgerlab env [--json]',
  help: 'LEDGERLAB_BACKEND=node-gpu|node|wasm|cpu overrides the automatic backend choice.',
  options: { json: { type: 'boolean' } },
  async run(args) {
    const env = await environmentReport({ askDawn: true });
    console.log(args.values.json ? JSON.stringify(env, null, 2) : formatEnvironment(env));
  },
};
