// Real Jupyter (Debian nbclient) executing notebooks/03-rouge-drift.ipynb headless on a tiny drift config:
// it runs the experiment, plots the live view from metrics.jsonl, the pooled curves with bands and change
// marks, and prints change points and regression examples.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readNotebook, joinLines } from '../helpers/notebook.ts';
import { runNotebook } from '../../lib/notebook/runner.ts';


const tmp = mkdtempSync(join(tmpdir(), 'll-nb-drift-'));
const experiment = join(tmp, 'drift-nb.json');
writeFileSync(experiment, JSON.stringify({
  kind: 'drift', name: 'drift-nb', seeds: [0],
  config: {
    scenario: { name: 'label-noise', onset: 2, ramp: 0, severity: 1 },
    model: { layers: 1, dModel: 32, heads: 2, context: 160, vocab: 2000 },
    pretrain: { steps: 8, batchSize: 8, blockSize: 64, lr: 0.003, warmupSteps: 0 },
    methods: [
      { name: 'lora', method: { method: 'lora', r: 4, alpha: 8, targets: ['q', 'v'] }, quant: 'fp32', lr: 0.005 },
      { name: 'qlora', method: { method: 'lora', r: 4, alpha: 8, targets: ['q', 'v'] }, quant: 'nf4-dq', lr: 0.005 },
    ],
    cycles: 4, window: 8, stepsPerCycle: 2, batchSize: 4,
    eval: { heldOut: 3, window: 2, maxNew: 10, resamples: 50, regression: 10 },
    detect: { metric: 'rouge-l', baseline: 2, k: 0.5, h: 5 },
  },
}));

async function execute(params: Record<string, unknown>, out: string): Promise<void> {
  await runNotebook({ notebook: '03-rouge-drift', params, out, timeoutS: 300 });
}

test('03-rouge-drift runs headless on a tiny config: curves, change points, regressions', async () => {
  const out = join(tmp, 'out.ipynb');
  await execute({ experiment, resultsRoot: join(tmp, 'results'), examples: 2 }, out);

  const { cells, outputs } = readNotebook(out);
  const injected = cells.find((c) => c.metadata.tags?.includes('injected-parameters'))!;
  assert.match(joinLines(injected.source), `experiment = "${experiment}";`);
  const text = outputs.filter((o) => o.output_type === 'stream').map((o) => joinLines(o.text)).join('');
  assert.match(text, 'backend wasm');
  assert.match(text, /finished drift-nb-[0-9a-f]{8}-s0/);
  assert.match(text, /drift-nb-[0-9a-f]{8}-s0: finished, 4 cycle\(s\) logged, last line qlora @ cycle 3/);
  assert.match(text, /label-noise \/ lora: rouge-l [\d.]+ \(cycle 0\) -> [\d.]+ \(cycle 3\); CUSUM alarm/);
  assert.match(text, /label-noise \/ qlora: rouge-l/);
  assert.match(text, 'label-noise, cycle 3: qlora − lora =');
  assert.match(text, /regression examples: [0-4]\n/);
  // Live view (1 run) + held-out curves + window curves: three figures, each an inline SVG.
  const figures = outputs.filter((o) => o.output_type === 'display_data' && joinLines(o.data?.['text/html']).includes('<svg'));
  assert.is(figures.length, 3);
  assert.match(joinLines(figures[1]!.data!['text/html']), 'Held-out rouge-l over adaptation cycles — label-noise');
});

test.run();
