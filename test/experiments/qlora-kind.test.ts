// The qlora kind end to end on a tiny config (synthetic data, 1 layer d 32, a few steps): run records,
// artefacts, exact bytes in the summary, aggregation across two seeds, parity pairs, and the report.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExperiment, buildExperimentReport } from '../../lib/experiments/index.ts';
import { renderReportHtml } from '../../lib/report/document.ts';
import { listRuns } from '../../lib/results/store.ts';
import { readJsonl } from '../../lib/util/index.ts';
import { initBackend } from '../../lib/runtime/index.ts';
import { aggregateQlora } from '../../lib/experiments/qlora/aggregate.ts';
import { qloraReport } from '../../lib/experiments/qlora/report.ts';

await initBackend();

const dir = mkdtempSync(join(tmpdir(), 'll-qlora-'));
const root = join(dir, 'results');
const TINY = {
  data: { source: 'synthetic', syntheticCount: 120, evalCount: 6, maxSource: 24, maxTarget: 40, vocab: 400 },
  model: { layers: 1, dModel: 32, heads: 2, context: 64, vocab: 400 },
  pretrain: { steps: 4, batchSize: 4, blockSize: 32 },
  trainSteps: 4, batchSize: 2,
  timing: { warmup: 1, steps: 2 },
  eval: { count: 6, maxNew: 8 },
  parity: { delta: 5 },
  scaling: { ladder: [{ layers: 1, dModel: 32, heads: 2 }, { layers: 1, dModel: 64, heads: 2 }], dtypes: ['fp32', 'fp16', 'nf4-dq'], batch: 2, seqLen: 16, vocab: 200, warmup: 1, repeats: 2 },
};
const file = join(dir, 'tiny.json');
writeFileSync(file, JSON.stringify({ kind: 'qlora', name: 'qlora-tiny', seeds: [0, 1], config: TINY }));
// d 32, 1 layer: linear weights 12288 values; nf4-dq 6384 bytes (see qlora-bytes.test.ts), fp16 24576, fp32 49152.
const LINEAR = { fp32: 49152, fp16: 24576, bf16: 24576, int8: 13056, fp4: 6912, nf4: 6912, 'nf4-dq': 6384 } as const;

test('two seeds × seven dtypes: summaries, exact bytes, artefacts', async () => {
  const out = await runExperiment(file, { root });
  assert.equal(out.outcomes.map((o) => [o.status, o.error]), [['finished', undefined], ['finished', undefined]]);
  const runs = listRuns(root);
  const rests = new Set<number>();
  for (const e of runs) {
    const s = e.record.summary as { dtypes: Record<string, { frozenBytes: number; trainableBytes: number; optimizerBytes: number; linearWeights: { theoretical: number; measured: number; exact: boolean; n: number }; trainableParams: number; step: { ms: { n: number; median: number }; peakBytes: number; transientBytes: number; peakTensorBytes: number; dequantMsPerStep: number }; quality?: { scores: Record<string, number> } }>; order: string[]; scaling: { rows: number } };
    assert.equal([...s.order].sort(), Object.keys(LINEAR).sort());
    for (const [d, bytes] of Object.entries(LINEAR)) {
      const r = s.dtypes[d]!;
      assert.equal([r.linearWeights.theoretical, r.linearWeights.measured, r.linearWeights.exact, r.linearWeights.n], [bytes, bytes, true, 12288], d);
      assert.is(r.trainableParams, 3 * (32 * 8 + 8 * 32), d); // default LoRA r 8 on q,k,v
      assert.is(r.step.ms.n, 2);
      assert.ok(r.step.ms.median > 0 && r.step.transientBytes > 0, d);
      // Peak = the step's transient engine bytes + resident state (frozen base incl. packed JS buffers, adapters, AdamW moments).
      assert.is(r.step.peakBytes, r.step.transientBytes + r.frozenBytes + r.trainableBytes + r.optimizerBytes, d);
      // The rest of the frozen base is fp32 whatever the dtype: token embeddings V×32 (V = the trained tokenizer's
      // size ≤ 400), positions 64×32, three LayerNorms, the six biases.
      const vocab = ((r.frozenBytes - r.linearWeights.measured) / 4 - (64 * 32 + 3 * 64 + 4 * 32 + 128 + 32)) / 32;
      assert.ok(Number.isInteger(vocab) && vocab > 100 && vocab <= 400, `${d}: ${vocab}`);
      rests.add(vocab);
      assert.is(r.step.dequantMsPerStep > 0, d !== 'fp32', d);
      assert.equal(Object.keys(r.quality?.scores ?? {}), ['rouge-1', 'rouge-2', 'rouge-l', 'bleu-4', 'distinct-1', 'distinct-2', 'repetition'], d);
      const preds = readJsonl<{ id: string; prediction: string; 'rouge-l': number }>(join(e.dir, `predictions-${d}.jsonl`));
      assert.is(preds.length, 6, d);
      assert.ok(preds.every((p) => typeof p.prediction === 'string' && typeof p['rouge-l'] === 'number'));
    }
    const errors = JSON.parse(readFileSync(join(e.dir, 'quant-errors.json'), 'utf8')) as Record<string, { name: string; maxAbsError: number }[]>;
    assert.is(errors['nf4-dq']!.length, 6);
    assert.ok(errors.fp32!.every((r) => r.maxAbsError === 0));
    assert.ok(errors.nf4!.every((r) => r.maxAbsError > 0));
    const ladder = JSON.parse(readFileSync(join(e.dir, 'ladder.json'), 'utf8')) as { dModel: number; dtype: string; linearBytesMeasured: number; linearBytesTheoretical: number }[];
    assert.equal(ladder.map((r) => `${r.dModel}/${r.dtype}`), ['32/fp32', '32/fp16', '32/nf4-dq', '64/fp32', '64/fp16', '64/nf4-dq']);
    assert.ok(ladder.every((r) => r.linearBytesMeasured === r.linearBytesTheoretical));
    assert.is(s.scaling.rows, 6);
  }
  assert.is(rests.size, 1, 'same fp32 remainder in every dtype and seed');
});

test('aggregate: memory ratios exact, parity over (seed, example) pairs, projection labelled', () => {
  const a = aggregateQlora(listRuns(root));
  assert.is(a.runs.length, 2);
  assert.is(a.memoryRatio['nf4-dq']!.linearVsFp16, 6384 / 24576);
  assert.is(a.memoryRatio['nf4-dq']!.linearVsFp32, 6384 / 49152);
  assert.is(a.memoryRatio.fp16!.linearVsFp16, 1);
  assert.is(a.dtypes['nf4-dq']!.bitsPerParam, (8 * 6384) / 12288);
  assert.ok(Object.values(a.dtypes).every((d) => d.exact));
  assert.is(a.slowdown.fp16!.vsFp16!.mean, 1);
  assert.is(a.parity!.n, 12);
  assert.is(a.parity!.delta, 5);
  assert.is(a.parity!.metric, 'rouge-l');
  assert.is(a.parity!.equivalent, !a.parity!.degenerate && a.parity!.lo >= -5 && a.parity!.hi <= 5);
  assert.equal(a.dtypes.fp16!.scores!['rouge-l']!.n, 12);
  assert.is(a.ladder.length, 6);
  assert.is(a.projection.length, 9); // 3 LLaMA sizes × 3 ladder dtypes
  assert.ok(a.projection.every((p) => p.label === 'PROJECTION'));
  assert.is(a.layerErrors['nf4-dq']!.length, 6);
  assert.match(a.verdict, /Memory: .* 26\.0% of fp16's bytes and 13\.0% of fp32's; measured buffers match the formula exactly for every dtype\./);
  assert.match(a.verdict, /Speed: a QLoRA step takes/);
  assert.match(a.verdict, /Quality: ((equivalent|not shown equivalent) within ±5\.00: rouge-l nf4-dq − fp16|no evidence: rouge-l is 0 for both nf4-dq and fp16)/);
});

test('report: sections, projection and published tables, renders to HTML', async () => {
  const doc = await buildExperimentReport(listRuns(root));
  const part = qloraReport(listRuns(root));
  assert.equal(part.sections.map((s) => s.title), ['The claim', 'Setup', 'Memory', 'Speed: the cost of dequantization', 'Quantization error of the weights', 'Quality and the parity test', 'Scaling: memory and step time vs size, and a projection', 'Verdict']);
  const html = await renderReportHtml(doc);
  assert.ok(html.includes('PROJECTION'));
  assert.ok(html.includes('LLaMA-Factory README'));
  assert.ok(html.includes('Parity verdict'));
  assert.ok(html.includes('<svg'), 'charts rendered');
  assert.is(doc.title, part.title);
});

test('a non-LoRA method is a located config error', async () => {
  const bad = join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ kind: 'qlora', name: 'qlora-bad', config: { ...TINY, method: { method: 'ptuning-v2', prefixLength: 4 } } }));
  const out = await runExperiment(bad, { root: join(dir, 'bad-root') });
  assert.is(out.failed.length, 1);
  assert.match(out.failed[0]!.error!, 'the qlora experiment trains LoRA adapters, got method "ptuning-v2"');
  assert.match(out.failed[0]!.error!, 'config.method.method');
  assert.ok(existsSync(join(dir, 'bad-root')));
});

test.run();
