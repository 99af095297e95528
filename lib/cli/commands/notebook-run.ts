import type { Command } from '../command.ts';
import { listFlag, numberFlag } from '../args.ts';
import { LedgerLabError, assertSafeKey, rejectForbiddenKeys, runNotebook, setKeyPath } from '../../index.ts';

/** What a notebook parameter may be called: a variable name the parameters cell can assign. */
const PARAM_NAME = /^[A-Za-z_$][\w$]*$/;

/** Numbers JSON cannot carry (1e400 parses as Infinity and would reach the notebook as null). */
function nonFinite(v: unknown): boolean {
  if (typeof v === 'number') return !Number.isFinite(v);
  return typeof v === 'object' && v !== null && Object.values(v).some(nonFinite);
}

/**
 * `-p key=value` → {key: value}; the value is JSON when it parses as JSON, else a string. A key that is not a
 * variable name, or that would reach a prototype (`__proto__`), and a number out of range are usage errors.
 */
export function parseParams(pairs: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new LedgerLabError({ kind: 'usage', problem: `parameter "${p}" is not of the form key=value`, where: '-p' });
    const key = p.slice(0, eq);
    const place = { where: `-p ${key}`, kind: 'usage' as const };
    assertSafeKey(key, [key], place);
    if (!PARAM_NAME.test(key)) throw new LedgerLabError({ kind: 'usage', problem: `parameter name "${key}" is not a variable name`, where: '-p', hint: 'use letters, digits and _ (not starting with a digit), as in the notebook\'s parameters cell' });
    const text = p.slice(eq + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      /* a bare string */
    }
    if (nonFinite(value)) throw new LedgerLabError({ kind: 'usage', problem: `parameter ${key}: ${text} is not a finite number`, where: `-p ${key}`, hint: 'numbers must lie within ±1.8e308 (JSON has no Infinity or NaN)' });
    rejectForbiddenKeys(value, place);
    setKeyPath(out, [key], value, place);
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
