/**
 * Several scale runs of one config (one run per seed, or repeated runs) pooled into one summary of the same
 * shape, so the verdict, the report and notebook 05 read one object whatever the number of runs.
 *
 * One summary comes back as it is: a run with several seeds already carries its intervals. With several:
 *   - per rung, the fast/slow ratio and each factor's Shapley value: geometric mean over the runs with a
 *     95% t-interval of the logs (one value per run);
 *   - measured cells: every run's cells are kept (each is one measured point of the error distribution), and
 *     the cost model's medians are recomputed over the pooled relative errors (held out: the pooled cells of
 *     the held-out rung);
 *   - the A100 prediction: geometric mean of the runs' values, interval = the envelope of the runs' intervals
 *     (each run's interval already spans the efficiency range; pooling must not narrow it);
 *   - quality: mean of each metric over the runs; an arm is degenerate when it is degenerate in ANY run, so a
 *     single degenerate seed is enough to withhold a ROUGE comparison;
 *   - measurement: the widest rounds range, the summed cells over target, the highest load.
 */
import { LedgerLabError } from '../../errors.ts';
import { worstStatus, meanCI, median } from '../../measure/index.ts';
import type { Est, QualityArm, ScaleRung, ScaleSummary } from './summary.ts';

/** A summary before its verdict is written (what the kind hands to scaleVerdict). */
export type ScaleNumbers = Omit<ScaleSummary, 'verdict'> & { verdict?: string };

/** Geometric mean and 95% t-interval of positive values (ratios): one value gives no interval. */
export function geoEst(values: readonly number[]): Est {
  const ok = values.filter((v) => Number.isFinite(v) && v > 0);
  if (ok.length === 0) return { value: NaN };
  const ci = meanCI(ok.map(Math.log));
  return ok.length > 1 ? { value: Math.exp(ci.mean), lo: Math.exp(ci.lo), hi: Math.exp(ci.hi) } : { value: Math.exp(ci.mean) };
}

const geo = (xs: readonly number[]) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
const mean = (xs: readonly number[]) => xs.reduce((a, x) => a + x, 0) / xs.length;

function meanArm(arms: readonly QualityArm[]): QualityArm {
  const k = ['rougeL', 'rouge1', 'bleu4', 'distinct1', 'distinct2', 'repetition'] as const;
  const out = Object.fromEntries(k.map((f) => [f, mean(arms.map((a) => a[f]))])) as Record<(typeof k)[number], number>;
  return { ...out, degenerate: arms.some((a) => a.degenerate), trainSteps: arms[0]!.trainSteps };
}

function combineRung(rs: readonly ScaleRung[], factors: readonly string[]): ScaleRung {
  const first = rs[0]!;
  const qs = rs.map((r) => r.quality).filter((q): q is NonNullable<ScaleRung['quality']> => !!q);
  const quality = qs.length
    ? (() => {
        const fast = meanArm(qs.map((q) => q.fast));
        const slow = meanArm(qs.map((q) => q.slow));
        return { fast, slow, degenerate: qs.some((q) => q.degenerate) || fast.degenerate || slow.degenerate };
      })()
    : undefined;
  return {
    ...first,
    cells: rs.flatMap((r) => r.cells),
    ratio: geoEst(rs.map((r) => r.ratio.value)),
    shapley: Object.fromEntries(factors.map((f) => [f, geoEst(rs.map((r) => r.shapley[f]?.value ?? NaN))])),
    ...(quality ? { quality } : {}),
  };
}

/** Pools summaries of the same ladder (see the file comment); `where` names the runs in errors. */
export function combineScaleSummaries<S extends ScaleNumbers>(summaries: readonly S[], where = 'scale runs'): ScaleNumbers {
  if (summaries.length === 0) throw new LedgerLabError({ kind: 'usage', problem: 'no scale summaries to combine', where });
  if (summaries.length === 1) return summaries[0]!;
  const s0 = summaries[0]!;
  const names = s0.rungs.map((r) => r.name).join(',');
  summaries.forEach((s, i) => {
    const n = s.rungs.map((r) => r.name).join(',');
    if (n !== names) {
      throw new LedgerLabError({ kind: 'data', problem: `summary ${i} has rungs ${n}, the first has ${names}: these runs are different ladders`, where, hint: 'combine the runs of one config only' });
    }
  });
  const rungs = s0.rungs.map((r, i) => combineRung(summaries.map((s) => s.rungs[i]!), s0.factors));
  const cells = rungs.flatMap((r) => r.cells);
  const held = cells.filter((c) => c.heldOut);
  const p = summaries.map((s) => s.prediction.chatglm2_a100);
  const sps = (k: 'lora' | 'ptuning') => {
    const lo = p.map((x) => x.samplesPerSecond[`${k}.lo`]).filter((v): v is number => typeof v === 'number');
    const hi = p.map((x) => x.samplesPerSecond[`${k}.hi`]).filter((v): v is number => typeof v === 'number');
    return { [k]: geo(p.map((x) => x.samplesPerSecond[k])), ...(lo.length ? { [`${k}.lo`]: Math.min(...lo) } : {}), ...(hi.length ? { [`${k}.hi`]: Math.max(...hi) } : {}) };
  };
  const m = summaries.map((s) => s.measurement);
  const pinned = [...new Set(m.map((x) => x.cpuPinned))];
  return {
    rungs,
    factors: s0.factors,
    measurement: {
      roundsMin: Math.min(...m.map((x) => x.roundsMin)),
      roundsMax: Math.max(...m.map((x) => x.roundsMax)),
      target: s0.measurement.target,
      rungsOverTarget: m.reduce((a, x) => a + x.rungsOverTarget, 0),
      quiet: worstStatus(m.map((x) => x.quiet ?? 'unknown')),
      cpuPinned: pinned.includes(null) ? null : pinned.join(' / '),
      otherLoad: Math.max(...m.map((x) => x.otherLoad)),
    },
    costModel: {
      ...s0.costModel,
      relErrorMedian: median(cells.map((c) => c.relError)),
      heldOutRelErrorMedian: median(held.map((c) => c.relError)),
      relErrors: cells.map((c) => c.relError),
    },
    prediction: {
      chatglm2_a100: {
        ...p[0]!,
        samplesPerSecond: { ...sps('lora'), ...sps('ptuning') } as ScaleSummary['prediction']['chatglm2_a100']['samplesPerSecond'],
        ratio: geo(p.map((x) => x.ratio)),
        'ratio.lo': Math.min(...p.map((x) => x['ratio.lo'])),
        'ratio.hi': Math.max(...p.map((x) => x['ratio.hi'])),
        memoryGB: { lora: mean(p.map((x) => x.memoryGB.lora)), ptuning: mean(p.map((x) => x.memoryGB.ptuning)) },
        shapley: Object.fromEntries(Object.keys(p[0]!.shapley).map((f) => [f, geo(p.map((x) => x.shapley[f] ?? NaN))])),
      },
    },
  };
}
