// The web workbench's launch form asks POST /api/estimate for what it is about to start: LedgerLab's shape and
// method mapped onto estimate() on this machine's preset, or a reason when there is no PEFT equivalent.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { estimate, hfConfigOf, launchEstimateInput, archFromConfig, baseParams, moduleTree } from '../../lib/estimate/index.ts';
import { buildApp } from '../../lib/ui/index.ts';
import { baseParamCount, CHATGLM2_TINY, REFERENCE_CONFIG, methodParamCount, MethodSchema } from '../../lib/index.ts';

test('LedgerLab shapes as config.json: the same base parameters as the decoder\'s own count', () => {
  for (const c of [CHATGLM2_TINY, REFERENCE_CONFIG, { ...CHATGLM2_TINY, qkvBias: true }]) {
    assert.is(baseParams(moduleTree(archFromConfig(hfConfigOf(c)))), baseParamCount(c), JSON.stringify(c));
  }
});

test('a finetune launch on the default ChatGLM2-tiny base: LedgerLab\'s own count for lora and ptuning-v2', () => {
  for (const method of [{ method: 'lora', r: 4, targets: ['q', 'k', 'v', 'o'] }, { method: 'ptuning-v2', prefixLength: 8 }, { method: 'ptuning-v1', promptLength: 8 }]) {
    const r = launchEstimateInput('finetune', { method, train: { steps: 10, batchSize: 2, checkpoint: true } });
    assert.ok('input' in r, JSON.stringify(r));
    const e = estimate((r as { input: Parameters<typeof estimate>[0] }).input);
    assert.is(e.trainableParams, methodParamCount(CHATGLM2_TINY, MethodSchema.parse(method), baseParamCount(CHATGLM2_TINY)), JSON.stringify(method));
    assert.is(e.device.name, 'cpu');
    assert.is(e.batch.batchSize, 2);
    assert.is(e.batch.checkpoint, true);
  }
  const gpt2 = launchEstimateInput('finetune', { model: REFERENCE_CONFIG, method: { method: 'lora', targets: ['q', 'v'] } });
  assert.match((gpt2 as { reason: string }).reason, 'no PEFT module equivalent');
  assert.ok('reason' in launchEstimateInput('simulate', {}));
  assert.match((launchEstimateInput('speedp', {}) as { reason: string }).reason, 'unknown kind');
  assert.match((launchEstimateInput('finetune', { train: { steps: -1 } }) as { reason: string }).reason, 'does not validate');
});

test('POST /api/estimate answers the form with the table, or a reason, never an error status', async () => {
  const { app } = await buildApp({ root: mkdtempSync(join(tmpdir(), 'll-est-ui-')), token: 'estimate-token-1', loopbackOnly: true });
  const post = (body: unknown) => app.inject({ method: 'POST', url: '/api/estimate', headers: { 'x-ledgerlab-token': 'estimate-token-1', host: 'localhost' }, payload: body as object });
  const ok = await post({ kind: 'finetune', name: 'x', config: { method: { method: 'lora' } } });
  assert.is(ok.statusCode, 200, ok.body);
  const j = JSON.parse(ok.body);
  assert.match(j.text, 'trainable params:');
  assert.ok(j.estimate.memory.total > 0 && j.estimate.step.seconds.mean > 0);
  const none = JSON.parse((await post({ kind: 'finetune', config: { model: { from: 'hf', path: '/nowhere' } } })).body);
  assert.is(none.estimate, null);
  assert.match(none.reason, 'Hugging Face checkpoint');
  assert.is((await app.inject({ method: 'POST', url: '/api/estimate', payload: {} })).statusCode, 401);
  await app.close();
});

test.run();
