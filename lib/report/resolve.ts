/**
 * What `ledgerlab report X` means by X: a run folder, a run id, a run-id prefix (a sweep), or an experiment
 * name (the `name` of an experiment file, shared by all its runs) or kind. Tried in that order.
 */
import { LedgerLabError, isLedgerLabError } from '../errors.ts';
import { findRuns, listRuns, type RunEntry } from '../results/index.ts';

export function resolveReportRuns(refs: readonly string[], root: string): RunEntry[] {
  const out: RunEntry[] = [];
  for (const ref of refs) {
    try {
      out.push(...findRuns([ref], root));
      continue;
    } catch (err) {
      if (!isLedgerLabError(err) || !/^no run matches/.test(err.problem)) throw err;
    }
    const all = listRuns(root);
    const byName = all.filter((e) => e.record.name === ref);
    const matches = byName.length ? byName : all.filter((e) => e.record.kind === ref);
    if (!matches.length) {
      const names = [...new Set(all.map((e) => e.record.name))].sort();
      throw new LedgerLabError({
        kind: 'usage',
        problem: `no run or experiment matches "${ref}"`,
        where: root,
        hint: names.length ? `experiments with runs: ${names.join(', ')} (\`ledgerlab runs\` lists run ids)` : 'there are no runs yet: `ledgerlab run EXPERIMENT` first',
      });
    }
    out.push(...matches.slice().reverse());
  }
  return [...new Map(out.map((e) => [e.dir, e])).values()];
}
