// The 02-qlora-vs-fp16 notebook executed headless (Debian Jupyter + tslab) on a tiny experiment:
// synthetic data, 1 layer d 32, a few steps, one seed, three dtypes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNotebook, joinLines } from '../helpers/notebook.ts';
import { ledgerlab } from '../helpers/cli.ts';

const tmp = mkdtempSync(join(tmpdir(), 'll-nb-qlora-'));


test('02-qlora-vs-fp16 runs a tiny qlora experiment headless and prints memory, parity, projection and verdict', () => {
  const experiment = join(tmp, 'qlora-nb.json');
  writeFileSync(experiment, JSON.stringify({
    kind: 'qlora', name: 'qlora-nb', seeds: [0],
    config: {
      data: { source: 'synthetic', syntheticCount: 100, evalCount: 5, maxSource: 24, maxTarget: 32, vocab: 400 },
      model: { layers: 1, dModel: 32, heads: 2, context: 64, vocab: 400 },
      pretrain: { steps: 3, batchSize: 4, blockSize: 32 },
      dtypes: ['fp32', 'fp16', 'nf4-dq'],
      trainSteps: 3, batchSize: 2, timing: { warmup: 1, steps: 2 }, eval: { count: 5, maxNew: 6 },
      scaling: { ladder: [{ layers: 1, dModel: 32, heads: 2 }, { layers: 1, dModel: 64, heads: 2 }], batch: 2, seqLen: 16, vocab: 200, warmup: 1, repeats: 2 },
    },
  }));
  const out = join(tmp, 'out.ipynb');
  const root = join(tmp, 'results');
  const r = ledgerlab(['notebook', 'run', '02-qlora-vs-fp16', '-p', `experiment=${experiment}`, '-p', `root=${root}`, '--out', out], { timeoutMs: 240_000 });
  assert.is(r.code, 0, r.stderr);
  const { cells, text, html } = readNotebook(out);
  const injected = cells.find((c) => c.metadata.tags?.includes('injected-parameters'))!;
  assert.is(joinLines(injected.source), `experiment = "${experiment}";\nroot = "${root}";`);
  assert.match(text, /qlora-nb-[0-9a-f]{8}-s0: finished/);
  // 12288 linear-weight values: nf4-dq 6384 B (4.156 bits), 0.260 of fp16, 0.130 of fp32; buffers = formula.
  assert.match(text, /nf4-dq\s+4\.156\s+6384\s+yes\s+0\.260\s+0\.130/);
  assert.match(text, /fp16\s+16\.000\s+24576\s+yes\s+1\.000\s+0\.500/);
  assert.match(text, /PARITY: ((equivalent|not shown equivalent) within ±2\.00: rouge-l nf4-dq − fp16|no evidence: rouge-l is 0 for both nf4-dq and fp16)/);
  assert.match(text, /PROJECTION {2}LLaMA-7B nf4-dq/);
  assert.match(text, 'PUBLISHED  7B LoRA, 16-bit base: 16 GB — LLaMA-Factory README');
  assert.match(text, 'PUBLISHED  65B QLoRA (NF4 + double quantization + paged optimizers): 48 GB — QLoRA paper');
  assert.match(text, /VERDICT: Memory: .* 26\.0% of fp16's bytes/);
  assert.ok((html.match(/<svg/g) ?? []).length >= 4, 'memory, speed, quality and ladder charts inline');
});

test.run();
