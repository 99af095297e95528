// 07-estimate executed headless (real Jupyter, tslab) with a parameter: the notebook example of estimate().
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ledgerlab } from '../helpers/cli.ts';
import { readNotebook } from '../helpers/notebook.ts';

test('07-estimate prints the estimate table and PEFT\'s line on the device it is given', () => {
  const out = join(mkdtempSync(join(tmpdir(), 'll-nb07-')), 'nb07.ipynb');
  const r = ledgerlab(['notebook', 'run', '07-estimate', '-p', 'device=h100', '--out', out], { timeoutMs: 600_000 });
  assert.is(r.code, 0, r.stderr);
  const { text } = readNotebook(out);
  assert.match(text, 'device  NVIDIA H100 SXM5 80GB (h100)');
  assert.match(text, 'LoRA: trainable params: 7,798,784 || all params: 6,251,382,784 || trainable%: 0.1248');
  assert.match(text, /ratio +lora \/ ptuning-v2 samples\/s: [\d.]+×/);
});

test.run();
