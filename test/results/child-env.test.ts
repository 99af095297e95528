/**
 * Issue 27, high 2 (second half): what a child process inherits. git is started with an explicit environment
 * and core.fsmonitor off, so GIT_CONFIG_* variables — inherited from the parent's environment, or planted on
 * Object.prototype, which Node's spawn reads as well — cannot make `git status` run a command. childEnv, used
 * by the runner's workers, queue children and notebook runs, passes an allow-list of own variables only.
 * Each case runs in a fresh Node process, so a planted prototype key cannot leak into this test file.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.ts';
import { childEnv, passesToChild } from '../../lib/index.ts';

function gitRepo(): string {
  const dir = mkdtempSync(join(tmpdir(), 'll-git-'));
  const git = (...a: string[]) => spawnSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', ...a], { cwd: dir, encoding: 'utf8' });
  git('init', '-q');
  writeFileSync(join(dir, 'a'), 'a\n');
  git('add', 'a');
  git('commit', '-qm', 'x');
  return dir;
}

/** Runs gitState(repo) in a new process after `setup` (JavaScript run first); returns the marker's fate. */
function gitStateIn(repo: string, setup: string, env: Record<string, string> = {}): { markerMade: boolean; out: string } {
  const marker = join(repo, '..', `${repo.split('/').pop()}-marker`);
  const script = `const m = await import(${JSON.stringify(join(repoRoot, 'lib', 'results', 'git.ts'))});
    const MARK = ${JSON.stringify(marker)};
    ${setup}
    console.log(JSON.stringify(m.gitState(${JSON.stringify(repo)})));`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, ...env } });
  assert.is(r.status, 0, r.stderr);
  return { markerMade: existsSync(marker), out: r.stdout.trim() };
}

test('GIT_CONFIG_* planted on Object.prototype do not reach git (core.fsmonitor would run a command)', () => {
  const repo = gitRepo();
  const r = gitStateIn(repo, `Object.prototype.GIT_CONFIG_COUNT = '1'; Object.prototype.GIT_CONFIG_KEY_0 = 'core.fsmonitor'; Object.prototype.GIT_CONFIG_VALUE_0 = 'touch ' + MARK + '; false';`);
  assert.not.ok(r.markerMade, 'the fsmonitor command ran');
  assert.match(r.out, /"commit":"[0-9a-f]{40}"/);
});

test('GIT_CONFIG_* and GIT_DIR in the parent environment are not passed to git either', () => {
  const repo = gitRepo();
  const marker = join(repo, '..', `${repo.split('/').pop()}-marker`);
  const r = gitStateIn(repo, '', { GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'core.fsmonitor', GIT_CONFIG_VALUE_0: `touch ${marker}; false`, GIT_DIR: '/nonexistent' });
  assert.not.ok(r.markerMade, 'the fsmonitor command ran');
  assert.match(r.out, /"commit":"[0-9a-f]{40}","dirty":false/);
});

test('a repository config with core.fsmonitor set does not run it either', () => {
  const repo = gitRepo();
  const marker = join(repo, '..', `${repo.split('/').pop()}-marker`);
  spawnSync('git', ['config', 'core.fsmonitor', `touch ${marker}; false`], { cwd: repo });
  const r = gitStateIn(repo, '');
  assert.not.ok(r.markerMade, 'the fsmonitor command ran');
});

test('childEnv: an allow-list of own variables, no prototype, extra values on top (undefined removes)', () => {
  const proto = Object.prototype as Record<string, unknown>;
  proto.NODE_OPTIONS = '--require /tmp/evil.cjs';
  try {
    const env = childEnv({ LEDGERLAB_X: '1', PATH: undefined }, { PATH: '/bin', HOME: '/h', NODE_OPTIONS: '--inspect', LD_PRELOAD: '/x.so', GIT_CONFIG_COUNT: '1', BASH_ENV: '/x', HF_TOKEN: 't', LEDGERLAB_RESULTS: '/r' });
    assert.is(Object.getPrototypeOf(env), null);
    assert.equal(Object.keys(env).sort(), ['HF_TOKEN', 'HOME', 'LEDGERLAB_RESULTS', 'LEDGERLAB_X']);
    const seen: string[] = [];
    for (const k in env) seen.push(k); // what Node's spawn does: inherited keys would show up here
    assert.not.ok(seen.includes('NODE_OPTIONS'));
  } finally {
    delete proto.NODE_OPTIONS;
  }
  for (const [name, ok] of [['NODE_OPTIONS', false], ['LD_PRELOAD', false], ['GIT_EXEC_PATH', false], ['PATH', true], ['LEDGERLAB_CACHE', true], ['JUPYTER_PATH', true], ['LC_ALL', true]] as const) assert.is(passesToChild(name), ok, name);
});

test.run();
