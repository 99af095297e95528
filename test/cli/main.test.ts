import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ledgerlab } from '../helpers/cli.ts';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('--help lists commands', () => {
  const r = ledgerlab(['--help']);
  assert.is(r.code, 0);
  assert.match(r.stdout, 'usage: ledgerlab <command>');
  assert.match(r.stdout, /\n  env\s+show Node/);
});

test('command --help shows its usage', () => {
  const r = ledgerlab(['env', '--help']);
  assert.is(r.code, 0);
  assert.match(r.stdout, 'usage: ledgerlab env [--json]');
});

test('unknown command: usage error with suggestion, exit 2', () => {
  const r = ledgerlab(['evn']);
  assert.is(r.code, 2);
  assert.match(r.stderr, 'error (usage): unknown command "evn"');
  assert.match(r.stderr, 'did you mean "ledgerlab env"?');
});

test('unknown flag: usage error naming the flag and the usage', () => {
  const r = ledgerlab(['env', '--jsn']);
  assert.is(r.code, 2);
  assert.match(r.stderr, "Unknown option '--jsn'");
  assert.match(r.stderr, 'usage: ledgerlab env [--json]');
});

test('a system Node older than 22 re-runs the CLI on the bundled Node 22', async () => {
  const { existsSync } = await import('node:fs');
  const { spawnSync } = await import('node:child_process');
  const sys = '/usr/bin/node';
  if (!existsSync(sys)) return void console.log(`skipped: no system Node at ${sys}, nothing to check`);
  const v = spawnSync(sys, ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (Number(v.slice(1).split('.')[0]) >= 22) return;
  const r = spawnSync(sys, ['bin/ledgerlab.js', 'env', '--json'], { encoding: 'utf8' });
  assert.is(r.status, 0, r.stderr);
  assert.match(JSON.parse(r.stdout).node.version, /^v22\./);
});

test('--json errors: one JSON line on stderr with the code and every issue (path, message)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'll-json-err-'));
  const file = join(dir, 'bad.json');
  writeFileSync(file, JSON.stringify({ kind: 'simulate', name: 'x', config: { designs: [{ name: 'a', rule: 'nope' }], attacks: [], extra: 1 } }));
  const r = ledgerlab(['run', file, '--json']);
  assert.is(r.code, 1);
  assert.is(r.stdout, '');
  const { error } = JSON.parse(r.stderr) as { error: { kind: string; code: string; where: string; issues: unknown[]; exitCode: number } };
  assert.equal([error.kind, error.code, error.where, error.exitCode], ['config', 'config.invalid', `${file} at config.extra`, 1]);
  assert.equal(error.issues, [
    { path: ['config', 'extra'], message: 'unknown key; known keys: world, designs, attacks, search, population, spans' },
    { path: ['config', 'designs', 0, 'rule'], message: 'expected one of pro-rata | stake | volume-cap | sqrt | reputation, got string "nope"' },
    { path: ['config', 'attacks'], message: 'expected at least 1 items, got 0' },
  ]);
  const u = ledgerlab(['runz', '--json']);
  assert.is(u.code, 2);
  assert.equal(JSON.parse(u.stderr).error.code, 'usage.unknown_command');
  rmSync(dir, { recursive: true, force: true });
});

test.run();
