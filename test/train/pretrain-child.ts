/**
 * Child process for the pretraining-lock test: prepares the fixture, prints "ready", waits for a line on
 * stdin, then asks for the pretrained base in CACHE and prints {pid, reused, key, sum} as JSON.
 *   node test/train/pretrain-child.ts CACHE
 */
import { createInterface } from 'node:readline';
import { initBackend } from '../../lib/runtime/index.ts';
import { pretrainBase, domainTexts } from '../../lib/train/pretrain.ts';
import { TrainSchema } from '../../lib/train/config.ts';
import { fixture } from './setup.ts';

const [cacheRoot] = process.argv.slice(2);
await initBackend();
const f = fixture(40);
const train = TrainSchema.parse({ steps: 60, batchSize: 8, lr: 1e-2, warmupSteps: 4, logEvery: 4, checkpointEvery: 4 });
const rl = createInterface({ input: process.stdin });
console.log('ready');
await new Promise((r) => rl.once('line', r));
rl.close();
const base = await pretrainBase({ model: f.config, tokenizer: f.tok, texts: domainTexts(f.examples.slice(0, 34)), train, seed: 0, cacheRoot });
let sum = 0;
for (const t of base.weights.values()) for (const x of t.data) sum += x;
console.log(JSON.stringify({ pid: process.pid, reused: base.reused, key: base.key, sum }));
