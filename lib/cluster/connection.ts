/**
 * The Redis behind the job queue: one BullMQ queue name for every LedgerLab sweep, URL checking with located
 * errors, and connections that fail fast for commands (submit, status) but keep retrying for workers (a
 * worker outlives a Redis restart). ioredis, bullmq and proper-lockfile are imported lazily throughout
 * lib/cluster, so importing lib/index.ts stays cheap and installs no signal handlers.
 */
import type { Redis } from 'ioredis';
import { LedgerLabError } from '../errors.ts';

/** Every sweep shares one queue; jobs carry their sweep's name. (BullMQ forbids ':' in queue names.) */
export const QUEUE_NAME = 'ledgerlab-runs';

/** Checks a `redis://[:password@]host:port[/db]` URL; `where` names the flag or argument it came from. */
export function parseQueueUrl(url: string, where = '--queue'): URL {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new LedgerLabError({ kind: 'usage', problem: `"${url}" is not a URL`, where, hint: 'e.g. --queue redis://10.0.0.5:6379' });
  }
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new LedgerLabError({ kind: 'usage', problem: `queue URL must start with redis:// or rediss://, got "${u.protocol}//"`, where, hint: 'e.g. --queue redis://10.0.0.5:6379' });
  }
  if (!u.hostname) throw new LedgerLabError({ kind: 'usage', problem: 'queue URL has no host', where, hint: 'e.g. --queue redis://10.0.0.5:6379' });
  if (u.pathname && u.pathname !== '/' && !/^\/\d+$/.test(u.pathname)) {
    throw new LedgerLabError({ kind: 'usage', problem: `queue URL path must be a database number, got "${u.pathname}"`, where, hint: 'e.g. redis://10.0.0.5:6379/0' });
  }
  // Anyone who can reach the queue can put runs on it (with any data path in their config): across machines,
  // Redis must ask for a password (redis-server --requirepass), and the URL must carry it.
  const loopback = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/.test(u.hostname);
  if (!loopback && !u.password) {
    throw new LedgerLabError({ kind: 'usage', problem: `a queue on another machine (${u.hostname}) needs a password`, where, hint: `start Redis with --requirepass and use redis://:PASSWORD@${u.host} (docs/cluster.md)` });
  }
  return u;
}

/** The URL as it may be printed or stored: without its password. */
export function redactUrl(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString().replace(/\/$/, '');
}

/**
 * Opens a connection and checks Redis answers. `persistent` (workers) retries forever with a capped delay;
 * otherwise a few quick retries, then a clear error instead of hanging.
 */
export async function openRedis(url: string, opts: { persistent?: boolean; where?: string } = {}): Promise<Redis> {
  parseQueueUrl(url, opts.where);
  // Loaded on first use: lib/index.ts (notebooks, every CLI command) should not pay for the queue client.
  const { Redis } = await import('ioredis');
  const conn = new Redis(url, {
    maxRetriesPerRequest: null, // BullMQ workers block on Redis; it requires this
    lazyConnect: true,
    retryStrategy: opts.persistent ? (n) => Math.min(200 * n, 5000) : (n) => (n > 3 ? null : 200 * n),
  });
  conn.on('error', () => {}); // reported below or retried; ioredis would otherwise print every attempt
  try {
    await conn.connect();
    await conn.ping();
  } catch (err) {
    conn.disconnect();
    throw new LedgerLabError({
      kind: 'io',
      problem: `cannot reach Redis at ${redactUrl(url)} (${(err as Error).message})`,
      where: opts.where ?? '--queue',
      // Never suggest --protected-mode no: an open Redis lets anyone on the network queue jobs (and write run folders).
      hint: 'start it on the queue host: redis-server --bind 127.0.0.1 for one machine, or for several --bind <the host\'s LAN address> --requirepass <secret> and redis://:<secret>@HOST:6379 — see docs/cluster.md',
      cause: err,
    });
  }
  return conn;
}
