// Issue 27: the processes the workbench starts (lib/ui/launch.ts) get a named, minimal environment — not the
// server's environment wholesale, and nothing planted on Object.prototype (Node's spawn copies inherited keys
// of the env object; a polluted NODE_OPTIONS ran an attacker's code in every child).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Launcher, type Launch } from '../../lib/ui/index.ts';
import { passesToChild } from '../../lib/util/index.ts';
import { tempRoot } from './browser.ts';
import { writeRun } from './synthetic.ts';

const root = tempRoot('env');
test.after(() => rmSync(root, { recursive: true, force: true }));

/** A canary module: NODE_OPTIONS=--require it, and it leaves a marker file if a child ever loads it. */
function canary(name: string): { options: string; marker: string } {
  const marker = join(root, `${name}.ran`);
  const file = join(root, `${name}.cjs`);
  writeFileSync(file, `require('node:fs').writeFileSync(${JSON.stringify(marker)}, 'ran');\n`);
  return { options: `--require ${file}`, marker };
}

async function exited(l: Launch): Promise<void> {
  for (let i = 0; i < 600 && l.exitCode === undefined; i++) await new Promise((r) => setTimeout(r, 100));
  assert.ok(l.exitCode !== undefined, 'the child did not exit in 60 s');
}

function environ(pid: number): Record<string, string> {
  const text = readFileSync(`/proc/${pid}/environ`, 'utf8');
  return Object.fromEntries(text.split('\0').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

test('a resumed run gets the allow-listed variables only (util childEnv): no NODE_OPTIONS, no unrelated secrets', async () => {
  writeRun(root, 'failed-a', { status: 'failed' });
  const own = canary('own');
  const saved = { ...process.env };
  process.env.NODE_OPTIONS = own.options;
  process.env.SEC_WEB_UNRELATED_SECRET = 'do-not-pass';
  let launch: Launch;
  let env: Record<string, string>;
  try {
    launch = new Launcher(root, []).resume('failed-a');
    env = environ(launch.pid!);
  } finally {
    delete process.env.NODE_OPTIONS;
    delete process.env.SEC_WEB_UNRELATED_SECRET;
    Object.assign(process.env, saved);
  }
  await exited(launch);
  assert.is(env.NODE_OPTIONS, undefined);
  assert.is(env.SEC_WEB_UNRELATED_SECRET, undefined);
  assert.is(env.LEDGERLAB_RESULTS, root);
  assert.is(env.PATH, process.env.PATH);
  assert.ok(Object.keys(env).every(passesToChild), Object.keys(env).join(' '));
  assert.not.ok(existsSync(own.marker), 'the child loaded NODE_OPTIONS from the server environment');
});

test('a key planted on Object.prototype never reaches a child', async () => {
  writeRun(root, 'failed-b', { status: 'failed' });
  const planted = canary('planted');
  let launch: Launch;
  Object.defineProperty(Object.prototype, 'NODE_OPTIONS', { value: planted.options, enumerable: true, configurable: true, writable: true });
  try {
    launch = new Launcher(root, []).resume('failed-b');
  } finally {
    delete (Object.prototype as Record<string, unknown>).NODE_OPTIONS;
  }
  await exited(launch);
  assert.not.ok(existsSync(planted.marker), 'the child ran code planted on Object.prototype');
});

test.run();
