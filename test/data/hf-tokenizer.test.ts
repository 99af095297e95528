import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer as HfLib } from '@huggingface/tokenizers';
import { paths } from '../../lib/paths.ts';
import { LedgerLabError } from '../../lib/errors.ts';
import { BpeTokenizer, CharTokenizer, loadAdvertiseGen, loadE2E, loadHfTokenizer, saveHfTokenizer } from '../../lib/index.ts';
import { llamaDir } from '../helpers/hf-tokenizer-dir.ts';

const GPT2 = join(paths.datasets, '..', 'tokenizers', 'gpt2');
const AG = join(paths.datasets, 'advertisegen', 'dev-sample.jsonl');
const E2E = join(paths.datasets, 'e2e', 'devset.csv');

test('GPT-2: the real vocabulary gives the known ids', () => {
  const tok = loadHfTokenizer(GPT2);
  // Ids as GPT-2's encoder.json / tiktoken's r50k_base give them.
  assert.equal(tok.encode('Hello world'), { ids: [15496, 995], tokens: ['Hello', 'Ġworld'] });
  assert.equal(tok.encode(' The quick brown fox jumps over the lazy dog.').ids, [383, 2068, 7586, 21831, 18045, 625, 262, 16931, 3290, 13]);
  assert.equal(tok.encode("It's 2024!").ids, [1026, 338, 48609, 0]);
  assert.equal(tok.encode('Hello world<|endoftext|>').ids, [15496, 995, 50256]); // the added token is matched in text
  assert.is(tok.bosId, 50256);
  assert.is(tok.eosId, 50256);
  assert.is(tok.padId, null);
  assert.is(tok.vocabSize, 50257);
  assert.is(tok.decode([15496, 995, 50256]), 'Hello world<|endoftext|>');
  assert.is(tok.decode([15496, 995, 50256], { skipSpecialTokens: true }), 'Hello world');
  // tokenizer.json carries truncation max_length 50; transformers ignores it unless asked, and so do we.
  assert.is(tok.encode('word '.repeat(80)).ids.length, 81);
  // GPT-2's post-processor adds nothing: with and without special tokens are the same.
  assert.equal(tok.encode('Hi', { addSpecialTokens: true }).ids, tok.encode('Hi', { addSpecialTokens: false }).ids);
  assert.is(tok.chatTemplate, null);
});

test('GPT-2 ids agree with js-tiktoken gpt2 on the E2E references', async () => {
  const { getEncoding } = await import('js-tiktoken');
  const enc = getEncoding('gpt2');
  const tok = loadHfTokenizer(GPT2);
  const e2e = await loadE2E(E2E);
  const texts = e2e.slice(0, 150).flatMap((e) => [e.source, ...e.references]);
  for (const t of texts) assert.equal(tok.encode(t).ids, enc.encode(t), t);
});

test('Llama-style: BOS from the post-processor, add_bos_token / add_eos_token, AddedToken specials, chat template', () => {
  const tok = loadHfTokenizer(llamaDir({}));
  assert.equal(tok.encode('hi hi!'), { ids: [1, 7, 7, 8], tokens: ['<s>', '▁hi', '▁hi', '!'] });
  assert.equal(tok.encode('hi hi!', { addSpecialTokens: false }).ids, [7, 7, 8]);
  assert.equal([tok.bosId, tok.eosId, tok.padId, tok.unkId], [1, 2, null, 0]);
  assert.is(tok.decode([1, 7, 7, 8], { skipSpecialTokens: true }), 'hi hi!');
  const noBos = loadHfTokenizer(llamaDir({ add_bos_token: false, add_eos_token: true }));
  assert.equal(noBos.encode('hi').ids, [7, 2]);
  const both = loadHfTokenizer(llamaDir({ add_bos_token: true, add_eos_token: true }));
  assert.equal(both.encode('hi').ids, [1, 7, 2]);
  const prompt = tok.applyChatTemplate([{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'hi!' }], { addGenerationPrompt: true });
  assert.is(prompt, '<s>[user] hi</s>[assistant] hi!</s>[assistant] ');
  assert.is(tok.applyChatTemplate([{ role: 'user', content: 'hi' }]), '<s>[user] hi</s>');
});

function err(fn: () => unknown): LedgerLabError {
  try {
    fn();
  } catch (e) {
    assert.instance(e, LedgerLabError);
    return e as LedgerLabError;
  }
  throw new Error('expected a throw');
}

test('located errors: no tokenizer.json, broken JSON, unknown special token, no chat template', () => {
  const empty = mkdtempSync(join(tmpdir(), 'll-hftok-'));
  let e = err(() => loadHfTokenizer(empty));
  assert.is(e.where, join(empty, 'tokenizer.json'));
  assert.is(e.problem, 'no tokenizer.json in the model directory');
  writeFileSync(join(empty, 'tokenizer.json'), '{\n  "version": "1.0",,\n}');
  e = err(() => loadHfTokenizer(empty));
  assert.is(e.where, `${join(empty, 'tokenizer.json')}:2:20`);
  const dir = llamaDir({ pad_token: '<pad>' });
  e = err(() => loadHfTokenizer(dir));
  assert.is(e.where, `${join(dir, 'tokenizer_config.json')}: pad_token`);
  assert.is(e.problem, 'pad_token "<pad>" is not in the vocabulary');
  e = err(() => loadHfTokenizer(GPT2).applyChatTemplate([{ role: 'user', content: 'x' }]));
  assert.is(e.problem, 'the tokenizer has no chat template');
});

let corpus: string[] = [];

test('own BPE and char tokenizers saved as tokenizer.json: @huggingface/tokenizers gives the same ids on the shared datasets', async () => {
  const ag = await loadAdvertiseGen(AG);
  const e2e = await loadE2E(E2E);
  corpus = [...ag.flatMap((e) => [e.source, e.target]), ...e2e.flatMap((e) => [e.source, ...e.references])];
  const extra = ['emoji 👩🏽‍💻🇨🇳✨', '  leading, trailing  \t tabs\r\nCRLF\n\n\u3000全角\u00a0nbsp ', "这款 denim jacket 很百搭！It's 100% cotton", '', ' ', '\u0000\u0001 ctrl \u007f'];
  for (const tok of [BpeTokenizer.train(corpus, { vocabSize: 2000 }), CharTokenizer.train(corpus.slice(0, 400), { vocabSize: 3000 })]) {
    const dir = mkdtempSync(join(tmpdir(), `ll-hfexp-${tok.kind}-`));
    saveHfTokenizer(tok, dir);
    // Read back by the library directly (no LedgerLab code in between) and through loadHfTokenizer.
    const lib = new HfLib(JSON.parse(readFileSync(join(dir, 'tokenizer.json'), 'utf8')), JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')));
    const ours = loadHfTokenizer(dir);
    assert.equal([ours.bosId, ours.eosId, ours.padId, ours.unkId, ours.vocabSize], [1, 2, 0, 4, tok.vocabSize]);
    let n = 0;
    for (const s of [...corpus, ...extra]) {
      const want = tok.encode(s);
      assert.equal(lib.encode(s).ids, want, `${tok.kind}: ${s}`);
      assert.equal(ours.encode(s).ids, want);
      if (tok.kind === 'bpe' || want.every((i) => i !== 4)) assert.is(ours.decode(want), tok.decode(want));
      n += want.length;
    }
    assert.ok(n > 10_000, `${n} tokens compared`);
  }
});

test.run();
