// The drift kind end to end on a tiny config: per-cycle metrics lines, predictions, summary; a run killed
// with SIGKILL mid-way resumes from its last cycle checkpoint and yields the same per-cycle metrics as an
// uninterrupted run; aggregation and the report section read the run files (also of a run in progress).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExperiment, reportSections } from '../../lib/experiments/index.ts';
import { listRuns } from '../../lib/results/index.ts';
import { readJsonl } from '../../lib/util/index.ts';
import { predictionsPath, DRIFT_CHECKPOINT, type CycleLine } from '../../lib/experiments/drift/kind.ts';
import { aggregateDrift } from '../../lib/experiments/drift/aggregate.ts';
import { ZH_KEYS } from '../../lib/metrics/zh.ts';
import { diversityScores } from '../../lib/metrics/index.ts';


/** Tiny enough for seconds per cycle: 1-layer d32 decoder, 3 cycles × 3 methods, 3 held-out examples. */
const TINY = {
  kind: 'drift', name: 'drift-tiny', seeds: [0],
  config: {
    scenario: { name: 'spreadsheet-2017', onset: 1, ramp: 0, severity: 0.9 },
    model: { layers: 1, dModel: 32, heads: 2, context: 160, vocab: 2000 },
    pretrain: { steps: 8, batchSize: 8, blockSize: 64, lr: 0.003, warmupSteps: 0 },
    cycles: 3, window: 8, stepsPerCycle: 2, batchSize: 4, maxSource: 64, maxTarget: 96,
    eval: { heldOut: 3, window: 2, maxNew: 10, resamples: 50, regression: 10 },
    detect: { metric: 'rouge-l', baseline: 2, k: 0.5, h: 5 },
  },
};

// Child mode: this file run with DRIFT_CHILD=<root> runs the experiment there and is killed by the parent.
if (process.env.DRIFT_CHILD) {
  const file = join(process.env.DRIFT_CHILD, 'tiny.json');
  await runExperiment(file, { root: process.env.DRIFT_CHILD });
  process.exit(0);
}

const dirA = mkdtempSync(join(tmpdir(), 'll-drift-a-'));
const dirB = mkdtempSync(join(tmpdir(), 'll-drift-b-'));
for (const d of [dirA, dirB]) writeFileSync(join(d, 'tiny.json'), JSON.stringify(TINY));

const lines = (dir: string) => readJsonl<CycleLine & { time: string }>(join(dir, 'metrics.jsonl')).filter((l) => l.phase === 'cycle');
const deterministic = (l: CycleLine & { time?: string }) => { const { time: _t, seconds: _s, ...rest } = l; return rest; };

test('a run streams one line per (cycle, method), predictions per cycle, and a summary', async () => {
  const out = await runExperiment(join(dirA, 'tiny.json'), { root: dirA });
  assert.is(out.failed.length, 0, out.failed[0]?.error);
  const o = out.outcomes[0]!;
  const ls = lines(o.dir);
  assert.equal(ls.map((l) => `${l.cycle}:${l.method}`), ['0:lora', '0:qlora', '0:ptuning-v2', '1:lora', '1:qlora', '1:ptuning-v2', '2:lora', '2:qlora', '2:ptuning-v2']);
  assert.equal(ls.map((l) => l.severity), [0, 0, 0, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9]);
  for (const l of ls) {
    assert.equal(Object.keys(l.heldOut), [...ZH_KEYS]);
    assert.equal(Object.keys(l.window), [...ZH_KEYS]);
    for (const k of ZH_KEYS) assert.ok(l.heldOut[k]!.lo <= l.heldOut[k]!.mean && l.heldOut[k]!.mean <= l.heldOut[k]!.hi);
    assert.ok(l.hallucination.rate >= 0 && l.hallucination.rate <= 1);
    assert.ok(l.regressions >= 0 && l.regressions <= 3);
    const items = readJsonl<{ 'rouge-l': number }>(predictionsPath(o.dir, l.method, l.cycle));
    assert.is(items.length, 3);
    assert.ok(Math.abs(items.reduce((a, it) => a + it['rouge-l'], 0) / 3 - l.heldOut['rouge-l']!.mean) < 1e-9);
  }
  assert.equal(ls.filter((l) => l.cycle === 0).map((l) => l.regressions), [0, 0, 0]);
  assert.ok(existsSync(join(o.dir, DRIFT_CHECKPOINT)));
  const s = o.summary as { cycles: number; methods: Record<string, { first: Record<string, number>; trainableParams: number }>; heldOut: { count: number } };
  assert.is(s.cycles, 3);
  assert.equal(Object.keys(s.methods), ['lora', 'qlora', 'ptuning-v2']);
  assert.is(s.methods.lora!.trainableParams, s.methods.qlora!.trainableParams);
  assert.is(s.methods.lora!.first['rouge-l'], ls[0]!.heldOut['rouge-l']!.mean);
  assert.is(s.heldOut.count, 3);
  // Diversity next to ROUGE, for the first and the last cycle, computed from that cycle's predictions.
  for (const [m, v] of Object.entries(s.methods)) {
    assert.equal(Object.keys(v.first), [...ZH_KEYS, 'distinct-1', 'distinct-2', 'repetition'], m);
    const firstPreds = readJsonl<{ prediction: string }>(predictionsPath(o.dir, m, 0)).map((it) => it.prediction);
    assert.equal(Object.fromEntries(['distinct-1', 'distinct-2', 'repetition'].map((k) => [k, v.first[k]])), diversityScores(firstPreds, 'zh'), m);
  }
});

test('kill -9 mid-run, resume: identical per-cycle metrics and predictions', async () => {
  const child = spawn(process.execPath, [import.meta.filename], { env: { ...process.env, DRIFT_CHILD: dirB }, stdio: 'ignore' });
  // Kill once cycle 1's first line is written: the checkpoint then covers cycle 0 only, and the killed
  // process has left a metrics line (and predictions) the resumed run must replace, not duplicate.
  const deadline = Date.now() + 120_000;
  let runDir = '';
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    const runs = listRuns(dirB);
    if (runs.length) runDir = runs[0]!.dir;
    if (runDir && existsSync(join(runDir, 'metrics.jsonl')) && lines(runDir).some((l) => l.cycle === 1)) break;
  }
  child.kill('SIGKILL');
  await new Promise((r) => child.on('exit', r));
  const before = lines(runDir);
  assert.ok(before.some((l) => l.cycle === 1) && !before.some((l) => l.cycle === 2), `killed mid-run (lines: ${before.map((l) => `${l.cycle}:${l.method}`).join(' ')})`);
  assert.is(listRuns(dirB)[0]!.status, 'interrupted');

  const out = await runExperiment(join(dirB, 'tiny.json'), { root: dirB });
  assert.is(out.outcomes[0]!.status, 'finished', out.outcomes[0]!.error);
  const rec = JSON.parse(readFileSync(join(runDir, 'run.json'), 'utf8')) as { resumes: number };
  assert.is(rec.resumes, 1);
  const a = listRuns(dirA)[0]!.dir;
  assert.equal(lines(runDir).map(deterministic), lines(a).map(deterministic));
  for (const l of lines(a)) assert.is(readFileSync(predictionsPath(runDir, l.method, l.cycle), 'utf8'), readFileSync(predictionsPath(a, l.method, l.cycle), 'utf8'));
});

test('aggregate, report section, and a run in progress', async () => {
  const runs = listRuns(dirA);
  const agg = aggregateDrift(runs, { resamples: 100 });
  assert.equal(agg.curves.map((c) => `${c.scenario}/${c.method}`), ['spreadsheet-2017/lora', 'spreadsheet-2017/qlora', 'spreadsheet-2017/ptuning-v2']);
  const ls = lines(runs[0]!.dir);
  for (const c of agg.curves) {
    assert.equal(c.points.map((p) => p.cycle), [0, 1, 2]);
    assert.equal(c.points.map((p) => p.heldOut['rouge-l']!.mean), ls.filter((l) => l.method === c.method).map((l) => l.heldOut['rouge-l']!.mean));
    assert.is(c.cusum.trace.length, 1);
  }
  assert.equal(agg.versus.map((v) => `${v.a}-${v.b}@${v.cycle}`), ['qlora-lora@2', 'ptuning-v2-lora@2']);
  assert.match(agg.verdict, 'spreadsheet-2017 / lora: held-out rouge-l');
  const part = await reportSections().drift!({ kind: 'drift', runs, allRuns: runs });
  const sections = 'sections' in part ? part.sections : part;
  assert.equal(sections.map((s) => s.title), ['The question', 'Setup', 'ROUGE over cycles', 'Change points', 'Regressions, hallucination, length', 'Verdict']);
  const charts = sections[2]!.blocks.filter((b) => b.type === 'chart');
  assert.is(charts.length, 2);

  // A run in progress: a finished run's record flipped back to running under this live process.
  const live = { ...runs[0]!, status: 'running' as const };
  assert.throws(() => aggregateDrift([live]), /no finished drift runs/);
  assert.is(aggregateDrift([live], { includeUnfinished: true, resamples: 50 }).curves[0]!.points.length, 3);
});

test.run();
