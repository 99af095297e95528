/**
 * ONNX external data (issue 29: a 0.5B model's export exceeded protobuf's 2 GB and ORT refused it): a small
 * model forced to external data gives bit-identical logits and greedy tokens to its in-protobuf export, keeps
 * no weight bytes in the graph file, and ORT finds the side file from the model's folder whatever the cwd.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import onnxProto from 'onnx-proto';
import { initBackend } from '../../lib/runtime/index.ts';
import { Gpt, loadPretrained, initWeights, REFERENCE_CONFIG } from '../../lib/model/index.ts';
import { exportOnnx, OrtDecoder, generate } from '../../lib/infer/index.ts';

await initBackend();
const FIXTURES = join(import.meta.dirname, '..', 'model', 'fixtures');
const work = mkdtempSync(join(tmpdir(), 'onnx-external-test-'));
const ids = [5, 17, 99, 3, 64, 12, 7];

async function logitsAndTokens(source: Parameters<typeof OrtDecoder.create>[0]): Promise<{ logits: Float32Array; tokens: number[] }> {
  const ort = await OrtDecoder.create(source, { intraOpThreads: 1 });
  const { logits } = await ort.run(ids, 1, ids.length);
  const { tokens } = await generate(ort, [ids], { maxNew: 8 });
  await ort.dispose();
  return { logits, tokens: tokens[0] };
}

const models: Record<string, () => Gpt> = {
  'qwen2 (llama graph, q/k/v biases)': () => { const p = loadPretrained(join(FIXTURES, 'qwen2-bias-f16')); return Gpt.fromWeights(p.config, p.weights); },
  'gpt2 (reference config)': () => Gpt.fromWeights(REFERENCE_CONFIG, initWeights(REFERENCE_CONFIG, 3)),
};

for (const [label, make] of Object.entries(models)) {
  test(`${label}: external data gives exactly the in-protobuf export's logits and tokens`, async () => {
    const model = make();
    const inline = await exportOnnx(model);
    const dir = join(work, label.split(' ')[0]);
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'model.onnx');
    const external = await exportOnnx(model, file, { externalData: true });
    assert.ok(external.externalData);
    assert.ok(existsSync(`${file}.data`) && !existsSync(`${file}.data.tmp`));
    // The graph file holds no weight bytes: every large initializer points into the side file.
    const proto = onnxProto.onnx.ModelProto.decode(readFileSync(file));
    const big = proto.graph!.initializer!.filter((t) => (t.externalData ?? []).length > 0);
    assert.ok(big.length > 0);
    assert.ok(statSync(file).size < 64 * 1024, `graph file ${statSync(file).size} bytes`);
    assert.ok(statSync(`${file}.data`).size >= inline.bytes.length - statSync(file).size);
    const a = await logitsAndTokens(inline);
    // From another working directory, by export object and by path: ORT resolves the data from the model's folder.
    const cwd = process.cwd();
    process.chdir(tmpdir());
    try {
      for (const source of [external, file]) {
        const b = await logitsAndTokens(source);
        assert.equal(b.tokens, a.tokens);
        assert.ok(a.logits.length === b.logits.length && a.logits.every((v, i) => Object.is(v, b.logits[i])), 'logits bitwise equal');
      }
    } finally {
      process.chdir(cwd);
    }
    model.dispose();
  });
}

test('an external export without a path goes to a temporary folder that remove() deletes', async () => {
  const model = Gpt.fromWeights(REFERENCE_CONFIG, initWeights(REFERENCE_CONFIG, 1));
  const exp = await exportOnnx(model, undefined, { externalData: true });
  assert.ok(exp.file && existsSync(`${exp.file}.data`));
  const ort = await OrtDecoder.create(exp, { intraOpThreads: 1 });
  exp.remove!();
  assert.not.ok(existsSync(exp.file!));
  // The session keeps working: ORT read (or mapped) the data when it was created.
  const { logits } = await ort.run(ids, 1, ids.length);
  assert.ok(logits.every(Number.isFinite));
  await ort.dispose();
  model.dispose();
});

test.after(() => rmSync(work, { recursive: true, force: true }));
test.run();
