// The parity check the device check runs on a GPU, exercised here between two real backends that differ in
// every kernel: tfjs' JavaScript cpu kernels against wasm (XNNPACK + the kernel fixes).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { backendParity, PARITY_TOLERANCE } from '../../lib/index.ts';

test('cpu vs wasm: logits, LoRA loss and every LoRA gradient agree within the stated tolerances', async () => {
  const results = await backendParity('cpu');
  assert.equal(results.map((r) => r.name), ['logits gpt reference', 'lora loss gpt reference', 'lora gradients gpt reference']);
  for (const r of results) assert.ok(r.passed, `${r.name}: ${r.detail}`);
  assert.match(results[0].detail, /max \|Δ\| [\d.e+-]+ vs tolerance [\d.e+-]+ \(1e-3 of the range [\d.]+\)/);
  assert.match(results[2].detail, /, 8 tensors$/, 'r 8 on q and v in 2 layers: A and B per target');
  assert.equal(PARITY_TOLERANCE, { logitsOfRange: 1e-3, lossRel: 1e-4, gradOfMax: 1e-3 });
});

test.run();
