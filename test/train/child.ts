/**
 * Child process for the kill -9 test: trains the fixture's LoRA model with checkpoints in DIR and, when
 * KILL_AT is set, SIGKILLs itself right after that step (between checkpoints, mid-run). On completion it
 * writes the trainable tensors to DIR/final.safetensors.
 *   node test/train/child.ts DIR [KILL_AT]
 */
import { join } from 'node:path';
import { initBackend } from '../../lib/runtime/index.ts';
import { buildModel } from '../../lib/peft/index.ts';
import { trainLoop } from '../../lib/train/loop.ts';
import { writeSafetensors, tensorFromArray } from '../../lib/model/safetensors.ts';
import { killTestSetup } from './setup.ts';

const [dir, killAt] = process.argv.slice(2);
await initBackend();
const { f, method, config } = killTestSetup();
const model = await buildModel(f.config, f.base, method, 'fp32', 0);
await trainLoop({
  model, config, train: f.train, eval: f.eval, padId: 0, seed: 7, metricsPath: join(dir, 'metrics.jsonl'), checkpointDir: dir, resume: true, quiet: true,
  onStep: (s) => { if (killAt && s === Number(killAt)) process.kill(process.pid, 'SIGKILL'); },
});
writeSafetensors(join(dir, 'final.safetensors'), new Map([...model.trainable].map(([n, v]) => [n, tensorFromArray('F32', v.shape, v.dataSync() as Float32Array)])));
