import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initBackend } from '../../lib/runtime/index.ts';
import { Gpt } from '../../lib/model/index.ts';
import { pretrainBase, pretrainKey, domainTexts, taskSequences, readWeights } from '../../lib/train/pretrain.ts';
import { evalLoss } from '../../lib/train/eval-loss.ts';
import { TrainSchema } from '../../lib/train/config.ts';
import { fixture, LIMITS } from './setup.ts';

await initBackend();
const f = fixture(40);
const tmp = mkdtempSync(join(tmpdir(), 'll-pretrain-'));
const texts = domainTexts(f.examples.slice(0, 34));
const train = TrainSchema.parse({ steps: 24, batchSize: 8, lr: 1e-2, warmupSteps: 4, logEvery: 4, checkpointEvery: 4 });
const req = { model: f.config, tokenizer: f.tok, texts, train, seed: 0, quiet: true };

test('pretrains once, caches weights + tokenizer + meta under the key, and reuses the entry', async () => {
  const cacheRoot = join(tmp, 'cache');
  const a = await pretrainBase({ ...req, cacheRoot });
  assert.is(a.reused, false);
  assert.is(a.dir, join(cacheRoot, `base-${pretrainKey(req).slice(0, 16)}`));
  assert.equal(readdirSync(a.dir).sort(), ['meta.json', 'metrics.jsonl', 'tokenizer.json', 'weights.safetensors']);
  assert.equal(readdirSync(cacheRoot), [`base-${a.key.slice(0, 16)}`], 'the partial folder was renamed into place');
  assert.equal([a.meta.blockSize, a.meta.texts, a.meta.seed], [64, 68, 0]);
  assert.ok(a.meta.blocks.eval >= 1 && a.meta.blocks.train > 20, JSON.stringify(a.meta.blocks));
  assert.ok(a.meta.evalLoss! < Math.log(f.tok.vocabSize) - 0.5, `eval loss ${a.meta.evalLoss} vs uniform ${Math.log(f.tok.vocabSize)}`);

  const b = await pretrainBase({ ...req, cacheRoot });
  assert.is(b.reused, true);
  assert.is(b.key, a.key);
  for (const [n, t] of a.weights) assert.equal(b.weights.get(n)!.data, t.data, n);
  assert.equal(b.tokenizer.toJSON(), f.tok.toJSON());
  assert.equal(readWeights(join(a.dir, 'weights.safetensors')).get('embed.token')!.data, a.weights.get('embed.token')!.data);

  // The pretrained base models the held-out examples better than its random init.
  const enc = { batchSize: 6, padding: 'longest' as const, ...LIMITS, padId: 0 };
  const pre = Gpt.fromWeights(f.config, a.weights);
  const rnd = Gpt.fromWeights(f.config, f.base);
  const lp = (await evalLoss(pre, f.eval, enc)).loss, lr = (await evalLoss(rnd, f.eval, enc)).loss;
  assert.ok(lp < lr - 0.5, `pretrained ${lp} vs random ${lr}`);
  pre.dispose();
  rnd.dispose();
});

test('the key covers seed, data, tokenizer and train config', () => {
  const k = pretrainKey(req);
  assert.is(k.length, 64);
  assert.not.equal(pretrainKey({ ...req, seed: 1 }), k);
  assert.not.equal(pretrainKey({ ...req, texts: texts.slice(1) }), k);
  assert.not.equal(pretrainKey({ ...req, train: { ...train, lr: 2e-2 } }), k);
  assert.not.equal(pretrainKey({ ...req, blockSize: 32 }), k);
  assert.is(pretrainKey({ ...req, texts: [...texts] }), k);
});

test('sequences (the fine-tuning format) pretrain a base of their own: another key, meta says so, exactly one data kind', async () => {
  const seqs = taskSequences(f.train.slice(0, 34));
  assert.equal(seqs[0], [...f.train[0]!.prompt, ...f.train[0]!.target]);
  const { texts: _, ...noTexts } = req;
  const sreq = { ...noTexts, sequences: seqs };
  assert.not.equal(pretrainKey(sreq), pretrainKey(req));
  assert.not.equal(pretrainKey({ ...sreq, sequences: seqs.slice(1) }), pretrainKey(sreq));
  const b = await pretrainBase({ ...sreq, train: { ...train, steps: 4 }, cacheRoot: join(tmp, 'seq') });
  assert.equal([b.meta.data, b.meta.texts, b.meta.version], ['sequences', 34, 2]);
  const tokens = seqs.reduce((a, q) => a + q.length, 0);
  assert.is(b.meta.blocks.train + b.meta.blocks.eval, Math.floor(tokens / 64));
  for (const bad of [noTexts, { ...req, sequences: seqs }]) {
    try {
      await pretrainBase({ ...bad, cacheRoot: join(tmp, 'bad-data') });
      assert.unreachable();
    } catch (e) {
      assert.match((e as Error).message, /pretraining needs exactly one of texts and sequences/);
    }
  }
});

test('an interrupted pretraining resumes from its partial folder to the same weights', async () => {
  const straight = await pretrainBase({ ...req, cacheRoot: join(tmp, 'straight') });
  const cacheRoot = join(tmp, 'interrupted');
  try {
    await pretrainBase({ ...req, cacheRoot, onLog: (l) => { if (l.step === 12 && 'loss' in l) throw new Error('simulated crash'); } });
    assert.unreachable();
  } catch (e) {
    assert.is((e as Error).message, 'simulated crash');
  }
  const partial = join(cacheRoot, `.partial-${straight.key.slice(0, 16)}`);
  assert.ok(existsSync(join(partial, 'checkpoint.safetensors')));
  const resumed = await pretrainBase({ ...req, cacheRoot });
  assert.is(resumed.reused, false);
  assert.not.ok(existsSync(partial));
  for (const [n, t] of straight.weights) assert.equal(resumed.weights.get(n)!.data, t.data, n);
  assert.is(resumed.meta.finalLoss, straight.meta.finalLoss);
});

test('vocab mismatch is a located config error', async () => {
  try {
    await pretrainBase({ ...req, model: { ...f.config, vocab: 10 }, cacheRoot: join(tmp, 'bad') });
    assert.unreachable();
  } catch (e) {
    assert.match((e as Error).message, /tokenizer has 400 tokens but the model's vocab is 10 \(at model\.vocab\)/);
  }
});

test.after(() => rmSync(tmp, { recursive: true, force: true }));
test.run();
