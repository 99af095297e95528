/**
 * The verdict of a scale run, generated from its numbers and never written by hand: does the fast recipe's
 * speed advantage survive the model-size ladder (the ratio per rung and its trend with parameters), which
 * factor carries it (largest Shapley share of the log-ratio) and how the shares moved along the ladder, how
 * well the cost model fits this machine (against the issue's 15% / 25% targets), the ChatGLM2-6B / A100
 * prediction with its interval next to the published 3.73×, and quality — where outputs are degenerate the
 * verdict says so instead of comparing their ROUGE.
 *
 * Pure: the same summary gives the same text (the kind stores it as `summary.verdict`; the report and
 * notebook 05 regenerate it from the pooled runs).
 *
 * @example
 * const text = scaleVerdict(summary);              // one run
 * const pooled = scaleVerdict([s0, s1, s2]);       // one run per seed, pooled by combineScaleSummaries
 */
import { LedgerLabError } from '../../errors.ts';
import { combineScaleSummaries, type ScaleNumbers } from './combine.ts';
import type { Est, ScaleRung } from './summary.ts';

/** The issue's targets for the cost model's median relative error on this machine. */
export const COST_MODEL_TARGETS = { relErrorMedian: 0.15, heldOutRelErrorMedian: 0.25 } as const;

/** How the verdict names each factor. */
export const FACTOR_LABEL: Readonly<Record<string, string>> = {
  method: 'the method (LoRA vs P-Tuning v2)', padding: 'padding', prefix: 'prefix length', checkpoint: 'gradient checkpointing', quant: 'the 4-bit base',
};
const label = (f: string) => FACTOR_LABEL[f] ?? f;

/** "480k", "1.25M", "25.1M", "6.24B": three significant digits. */
export function formatParams(n: number): string {
  const [d, u] = n >= 1e9 ? [1e9, 'B'] : n >= 1e6 ? [1e6, 'M'] : n >= 1e3 ? [1e3, 'k'] : [1, ''];
  return `${Number((n / d).toPrecision(3))}${u}`;
}

export const hasInterval = (e: Est): e is Required<Est> =>
  typeof e.lo === 'number' && typeof e.hi === 'number' && Number.isFinite(e.lo) && Number.isFinite(e.hi) && (e.lo !== e.value || e.hi !== e.value);

const x = (v: number) => `${v.toFixed(2)}×`;
/** "2.95× [2.80, 3.10]", or "2.95× (no interval)" for one seed. */
export const formatRatio = (e: Est) => (hasInterval(e) ? `${x(e.value)} [${e.lo.toFixed(2)}, ${e.hi.toFixed(2)}]` : `${x(e.value)} (no interval)`);
export const formatPct = (v: number) => `${(v * 100).toFixed(1)}%`;
const pctTarget = (v: number) => `${Number((v * 100).toFixed(1))}%`;
const list = (xs: readonly string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

/** Each factor's share of the rung's log-ratio (Σ = 1); undefined when the ratio is 1.00× (nothing to share). */
export function factorShares(r: ScaleRung, factors: readonly string[]): Record<string, number> | undefined {
  const logs = factors.map((f) => Math.log(r.shapley[f]?.value ?? 1));
  const total = logs.reduce((a, b) => a + b, 0);
  if (!Number.isFinite(total) || Math.abs(total) < 1e-9) return undefined;
  return Object.fromEntries(factors.map((f, i) => [f, logs[i]! / total]));
}

/** Factor per 10× parameters of a least-squares fit of log(ratio) on log10(parameters). */
export function ratioTrend(rungs: readonly ScaleRung[]): number {
  const xs = rungs.map((r) => Math.log10(r.params));
  const ys = rungs.map((r) => Math.log(r.ratio.value));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  const sxx = xs.reduce((a, v) => a + (v - mx) ** 2, 0);
  const sxy = xs.reduce((a, v, i) => a + (v - mx) * (ys[i]! - my), 0);
  return Math.exp(sxx > 0 ? sxy / sxx : 0);
}

function survival(rungs: readonly ScaleRung[]): string {
  const slower = rungs.filter((r) => r.ratio.value <= 1 && (!hasInterval(r.ratio) || r.ratio.hi! < 1)).map((r) => r.name);
  const touchesOne = rungs.filter((r) => hasInterval(r.ratio) && r.ratio.lo! <= 1 && r.ratio.hi! >= 1).map((r) => r.name);
  const noInterval = rungs.filter((r) => !hasInterval(r.ratio) && r.ratio.value > 1).map((r) => r.name);
  const unsure = touchesOne.length ? ` On ${list(touchesOne)} the interval includes 1.00×.` : '';
  if (slower.length) return `The advantage does not survive scale: on ${list(slower)} the fast recipe is no faster than the slow one.${unsure}`;
  if (touchesOne.length) return `The advantage is not resolved on every rung: on ${list(touchesOne)} the interval includes 1.00×${noInterval.length ? `, and ${list(noInterval)} ${noInterval.length === 1 ? 'has' : 'have'} no interval` : ''}.`;
  if (noInterval.length === rungs.length) return 'The fast recipe is faster on every rung; with one seed there is no interval to say how sure that is.';
  if (noInterval.length) return `The fast recipe is faster on every rung, but ${list(noInterval)} ${noInterval.length === 1 ? 'has' : 'have'} no interval.`;
  return 'The advantage survives scale: on every rung the interval lies above 1.00×.';
}

function trend(rungs: readonly ScaleRung[]): string | undefined {
  if (rungs.length < 2) return undefined;
  const f = ratioTrend(rungs);
  const first = rungs[0]!;
  const last = rungs[rungs.length - 1]!;
  const word = f > 1.05 ? 'rises' : f < 1 / 1.05 ? 'falls' : 'stays about flat';
  const both = hasInterval(first.ratio) && hasInterval(last.ratio);
  const overlap = both && first.ratio.lo! <= last.ratio.hi! && last.ratio.lo! <= first.ratio.hi!;
  const tail = both ? (overlap ? `; their intervals overlap` : `; their intervals do not overlap`) : '';
  return `With size the ratio ${word}: ×${f.toFixed(2)} per 10× parameters (least-squares fit of log ratio on log parameters), from ${x(first.ratio.value)} on ${first.name} to ${x(last.ratio.value)} on ${last.name}${tail}.`;
}

/**
 * A rung's ratio is resolved when its interval excludes 1.00× (or it has none to say otherwise): shares of a
 * log-ratio indistinguishable from zero are ratios of noise (they run to ±200%), so they are not quoted.
 */
export const ratioResolved = (r: ScaleRung) => !hasInterval(r.ratio) || r.ratio.lo! > 1 || r.ratio.hi! < 1;

function carrier(rungs: readonly ScaleRung[], factors: readonly string[]): string[] {
  const shares = rungs.map((r) => (ratioResolved(r) ? factorShares(r, factors) : undefined));
  const last = rungs[rungs.length - 1]!;
  const s = shares[shares.length - 1];
  const out: string[] = [];
  let order = [...factors];
  if (!ratioResolved(last)) {
    const top = [...factors].sort((a, b) => Math.abs(Math.log(last.shapley[b]?.value ?? 1)) - Math.abs(Math.log(last.shapley[a]?.value ?? 1)))[0]!;
    out.push(`On the largest rung (${last.name}) the ratio's interval includes 1.00×, so no factor can be said to carry it (its largest Shapley value: ${label(top)} ${formatRatio(last.shapley[top]!)}).`);
  } else if (!s) {
    out.push(`On the largest rung (${last.name}) the ratio is 1.00×: there is no log-ratio for the factors to share.`);
  } else {
    order = [...factors].sort((a, b) => s[b]! - s[a]!);
    const top = order[0]!;
    out.push(`On the largest rung (${last.name}) the factor that carries the ratio is ${label(top)}: Shapley ${formatRatio(last.shapley[top]!)}, ${formatPct(s[top]!)} of the log-ratio.`);
    const s0 = shares[0];
    if (rungs.length > 1 && s0) {
      const top0 = [...factors].sort((a, b) => s0[b]! - s0[a]!)[0]!;
      if (top0 !== top) out.push(`On the smallest rung (${rungs[0]!.name}) it was ${label(top0)} (${formatPct(s0[top0]!)}).`);
    }
  }
  if (rungs.length > 1 && shares.some((x) => x)) {
    const path = (f: string) => shares.map((sh) => (sh ? formatPct(sh[f]!) : 'n/a')).join(' → ');
    const na = rungs.filter((r) => !ratioResolved(r)).map((r) => r.name);
    out.push(`Shares of the log-ratio along the ladder (${rungs.map((r) => r.name).join(' → ')}): ${order.map((f) => `${label(f)} ${path(f)}`).join('; ')}${na.length ? ` (n/a: the ratio's interval on ${list(na)} includes 1.00×)` : ''}.`);
  }
  return out;
}

function costModel(s: ScaleNumbers): { text: string; met: boolean } {
  const c = s.costModel;
  const n = c.relErrors.length || s.rungs.reduce((a, r) => a + r.cells.length, 0);
  const okAll = c.relErrorMedian <= COST_MODEL_TARGETS.relErrorMedian;
  const okHeld = c.heldOutRelErrorMedian <= COST_MODEL_TARGETS.heldOutRelErrorMedian;
  const range = c.relErrors.length ? `; cell errors range ${formatPct(Math.min(...c.relErrors))}–${formatPct(Math.max(...c.relErrors))}` : '';
  const text = `The cost model, its device constants fitted on ${list(c.fittedOn)}, has a median relative step-time error of ${formatPct(c.relErrorMedian)} over all ${n} measured cells (target ≤ 15%: ${okAll ? 'met' : 'missed'}) and ${formatPct(c.heldOutRelErrorMedian)} on the held-out ${c.heldOut} (target ≤ 25%: ${okHeld ? 'met' : 'missed'})${range}.`;
  return { text, met: okAll && okHeld };
}

function prediction(s: ScaleNumbers, topMeasured: string | undefined): string[] {
  const p = s.prediction.chatglm2_a100;
  const sp = p.samplesPerSecond;
  const rate = (k: 'lora' | 'ptuning') => {
    const lo = sp[`${k}.lo`];
    const hi = sp[`${k}.hi`];
    return `${sp[k].toFixed(2)}${typeof lo === 'number' && typeof hi === 'number' ? ` (${lo.toFixed(2)}–${hi.toFixed(2)})` : ''}`;
  };
  const r: Est = { value: p.ratio, lo: p['ratio.lo'], hi: p['ratio.hi'] };
  const pub = p.published;
  const where = hasInterval(r)
    ? pub.ratio > r.hi! ? 'lies above the predicted interval' : pub.ratio < r.lo! ? 'lies below the predicted interval' : 'lies inside the predicted interval'
    : pub.ratio > r.value ? 'is higher than predicted' : 'is not higher than predicted';
  const out = [
    `For ChatGLM2-6B on ${p.device} the cost model predicts LoRA at ${rate('lora')} vs P-Tuning v2 at ${rate('ptuning')} samples/s, a ratio of ${formatRatio(r)}, against the published ${pub.lora.toFixed(2)} vs ${pub.ptuning.toFixed(2)} (${x(pub.ratio)}): the published ratio ${where}.`,
  ];
  const shap = Object.entries(p.shapley).filter(([, v]) => Number.isFinite(v) && v > 0);
  if (shap.length) {
    const dir = Math.sign(shap.reduce((a, [, v]) => a + Math.log(v), 0)) || 1;
    const [top, v] = shap.sort((a, b) => dir * (Math.log(b[1]) - Math.log(a[1])))[0]!;
    const agree = topMeasured === undefined ? '' : top === topMeasured ? ', the same factor as on the largest measured rung' : `, not ${label(topMeasured)} as on the largest measured rung`;
    out.push(`Of the predicted ratio, ${label(top)} carries the most (${x(v)})${agree}.`);
  }
  out.push(`Predicted peak memory: LoRA ${p.memoryGB.lora.toFixed(2)} GiB vs P-Tuning v2 ${p.memoryGB.ptuning.toFixed(2)} GiB (published ${pub.memoryGB.lora.toFixed(2)} vs ${pub.memoryGB.ptuning.toFixed(2)} GB).`);
  return out;
}

function measurement(s: ScaleNumbers): string[] {
  const m = s.measurement;
  const n = s.rungs.reduce((a, r) => a + r.cells.length, 0);
  const out: string[] = [];
  if (m.rungsOverTarget > 0) out.push(`${m.rungsOverTarget} of ${s.rungs.length} rungs kept a ratio interval wider than ±${pctTarget(m.target)} when the rounds stopped (${n} cells timed): their ratios are less certain than the target.`);
  if (m.quiet === 'noisy') out.push('The timing stayed noisy after re-runs (other processes or steal above the guard\'s limits): the measured ratios and the fit describe a shared machine, and no conclusion above should be drawn from them.');
  if (m.cpuPinned === null) out.push(`The timing was not pinned to a core (1-min load ${m.otherLoad.toFixed(2)} at its start).`);
  return out;
}

function quality(rungs: readonly ScaleRung[]): string {
  const withQ = rungs.filter((r) => r.quality);
  if (!withQ.length) return 'No quality runs in this summary: nothing is said about quality.';
  const isDegenerate = (r: ScaleRung) => r.quality!.degenerate || r.quality!.fast.degenerate || r.quality!.slow.degenerate;
  const bad = withQ.filter(isDegenerate);
  const good = withQ.filter((r) => !isDegenerate(r));
  const badText = bad.map((r) => {
    const q = r.quality!;
    const arms = (['fast', 'slow'] as const).filter((a) => q[a].degenerate);
    const shown = arms.length ? arms : (['fast', 'slow'] as const);
    return `on ${r.name} ${shown.map((a) => `${a} distinct-2 ${q[a].distinct2.toFixed(3)} and repetition ${q[a].repetition.toFixed(3)}`).join(', ')}`;
  }).join('; ');
  const goodText = good.map((r) => `${r.quality!.fast.rougeL.toFixed(2)} vs ${r.quality!.slow.rougeL.toFixed(2)} on ${r.name}`).join(', ');
  if (!good.length) return `Quality: the outputs are degenerate on every rung with quality runs (${badText}), so their ROUGE is not compared: the quality runs must train longer before this ladder says anything about quality.`;
  if (!bad.length) return `Quality (no degenerate outputs): ROUGE-L fast vs slow is ${goodText}.`;
  return `Quality: the outputs are degenerate on ${list(bad.map((r) => r.name))} (${badText}), so their ROUGE is not compared; ROUGE-L fast vs slow is ${goodText}.`;
}

/** The verdict paragraph of one summary, or of several runs' summaries pooled (combineScaleSummaries). */
export function scaleVerdict(input: ScaleNumbers | readonly ScaleNumbers[]): string {
  const s = Array.isArray(input) ? combineScaleSummaries(input as readonly ScaleNumbers[]) : (input as ScaleNumbers);
  if (!s.rungs.length) throw new LedgerLabError({ kind: 'data', problem: 'the scale summary has no rungs', where: 'summary.rungs', hint: 'a scale run measures at least one rung' });
  const rungs = [...s.rungs].sort((a, b) => a.params - b.params);
  const last = rungs[rungs.length - 1]!;
  const lastShares = ratioResolved(last) ? factorShares(last, s.factors) : undefined;
  const topMeasured = lastShares ? [...s.factors].sort((a, b) => lastShares[b]! - lastShares[a]!)[0] : undefined;
  const cm = costModel(s);
  const parts = [
    `Measured fast/slow ratio (samples/s) on ${rungs.length} rung${rungs.length === 1 ? '' : 's'} from ${formatParams(rungs[0]!.params)} to ${formatParams(last.params)} parameters: ${rungs.map((r) => `${r.name} (${formatParams(r.params)}) ${formatRatio(r.ratio)}`).join(', ')}.`,
    survival(rungs),
    trend(rungs),
    ...carrier(rungs, s.factors),
    cm.text,
    ...(cm.met ? [] : ['So the A100 prediction that follows is not backed by a fit to this machine\'s measured steps: read it as an estimate, not as a check of the published figure.']),
    ...prediction(s, topMeasured),
    ...measurement(s),
    quality(rungs),
  ];
  return parts.filter((p): p is string => !!p).join(' ');
}
