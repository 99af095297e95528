// The finetune kind on a checkpoint the user brings: {"from": "hf", "path": DIR} — a Llama directory in the
// Hugging Face layout (random BF16 weights) with its tokenizer.json; the run tokenizes with that tokenizer,
// trains LoRA on gate as well as q/v, generates, scores, and records the checkpoint files' sha256.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runExperiment, prepareTask, DataSchema } from '../../lib/experiments/index.ts';
import { saveHfTokenizer, hfTaskTokenizer, encodeExample, loadTokenizer } from '../../lib/data/index.ts';
import { sha256File } from '../../lib/model/index.ts';
import { writeRandomLlama } from '../../lib/bench/index.ts';
import { readRunRecord, readJsonl } from '../../lib/results/index.ts';
import { readAdapter } from '../../lib/peft/index.ts';
import { repoRoot } from '../helpers/cli.ts';
import { generateCommand } from '../../lib/cli/commands/index.ts';
import { parseCommandArgs } from '../../lib/cli/args.ts';

test('finetune with model {"from": "hf"} uses the checkpoint and its tokenizer and records sha256', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'll-hf-ft-'));
  const data = { source: 'synthetic', syntheticCount: 40, evalCount: 4, maxSource: 32, maxTarget: 24, tokenizer: 'bpe', vocab: 300 };
  const tok = (await prepareTask(DataSchema.parse(data))).tokenizer;
  saveHfTokenizer(tok, dir);
  writeRandomLlama(dir, { layers: 1, hidden: 32, heads: 4, kvHeads: 2, ffn: 64, vocab: tok.vocabSize, context: 128, tied: true }, 'BF16', 3);
  const file = join(dir, 'exp.json');
  writeFileSync(file, JSON.stringify({
    kind: 'finetune', name: 'hf-tiny', seeds: [0],
    config: {
      data, model: { from: 'hf', path: dir },
      method: { method: 'lora', r: 4, alpha: 8, targets: ['q', 'v', 'gate'] },
      train: { steps: 3, batchSize: 4, lr: 0.01, warmupSteps: 0, logEvery: 1 },
      eval: { count: 4, maxNew: 8 },
    },
  }));
  const root = mkdtempSync(join(tmpdir(), 'll-hf-ft-res-'));
  const out = await runExperiment(file, { root });
  assert.is(out.failed.length, 0, out.failed[0]?.error);
  const rec = readRunRecord(out.outcomes[0].dir);
  const s = rec.summary as { steps: number; trainableParams: number; generation: string; scores: Record<string, number>; base: { checkpoint: { from: string; modelType: string; files: Array<{ file: string; sha256: string }> } } };
  assert.is(s.steps, 3);
  assert.is(s.trainableParams, 4 * ((32 + 32) + (32 + 16) + (32 + 64)), 'r·(in+out) for q [32→32], v [32→16], gate [32→64]');
  assert.is(s.generation, 'onnxruntime');
  assert.equal(Object.keys(s.scores), ['rouge-1', 'rouge-2', 'rouge-l', 'bleu-4', 'distinct-1', 'distinct-2', 'repetition']);
  assert.equal(s.base.checkpoint.files.map((f) => f.file), ['config.json', 'model.safetensors']);
  assert.is(s.base.checkpoint.files[1].sha256, sha256File(join(dir, 'model.safetensors')).sha256);
  assert.is(s.base.checkpoint.modelType, 'llama');
  const preds = readJsonl<{ source: string; prediction: string }>(join(out.outcomes[0].dir, 'predictions.jsonl'));
  assert.is(preds.length, 4);

  // generate --model RUN: the base rebuilt with the run's LoRA adapter reproduces the run's own greedy
  // prediction (the evaluation ran on ONNX Runtime; this runs tfjs), and its logits differ from the bare base's.
  const hfTok = hfTaskTokenizer(dir, tok.vocabSize);
  const prompt = encodeExample(hfTok, { id: 'x', source: preds[0].source, target: '' }, { maxSource: 32, maxTarget: 24 }).prompt;
  const gen = async (model: string) => {
    const lines: string[] = [];
    const log = console.log;
    console.log = (x: string) => void lines.push(x);
    try {
      await generateCommand.run(parseCommandArgs(generateCommand, ['--model', model, '--ids', prompt.join(','), '--max-new', '8', '--json', '--logits']));
    } finally {
      console.log = log;
    }
    return JSON.parse(lines.join('')) as { text: string; generated: number[]; promptLogits: number[][] };
  };
  const viaRun = await gen(out.outcomes[0].dir);
  assert.is(viaRun.text, preds[0].prediction);
  const bare = await gen(dir);
  const moved = bare.promptLogits.flat().reduce((m, v, i) => Math.max(m, Math.abs(v - viaRun.promptLogits.flat()[i])), 0);
  assert.ok(moved > 1e-3, `the trained adapter moves the logits (max |Δ| ${moved})`);

  // drift on the same checkpoint: a few cycles of QLoRA, recording the same digests.
  const driftFile = join(dir, 'drift.json');
  writeFileSync(driftFile, JSON.stringify({
    kind: 'drift', name: 'hf-drift', seeds: [0],
    config: {
      scenario: { name: 'spreadsheet-2017', onset: 1, ramp: 1, severity: 0.9 }, model: { from: 'hf', path: dir },
      methods: [{ name: 'qlora', method: { method: 'lora', r: 4, alpha: 8, targets: ['q', 'v'] }, quant: 'nf4-dq', lr: 0.01 }],
      cycles: 3, window: 4, stepsPerCycle: 1, batchSize: 4, maxSource: 32, maxTarget: 24,
      eval: { heldOut: 2, window: 0, maxNew: 4, resamples: 10, regression: 10 }, detect: { baseline: 2 },
    },
  }));
  const d = await runExperiment(driftFile, { root });
  assert.is(d.failed.length, 0, d.failed[0]?.error);
  const ds = readRunRecord(d.outcomes[0].dir).summary as { base: { checkpoint: { files: Array<{ sha256: string }> } } };
  assert.equal(ds.base.checkpoint.files, s.base.checkpoint.files);
});

test('generate --model RUN on a run of the built-in (pretrained, cached) base reproduces its prediction', async () => {
  const root = mkdtempSync(join(tmpdir(), 'll-run-gen-'));
  const out = await runExperiment(join(repoRoot, 'test', 'fixtures', 'finetune-tiny.json'), { root });
  assert.is(out.failed.length, 0, out.failed[0]?.error);
  const runDir = out.outcomes[0].dir;
  const pred = readJsonl<{ source: string; prediction: string }>(join(runDir, 'predictions.jsonl'))[0];
  // The base folder the adapter names holds the task's tokenizer: encode the prompt as evaluation did.
  const { info } = readAdapter(join(runDir, 'adapter.safetensors'));
  assert.is(info.base.kind, 'ledgerlab-base');
  const tok = loadTokenizer(join(info.base.path, 'tokenizer.json'));
  const prompt = encodeExample(tok, { id: 'x', source: pred.source, target: '' }, { maxSource: 32, maxTarget: 48 }).prompt;
  const lines: string[] = [];
  const log = console.log;
  console.log = (x: string) => void lines.push(x);
  try {
    await generateCommand.run(parseCommandArgs(generateCommand, ['--model', runDir, '--ids', prompt.join(','), '--max-new', '8', '--json']));
  } finally {
    console.log = log;
  }
  assert.is((JSON.parse(lines.join('')) as { text: string }).text, pred.prediction);
});

test.run();
