/**
 * Issue 27 on the queue, against a real redis-server: job payloads are written by anyone who can reach Redis,
 * so a worker refuses a run id of ".." (medium 10: it named the parent of --root) and payload keys that reach a
 * prototype, as unrecoverable failures that write nothing outside the root. Also: the Redis hint no longer
 * recommends `--protected-mode no`, and the prepare lock lives under LEDGERLAB_CACHE.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerLabError, QUEUE_NAME, openRedis, startWorker, type RunningWorker } from '../../lib/index.ts';
import { repoRoot } from '../helpers/cli.ts';
import { startRedis, type TestRedis } from './redis.ts';

let redis: TestRedis;
test.before(async () => { redis = await startRedis(); });
test.after(async () => { await redis.stop(); });

const job = (runId: string, extra: Record<string, unknown> = {}) => ({
  v: 1, sweep: 'evil', kind: 'simulate', name: 'evil', runId, seed: 0, point: {}, config: {},
  submitted: { at: new Date().toISOString(), host: 'elsewhere' }, ...extra,
});

/** Adds raw jobs (as an attacker with Redis access would), runs a worker until each failed; returns the reasons. */
async function failures(root: string, jobs: Array<{ id: string; data: unknown }>): Promise<string[]> {
  const { Queue } = await import('bullmq');
  const connection = await openRedis(redis.url);
  const queue = new Queue(QUEUE_NAME, { connection });
  let worker: RunningWorker | undefined;
  try {
    for (const j of jobs) await queue.add('run', j.data, { jobId: j.id, attempts: 3 });
    const log: string[] = [];
    worker = await startWorker({ url: redis.url, root, lockMs: 2000, log: (l) => log.push(l) });
    const reasons: string[] = [];
    for (const j of jobs) {
      const t0 = Date.now();
      for (;;) {
        const got = await queue.getJob(j.id);
        if (got && (await got.getState()) === 'failed') { reasons.push(got.failedReason); assert.is(got.attemptsMade, 1, 'not retried'); break; }
        if (Date.now() - t0 > 60_000) throw new Error(`job ${j.id} did not fail: ${log.join('\n')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    return reasons;
  } finally {
    await worker?.close();
    await queue.obliterate({ force: true });
    await queue.close();
    connection.disconnect();
  }
}

test('a job with runId ".." fails unrecoverably naming the id; nothing is written beside --root', async () => {
  const top = mkdtempSync(join(tmpdir(), 'll-qsec-'));
  const root = join(top, 'root');
  mkdirSync(root);
  const [reason] = await failures(root, [{ id: 'dotdot', data: job('..') }]);
  assert.match(reason!, /runId/);
  assert.equal(readdirSync(top), ['root']);
  assert.not.ok(existsSync(join(top, 'run.json')));
});

test('a job whose payload carries __proto__ keys fails unrecoverably; Object.prototype stays clean', async () => {
  const top = mkdtempSync(join(tmpdir(), 'll-qsec-'));
  const root = join(top, 'root');
  mkdirSync(root);
  const data = JSON.parse(JSON.stringify(job('evil-aaaa1111-s0')).replace('"point":{}', '"point":{"__proto__":{"polluted":"yes"}}'));
  const [reason] = await failures(root, [{ id: 'proto', data }]);
  assert.match(reason!, /"__proto__" is not allowed/);
  assert.match(reason!, /point\.__proto__/);
  assert.is(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(readdirSync(top), ['root']);
});

test('the hint for an unreachable Redis recommends 127.0.0.1 or requirepass, never --protected-mode no', async () => {
  const err = await openRedis('redis://127.0.0.1:1').then(() => undefined, (e) => e);
  assert.instance(err, LedgerLabError);
  assert.not.match((err as LedgerLabError).hint ?? '', /protected-mode/);
  assert.match((err as LedgerLabError).hint ?? '', /--bind 127\.0\.0\.1/);
  assert.match((err as LedgerLabError).hint ?? '', /--requirepass/);
});

test('the prepare lock lives under LEDGERLAB_CACHE when it is set', () => {
  const cache = mkdtempSync(join(tmpdir(), 'll-cache-'));
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', `const m = await import(${JSON.stringify(join(repoRoot, 'lib', 'cluster', 'locks.ts'))}); console.log(m.PREPARE_LOCK);`], { encoding: 'utf8', env: { ...process.env, LEDGERLAB_CACHE: cache } });
  assert.is(r.status, 0, r.stderr);
  assert.is(r.stdout.trim(), join(cache, 'locks', 'prepare'));
});

test.run();
