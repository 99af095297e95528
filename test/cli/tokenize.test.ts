import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerlab } from '../helpers/cli.ts';
import { llamaDir } from '../helpers/hf-tokenizer-dir.ts';
import { paths } from '../../lib/paths.ts';
import { BpeTokenizer, saveTokenizer } from '../../lib/index.ts';

const GPT2 = join(paths.datasets, '..', 'tokenizers', 'gpt2');

test('GPT-2 directory: --json gives the known ids and byte-level token strings, nothing added', () => {
  const r = ledgerlab(['tokenize', '--model', GPT2, 'Hello world, 你好', '--json']);
  assert.is(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout), { ids: [15496, 995, 11, 220, 19526, 254, 25001, 121], tokens: ['Hello', 'Ġworld', ',', 'Ġ', 'ä½', 'ł', 'å¥', '½'] });
  const t = ledgerlab(['tokenize', '--model', GPT2, 'Hello world']);
  assert.is(t.stdout, '2 tokens\n    0  15496  "Hello"\n    1    995  "Ġworld"\n');
});

test('Llama-style directory: the BOS the post-processor adds is shown; add_bos_token: false drops it', () => {
  let r = ledgerlab(['tokenize', '--model', llamaDir({}), 'hi hi!', '--json']);
  assert.equal(JSON.parse(r.stdout), { ids: [1, 7, 7, 8], tokens: ['<s>', '▁hi', '▁hi', '!'] });
  r = ledgerlab(['tokenize', '--model', llamaDir({ add_bos_token: false }), 'hi hi!', '--json']);
  assert.equal(JSON.parse(r.stdout), { ids: [7, 7, 8], tokens: ['▁hi', '▁hi', '!'] });
});

test('a LedgerLab tokenizer file works too; bad input is a located error with a non-zero exit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'll-tokcli-'));
  const tok = BpeTokenizer.train(['aaab aaab'], { vocabSize: 1000 });
  saveTokenizer(tok, join(dir, 'tok.json'));
  const r = ledgerlab(['tokenize', '--model', join(dir, 'tok.json'), 'aaab aaab', '--json']);
  assert.equal(JSON.parse(r.stdout), { ids: [263, 37, 263], tokens: ['aaab', 'Ġ', 'aaab'] });
  const miss = ledgerlab(['tokenize', 'x']);
  assert.is(miss.code, 2);
  assert.match(miss.stderr, 'error (usage): --model DIR is required');
  const none = ledgerlab(['tokenize', '--model', dir, 'x']);
  assert.is(none.code, 1);
  assert.match(none.stderr, `where: ${join(dir, 'tokenizer.json')}`);
});

test.run();
