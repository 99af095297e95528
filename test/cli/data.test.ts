import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { paths } from '../../lib/paths.ts';
import { ledgerlab } from '../helpers/cli.ts';

const sample = join(paths.datasets, 'advertisegen', 'dev-sample.jsonl');

test('data synth is deterministic and writes AdvertiseGen lines', () => {
  const a = ledgerlab(['data', 'synth', '--seed', '3', '--count', '5', '--lang', 'zh']);
  const b = ledgerlab(['data', 'synth', '--seed', '3', '--count', '5', '--lang', 'zh']);
  assert.is(a.code, 0, a.stderr);
  assert.is(a.stdout, b.stdout);
  const lines = a.stdout.trim().split('\n').map((l) => JSON.parse(l));
  assert.is(lines.length, 5);
  for (const l of lines) assert.match(l.content, /^类型#/);
  assert.is.not(ledgerlab(['data', 'synth', '--seed', '4', '--count', '5']).stdout, a.stdout);
});

test('data padding: max_length pads every example to source+target; longest wastes less', () => {
  const r = ledgerlab(['data', 'padding', sample, '--json']);
  assert.is(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.is(out.examples, 870);
  const row = (p: string, g: boolean) => out.rows.find((x: { padding: string; groupByLength: boolean }) => x.padding === p && x.groupByLength === g);
  assert.is(row('max_length', false).tokensPerExample, 192);
  assert.is(row('max_length', false).realTokens, row('longest', false).realTokens);
  assert.ok(row('longest', false).padTokens < row('max_length', false).padTokens);
  assert.ok(row('longest', true).padTokens < row('longest', false).padTokens);
});

test('bad flags and files are clear errors', () => {
  const lang = ledgerlab(['data', 'synth', '--lang', 'fr']);
  assert.is(lang.code, 2);
  assert.match(lang.stderr, '--lang must be zh, en or both, got "fr"');
  const missing = ledgerlab(['data', 'padding', '/nonexistent.jsonl']);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, 'dataset file not found: /nonexistent.jsonl');
});

test.run();
