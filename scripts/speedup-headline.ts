// The issue-28 acceptance figures of speedup runs, from their run.json summaries (nothing is re-measured):
//   node_modules/.bin/node scripts/speedup-headline.ts RESULTS_DIR [RESULTS_DIR_2]
// Per results folder: per seed ratio.trained, ratio.factorial, shapley.method and the timing's quiet status; the
// geometric mean over seeds of each and the per-seed CV (sd of the logs) of ratio.factorial. With two folders,
// how far apart the two headlines are (the target: within 5%).
import { listRuns } from '../lib/index.ts';

const KEYS = ['ratio.trained', 'ratio.factorial', 'shapley.method'] as const;
const get = (s: Record<string, unknown>, k: string) => k.split('.').reduce<unknown>((o, p) => (o as Record<string, unknown> | undefined)?.[p], s) as number | undefined;

function headline(dir: string): Record<string, number> {
  const runs = listRuns(dir).filter((r) => r.record.kind === 'speedup' && r.status === 'finished');
  const out: Record<string, number> = {};
  console.log(`${dir}: ${runs.length} finished speedup runs`);
  for (const r of runs) {
    const s = r.record.summary as Record<string, unknown>;
    console.log(`  seed ${r.record.seeds[0]}: ${KEYS.map((k) => `${k} ${get(s, k)?.toFixed(3)}`).join('  ')}  timing ${get(s, 'timing.quiet') ?? (s.timing as { quiet?: string })?.quiet}`);
  }
  for (const k of KEYS) {
    const logs = runs.map((r) => Math.log(get(r.record.summary as Record<string, unknown>, k)!)).filter(Number.isFinite);
    const mean = logs.reduce((a, b) => a + b, 0) / logs.length;
    const sd = Math.sqrt(logs.reduce((a, x) => a + (x - mean) ** 2, 0) / Math.max(1, logs.length - 1));
    out[k] = Math.exp(mean);
    console.log(`  geometric mean ${k}: ${Math.exp(mean).toFixed(3)}   per-seed CV ${(100 * sd).toFixed(1)}%`);
  }
  return out;
}

const dirs = process.argv.slice(2);
if (!dirs.length) {
  process.stderr.write('usage: scripts/speedup-headline.ts RESULTS_DIR [RESULTS_DIR_2]\n');
  process.exit(2);
}
const h = dirs.map(headline);
if (h.length === 2) for (const k of KEYS) console.log(`${k}: ${h[0]![k]!.toFixed(3)} vs ${h[1]![k]!.toFixed(3)} — ${(100 * Math.abs(h[1]![k]! / h[0]![k]! - 1)).toFixed(1)}% apart (target ≤ 5%)`);
