// The committed list of kernels the engine dispatches must be what the engine really dispatches: `ledgerlab
// env` judges backends (WebGPU among them) by it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ENGINE_KERNELS, missingEngineKernels, recordEngineKernels } from '../../lib/index.ts';

test('ENGINE_KERNELS = the kernels a step of every method and cached generation dispatch', async () => {
  const recorded = await recordEngineKernels();
  assert.equal(recorded, [...ENGINE_KERNELS], `stale list; the engine now dispatches:\n${JSON.stringify(recorded)}`);
});

test('missingEngineKernels names what a backend lacks', () => {
  assert.equal(missingEngineKernels('wasm'), [], 'wasm with the kernel fixes (UnsortedSegmentSum among them) has them all');
  const without = new Set(ENGINE_KERNELS.filter((k) => k !== 'Softmax' && k !== 'UnsortedSegmentSum'));
  assert.equal(missingEngineKernels('any', without), ['Softmax', 'UnsortedSegmentSum']);
  assert.equal(missingEngineKernels('no-such-backend'), [...ENGINE_KERNELS]);
});

test.run();
