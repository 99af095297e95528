// The speedup kind end to end on a tiny config: real pretraining, factorial timing, training, generation,
// Chinese scoring, run files; then the aggregate and the report must carry exactly the run files' numbers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExperiment, aggregateSpeedup, buildExperimentReport } from '../../lib/experiments/index.ts';
import { listRuns } from '../../lib/results/index.ts';
import { readJsonl } from '../../lib/util/index.ts';
import { renderReportHtml } from '../../lib/report/index.ts';
import { diversityScores, zhScoresMulti } from '../../lib/metrics/index.ts';

const root = mkdtempSync(join(tmpdir(), 'll-speedup-'));
const fixture = join(import.meta.dirname, '..', 'fixtures', 'speedup-tiny.json');

test('a tiny speedup run writes its summary, cells and predictions', async () => {
  const out = await runExperiment(fixture, { root });
  assert.is(out.failed.length, 0, out.failed.map((f) => f.error).join('\n'));
  const [run] = listRuns(root);
  const s = run!.record.summary as { factors: string[]; ratio: Record<string, number>; shapley: Record<string, number>; quality: Record<string, { scores: Record<string, number>; trainableParams: number }> };
  assert.equal(s.factors, ['method', 'padding', 'prefix', 'checkpoint', 'quant']);
  const cells = JSON.parse(readFileSync(join(run!.dir, 'cells.json'), 'utf8')) as unknown[];
  assert.is(cells.length, 24);
  // Shapley values multiply to the factorial ratio exactly (up to float rounding).
  const product = Object.values(s.shapley).reduce((a, b) => a * b, 1);
  assert.ok(Math.abs(product / s.ratio.factorial! - 1) < 1e-9, `${product} vs ${s.ratio.factorial}`);
  assert.equal(Object.keys(s.quality), ['fast', 'slow', 'slow-matched']);
  assert.is(s.quality.fast!.trainableParams, 1 * 2 * 4 * (32 + 32));
  assert.is(s.quality.slow!.trainableParams, 6 * 2 * 1 * 32);
  for (const name of ['fast', 'slow', 'slow-matched']) {
    const items = readJsonl<{ prediction: string; references: string[]; 'rouge-2': number }>(join(run!.dir, `predictions-${name}.jsonl`));
    assert.is(items.length, 4);
    for (const it of items) assert.is(it['rouge-2'], zhScoresMulti(it.prediction, it.references)['rouge-2']);
    const mean = items.reduce((a, it) => a + it['rouge-2'], 0) / items.length;
    assert.ok(Math.abs(mean - s.quality[name]!.scores['rouge-2']!) < 1e-12);
    // distinct-1/2 and repetition next to ROUGE, exactly those of the saved predictions.
    assert.equal(Object.keys(s.quality[name]!.scores), ['rouge-1', 'rouge-2', 'rouge-l', 'bleu-4', 'distinct-1', 'distinct-2', 'repetition']);
    const div = diversityScores(items.map((it) => it.prediction), 'zh');
    for (const k of ['distinct-1', 'distinct-2', 'repetition'] as const) assert.is(s.quality[name]!.scores[k], div[k], `${name} ${k}`);
  }
  // The trained recipes are the grid's corners: ratio.trained is their paired median ratio in the grid's own rounds
  // (fast / slow per round, median over rounds), not a section of its own.
  const t = (run!.record.summary as { timing: { trainedFrom: string; trained?: unknown; factorial: { rotate: number; rounds: number } } }).timing;
  assert.is(t.trainedFrom, 'factorial');
  assert.is(t.trained, undefined);
  // factorial.rotate 2: each seed fixes 2 batches, one per round in turn, and rounds stop only after whole cycles.
  assert.is(t.factorial.rotate, 2);
  assert.is(t.factorial.rounds % 2, 0, `rounds ${t.factorial.rounds}`);
  for (const c of cells as { batches: unknown[] }[]) assert.is(c.batches.length, 2);
  const byName = new Map((cells as { switched: string[]; wallMs: number[]; batches: { batchSize: number }[] }[]).map((c) => [c.switched.join('+') || 'fast', c]));
  const fast = byName.get('fast')!, slow = byName.get(s.factors.join('+'))!;
  const logs = fast.wallMs.map((ms, i) => Math.log(slow.wallMs[i]! / ms)).sort((a, b) => a - b);
  const mid = logs.length % 2 ? logs[(logs.length - 1) / 2]! : (logs[logs.length / 2 - 1]! + logs[logs.length / 2]!) / 2;
  assert.ok(Math.abs(Math.exp(mid) / s.ratio.trained! - 1) < 1e-9, `${Math.exp(mid)} vs ${s.ratio.trained}`);
  const phases = new Set(readJsonl<{ phase?: string }>(join(run!.dir, 'metrics.jsonl')).map((l) => l.phase));
  assert.ok(phases.has('factorial') && phases.has('quality:fast') && phases.has('quality:slow'), [...phases].join(','));
});

test('re-running skips the finished run; the base comes from the cache', async () => {
  const out = await runExperiment(fixture, { root });
  assert.equal(out.outcomes.map((o) => o.status), ['skipped']);
  const s = listRuns(root)[0]!.record.summary as { base: { reused: boolean } };
  assert.type(s.base.reused, 'boolean');
});

test('the aggregate and the report carry the run files\' numbers', async () => {
  const runs = listRuns(root);
  const s = runs[0]!.record.summary as { ratio: { trained: number; factorial: number } };
  const a = aggregateSpeedup(runs);
  assert.ok(Math.abs(a.ratio.trained!.mean - s.ratio.trained) < 1e-12);
  assert.ok(Math.abs(a.ratio.factorial!.mean - s.ratio.factorial) < 1e-12);
  assert.match(a.verdict, `${s.ratio.trained.toFixed(2)}× (one seed, no interval)`);
  const html = await renderReportHtml(await buildExperimentReport(runs));
  assert.match(html, 'Does LoRA train 3.7× faster than P-Tuning?');
  assert.match(html, s.ratio.factorial.toFixed(2));
  assert.match(html, runs[0]!.record.runId);
  assert.ok(existsSync(join(runs[0]!.dir, 'cells.json')));
});

test.run();
