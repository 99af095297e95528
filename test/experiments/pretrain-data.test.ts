// What the task kinds pretrain on: the training examples in the fine-tuning format ('pairs', the default),
// or sources and targets as separate texts ('text').
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const cache = mkdtempSync(join(tmpdir(), 'll-pretrain-data-'));
process.env.LEDGERLAB_CACHE = cache; // before lib/experiments is loaded: BASE_CACHE is read at import
const { taskAndBase, SpeedupSchema } = await import('../../lib/experiments/index.ts');
const { taskSequences } = await import('../../lib/train/index.ts');
type PretrainMeta = import('../../lib/train/index.ts').PretrainMeta;
/** The built-in base's meta (the union's other side is a brought checkpoint's, which has none of this). */
const meta = (b: { pt: { meta: unknown } }) => b.pt.meta as PretrainMeta;

const config = (pretrain: Record<string, unknown>) => SpeedupSchema.parse({
  data: { source: 'synthetic', syntheticCount: 40, evalCount: 8, maxSource: 32, maxTarget: 48 },
  model: { layers: 1, dModel: 32, heads: 2, context: 96, vocab: 2000 },
  pretrain: { steps: 2, batchSize: 2, blockSize: 32, ...pretrain },
});

test("pretrain.data: 'pairs' (default) packs the training examples as prompt + target; 'text' packs texts", async () => {
  assert.equal(config({}).pretrain.data, 'pairs');
  const pairs = await taskAndBase(config({}), false);
  assert.equal([meta(pairs).data, meta(pairs).texts], ['sequences', pairs.task.train.length]);
  const tokens = taskSequences(pairs.task.train).reduce((a, q) => a + q.length, 0);
  assert.is(meta(pairs).blocks.train + meta(pairs).blocks.eval, Math.floor(tokens / 32));
  const text = await taskAndBase(config({ data: 'text' }), false);
  assert.equal([meta(text).data, meta(text).texts], [undefined, 2 * text.task.trainExamples.length]);
  assert.is.not(pairs.pt.key, text.pt.key, 'each data choice is a base of its own');
  assert.is((await taskAndBase(config({}), false)).pt.reused, true);
});

test('a bad pretrain.data and an unknown pretrain key are config errors naming the key', () => {
  assert.throws(() => config({ data: 'both' }), /pretrain\.data/);
  assert.throws(() => config({ synthetic: 10 }), /pretrain\.synthetic/);
});

test.after(() => rmSync(cache, { recursive: true, force: true }));
test.run();
