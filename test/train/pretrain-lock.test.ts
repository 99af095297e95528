/**
 * Issue 20 point 7: two processes asking for the same pretrained base must not race on one
 * `.partial-<key>` folder. Two real processes: the first builds the entry under its lock, the second (started
 * while the first trains) waits for it, then reuses the finished entry.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { withFileLock } from '../../lib/util/file-lock.ts';

const tmp = mkdtempSync(join(tmpdir(), 'll-pretrain-lock-'));
const childFile = join(import.meta.dirname, 'pretrain-child.ts');

interface Child { proc: ChildProcess; out: string; err: string; ready: Promise<void>; done: Promise<number | null> }

function start(cacheRoot: string): Child {
  const proc = spawn(process.execPath, [childFile, cacheRoot], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, LEDGERLAB_QUIET: '' } });
  const c = { proc, out: '', err: '' } as Child;
  c.ready = new Promise((res) => proc.stdout!.on('data', (d) => { c.out += d; if (c.out.includes('ready\n')) res(); }));
  proc.stderr!.on('data', (d) => (c.err += d));
  c.done = new Promise((res) => proc.on('exit', res));
  return c;
}

const result = (c: Child) => JSON.parse(c.out.trim().split('\n').at(-1)!) as { pid: number; reused: boolean; key: string; sum: number };

async function until(cond: () => boolean, ms = 60_000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > ms) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('two processes, one base: the second waits for the first, then reuses its entry', async () => {
  const cacheRoot = join(tmp, 'cache');
  const a = start(cacheRoot);
  const b = start(cacheRoot);
  await Promise.all([a.ready, b.ready]);
  a.proc.stdin!.end('go\n');
  // B asks only once A holds the lock and is training in its partial folder.
  await until(() => existsSync(cacheRoot) && readdirSync(cacheRoot).some((n) => n.startsWith('.lock-')) && readdirSync(cacheRoot).some((n) => n.startsWith('.partial-')));
  b.proc.stdin!.end('go\n');
  assert.equal(await Promise.all([a.done, b.done]), [0, 0], `A: ${a.err}\nB: ${b.err}`);
  const ra = result(a), rb = result(b);
  assert.is(ra.reused, false);
  assert.is(rb.reused, true);
  assert.is(rb.key, ra.key);
  assert.is(rb.sum, ra.sum, 'B loaded exactly the weights A trained');
  assert.match(b.err, `pretrain: waiting for pid ${a.proc.pid} (`);
  assert.equal(readdirSync(cacheRoot), [`base-${ra.key.slice(0, 16)}`], 'no partial folder or lock left behind');
});

test('a lock left by a killed process is stale and taken over', async () => {
  const dead = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => dead.on('exit', r));
  const lock = join(tmp, 'stale', '.lock-x');
  await withFileLock(lock, async () => {}); // creates the folder
  writeFileSync(lock, JSON.stringify({ pid: dead.pid, host: (await import('node:os')).hostname(), since: '2026-01-01T00:00:00.000Z' }));
  let waited = false;
  assert.is(await withFileLock(lock, async () => 42, { onWait: () => (waited = true) }), 42);
  assert.is(waited, false);
  assert.is(existsSync(lock), false);
});

test('a lock held by a live process makes the next holder wait for its release', async () => {
  const lock = join(tmp, 'live', '.lock-y');
  const order: string[] = [];
  let release!: () => void;
  const first = withFileLock(lock, () => new Promise<void>((r) => { order.push('first in'); release = () => { order.push('first out'); r(); }; }));
  await until(() => order.length === 1);
  // The same process holds it: the owner is alive, so the second call waits (onWait names our pid).
  let owner = 0;
  const second = withFileLock(lock, async () => { order.push('second in'); }, { pollMs: 20, onWait: (o) => (owner = o.pid) });
  await new Promise((r) => setTimeout(r, 100));
  release();
  await Promise.all([first, second]);
  assert.equal(order, ['first in', 'first out', 'second in']);
  assert.is(owner, process.pid);
});

test.run();
