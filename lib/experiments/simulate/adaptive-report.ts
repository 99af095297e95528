/**
 * The reviewer's view of the adaptive parts of a simulate run (issue 23): best-responding attackers next to
 * the fixed strategies, adaptive populations' honest share over epochs, and span attribution on the real-text
 * Datanet. Everything is read from the run's own files — table.json rows' `worstCase`, population.json,
 * spans.json — so the numbers are the run's numbers.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RunEntry } from '../../results/index.ts';
import {
  lineBandChart, withProvenance, type Chart, chartBlock, paragraph, provenanceLine, table, type Section,
} from '../../report/index.ts';
import { formatStrategy, type SearchedRow, type PopulationResult, type SpanStudy } from '../../sim/index.ts';

export interface AdaptiveRun { run: RunEntry; worstCase: SearchedRow[]; population: PopulationResult[]; spans?: SpanStudy }

function readJson<T>(path: string): T | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined;
}

/** Finished simulate runs that carry a search, populations or a span study. */
export function readAdaptiveRuns(runs: readonly RunEntry[]): AdaptiveRun[] {
  const out: AdaptiveRun[] = [];
  for (const e of runs) {
    if (e.status !== 'finished' || e.record.kind !== 'simulate') continue;
    const rows = readJson<SearchedRow[]>(join(e.dir, e.record.artifacts.table ?? 'table.json')) ?? [];
    const worstCase = rows.filter((r) => r.worstCase);
    const population = readJson<PopulationResult[]>(join(e.dir, 'population.json')) ?? [];
    const spans = readJson<SpanStudy>(join(e.dir, 'spans.json'));
    if (worstCase.length || population.length || spans) out.push({ run: e, worstCase, population, ...(spans ? { spans } : {}) });
  }
  return out;
}

/** Honest probability over epochs, one line per design × attack. */
export function populationChart(a: AdaptiveRun): Chart {
  const points = a.population.flatMap((p) => p.trajectory.map((t) => ({ x: t.epoch, series: `${p.design} × ${p.attack}`, mean: t.honestProbability })));
  return withProvenance(lineBandChart({
    title: `Adaptive contributors: probability of contributing honestly (${a.run.record.name})`, points,
    x: { title: 'epoch' }, y: { title: 'mean P(honest)' }, series: { title: 'design × attack' }, width: 560,
    caption: 'Each contributor plays honest or the attack each epoch and updates by multiplicative weights on the ROI it sees.',
  }), [provenanceLine([a.run])]);
}

const pct = (x: number) => (Number.isFinite(x) ? x * 100 : null);

export function adaptiveSections(runs: readonly RunEntry[]): Section[] {
  const sections: Section[] = [];
  for (const a of readAdaptiveRuns(runs)) {
    const name = a.run.record.name;
    const sid = (x: string) => `sim-adaptive-${x}-${name.replace(/[^a-z0-9]+/gi, '-').toLowerCase()}`;
    if (a.worstCase.length) {
      const gained = a.worstCase.filter((r) => r.worstCase!.gain.capturedShare > 0.005);
      sections.push({
        title: `Best-responding attackers (${name})`, id: sid('worst'),
        blocks: [
          table({
            columns: ['design', 'attack', { key: 'fixed', title: 'fixed captured %', digits: 1 }, { key: 'worst', title: 'worst-case captured %', digits: 1 }, { key: 'gain', title: 'gain (pp)', digits: 1 }, { key: 'fixedRoi', title: 'fixed ROI', digits: 2 }, { key: 'worstRoi', title: 'worst-case ROI', digits: 2 }, 'strategy'],
            rows: a.worstCase.map((r) => ({ design: r.design, attack: r.attack, fixed: pct(r.worstCase!.fixed.capturedShare), worst: pct(r.worstCase!.capturedShare), gain: pct(r.worstCase!.gain.capturedShare), fixedRoi: r.worstCase!.fixed.roi, worstRoi: r.worstCase!.roi, strategy: formatStrategy(r.worstCase!.strategy) })),
            caption: `Fixed strategy vs the best response found by a seeded cross-entropy search over the attack's strategy space (same budget, costs and seeds ${a.worstCase[0].worstCase!.searchSeeds.join(', ')}; ${a.worstCase[0].worstCase!.evaluations}+ strategies per cell). The search maximises ROI; captured share is what that strategy takes.`,
          }),
          paragraph(gained.length
            ? `The fixed strategies understate the worst case in ${gained.length} of ${a.worstCase.length} cells; largest gain: ${[...gained].sort((x, y) => y.worstCase!.gain.capturedShare - x.worstCase!.gain.capturedShare).slice(0, 3).map((r) => `${r.attack} under ${r.design} (+${(r.worstCase!.gain.capturedShare * 100).toFixed(1)} pp)`).join(', ')}.`
            : 'The search found no strategy capturing more than the fixed ones (ROI may still have risen).'),
        ],
      });
    }
    if (a.population.length) {
      sections.push({
        title: `Adaptive populations (${name})`, id: sid('population'),
        blocks: [
          chartBlock(populationChart(a), [a.run]),
          table({
            columns: ['design', 'attack', { key: 'start', title: 'P(honest) after epoch 0', digits: 2 }, { key: 'end', title: 'final P(honest)', digits: 2 }, { key: 'hRoi', title: 'honest ROI (last)', digits: 2 }, { key: 'gRoi', title: 'game ROI (last)', digits: 2 }, 'survives'],
            rows: a.population.map((p) => {
              const last = p.trajectory[p.trajectory.length - 1];
              return { design: p.design, attack: p.attack, start: p.trajectory[0].honestProbability, end: p.finalHonestProbability, hRoi: Number.isFinite(last.honestRoi) ? last.honestRoi : null, gRoi: Number.isFinite(last.gameRoi) ? last.gameRoi : null, survives: p.survives ? 'yes' : 'no' };
            }),
            caption: `${a.population[0].agents} adaptive contributors, ${a.population[0].trajectory.length} epochs; "survives" = final P(honest) ≥ the configured threshold.`,
          }),
        ],
      });
    }
    if (a.spans) {
      const st = a.spans;
      const owners = [...new Set(st.outcomes.flatMap((o) => o.shares.map((s) => s.owner)))].sort((x, y) => (x === 'honest' ? 1 : y === 'honest' ? -1 : x < y ? -1 : 1));
      sections.push({
        title: `Attribution on real text (${name})`, id: sid('spans'),
        blocks: [
          paragraph(`A Datanet of ${st.items.total} real records and attack items (${Object.entries(st.items.byKind).map(([k, v]) => `${k} ${v}`).join(', ')}); a model fine-tuned on it with lib/train (${st.model.steps} steps, final loss ${st.model.finalLoss.toFixed(2)}) answered ${st.queries} held-out prompts. Span matching covered ${(st.coverage * 100).toFixed(0)}% of output tokens with maximal spans of ${st.meanSpanLength.toFixed(1)} tokens on average.`),
          table({
            columns: ['method', ...owners.map((o) => ({ key: o, title: `${o} %`, digits: 1 })), 'credited'],
            rows: st.outcomes.map((o) => ({ method: o.method, ...Object.fromEntries(owners.map((w) => [w, (o.shares.find((s) => s.owner === w)?.share ?? 0) * 100])), credited: `${o.creditedOutputs}/${st.queries}` })),
            caption: 'Share of the pool per attacker and for all honest contributors, per attribution method, settled with the ledger rule.',
          }),
          table({ columns: ['prompt', 'output'], rows: st.samples, caption: 'Sample generations.' }),
        ],
      });
    }
  }
  return sections;
}
