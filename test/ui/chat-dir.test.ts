/**
 * The chat page's `dir:` source (issue 29): a Hugging Face checkpoint directory, with or without a PEFT adapter,
 * is a chat model when it lies under LEDGERLAB_MODEL_DIRS; its stream is the same greedy continuation
 * `ledgerlab generate` gives; any other path is refused without being read.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { cpSync, mkdtempSync, realpathSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { tmpdir } from 'node:os';
import { ChatModels, chatTargets } from '../../lib/ui/chat/index.ts';
import { generate, openModel, TfjsDecoder } from '../../lib/infer/index.ts';
import { initBackend } from '../../lib/runtime/index.ts';
import { LedgerLabError } from '../../lib/errors.ts';
import { llamaDir } from '../helpers/hf-tokenizer-dir.ts';

await initBackend();
const FIXTURE = join(import.meta.dirname, '..', 'model', 'fixtures', 'llama-gqa-f32');
const root = mkdtempSync(join(tmpdir(), 'll-chat-dir-'));
const model = join(root, 'llama');
cpSync(FIXTURE, model, { recursive: true });
cpSync(llamaDir({}), model, { recursive: true });
// The root (a folder of models) and the checkpoint itself: a listed checkpoint also appears in the picker.
process.env.LEDGERLAB_MODEL_DIRS = [root, model].join(delimiter);

test('a listed checkpoint streams the greedy continuation generate gives', async () => {
  assert.equal(chatTargets('/nonexistent').filter((t) => t.source === 'dir').map((t) => t.ref), [`dir:${realpathSync(model)}`]);
  const models = new ChatModels('/nonexistent');
  const chat = await models.get(`dir:${model}`);
  let text = '';
  for await (const piece of chat.stream('hi', { maxNew: 6, temperature: 0, topP: 1 })) text += piece;
  const o = openModel(model);
  const ids = o.tokenizer!.encode('hi');
  const { tokens } = await generate(new TfjsDecoder(o.model), [ids], { maxNew: 6, eos: o.eos });
  assert.is(text, o.tokenizer!.decode(tokens[0]));
  o.model.dispose();
  await models.close();
});

test('paths outside LEDGERLAB_MODEL_DIRS are refused, adapters too', async () => {
  const models = new ChatModels('/nonexistent');
  for (const ref of [`dir:${FIXTURE}`, `dir:${model}+${FIXTURE}`, `dir:${root}/../etc`]) {
    try {
      await models.get(ref);
      assert.unreachable(ref);
    } catch (err) {
      assert.instance(err, LedgerLabError);
      assert.is((err as LedgerLabError).code, 'usage.model_dir_not_allowed', ref);
    }
  }
});

test.run();
