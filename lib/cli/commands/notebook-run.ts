import type { Command } from '../command.ts';
import { listFlag, numberFlag } from '../args.ts';
import { LedgerLabError } from '../../index.ts';
import { runNotebook } from '../../index.ts';

/** `-p key=value` → {key: value}; the value is JSON when it parses as JSON, else a string. */
export function parseParams(pairs: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new LedgerLabError({ kind: 'usage', problem: `parameter "${p}" is not of the form key=value`, where: '-p' });
    const text = p.slice(eq + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      /* a bare string */
    }
    out[p.slice(0, eq)] = value;
  }
  return out;
}

export const notebookRunCommand: Command = {
  name: 'notebook run',
  summary: 'execute a notebook headless (Debian Jupyter + tslab) and save the executed copy',
  usage: 'ledgerlab notebook run NAME [-p key=value ...] [--out FILE.ipynb] [--timeout SECONDS]',
  help: [
    'NAME is a notebook under notebooks/ (e.g. 00-smoke) or a path. Parameters are assigned after the cell',
    'tagged "parameters" (papermill convention); values parse as JSON when they can (-p seeds=[1,2]).',
    'Default output: results/notebooks/NAME.ipynb. A failing cell exits 1 with that cell\'s error text.',
  ].join('\n'),
  options: { param: { type: 'string', short: 'p', multiple: true }, out: { type: 'string' }, timeout: { type: 'string' } },
  positionals: [1, 1],
  async run(args) {
    const r = await runNotebook({
      notebook: args.positionals[0],
      params: parseParams(listFlag(args, 'param')),
      out: args.values.out as string | undefined,
      timeoutS: numberFlag(args, 'timeout', 1800, { int: true, min: 1 }),
    });
    console.log(`executed ${r.input} in ${(r.durationMs / 1000).toFixed(1)} s → ${r.output}`);
  },
};
