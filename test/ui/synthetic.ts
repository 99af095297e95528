/**
 * Run folders written directly (no training) for the security tests: a valid run.json as lib/results writes
 * it, metric lines, and whatever hostile detail a test plants (a path leading out, a forged pid, a symlink).
 * Plus a raw HTTP client that sends a path exactly as given (no normalisation of dots, slashes or encodings).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';

export interface SyntheticRun {
  status?: 'running' | 'finished' | 'failed' | 'interrupted';
  kind?: string;
  process?: { pid: number; host?: string; argv?: string[]; startTicks?: number };
  artifacts?: Record<string, string>;
  summary?: unknown;
  config?: unknown;
  /** metrics.jsonl's text (written as given) or its lines. */
  metrics?: string | Record<string, unknown>[];
}

export function writeRun(root: string, id: string, o: SyntheticRun = {}): string {
  const dir = join(root, id);
  mkdirSync(dir, { recursive: true });
  const t = '2026-12-01T10:00:00.000Z';
  writeFileSync(join(dir, 'run.json'), JSON.stringify({
    schemaVersion: 1, runId: id, kind: o.kind ?? 'toy', name: id, status: o.status ?? 'finished', startedAt: t, heartbeatAt: t,
    ...(o.status === 'running' ? {} : { endedAt: t }),
    process: { host: hostname(), argv: [], ...(o.process ?? { pid: 999_999 }) }, git: { dirty: false },
    config: o.config ?? { train: { steps: 3 } }, configSha256: 'a'.repeat(64), seeds: [0], environment: {},
    artifacts: o.artifacts ?? { metrics: 'metrics.jsonl' }, summary: o.summary ?? { scores: { rouge: 1 } }, resumes: 0,
  }, null, 2));
  if (o.metrics !== undefined) {
    const text = typeof o.metrics === 'string' ? o.metrics : o.metrics.map((l) => JSON.stringify(l) + '\n').join('');
    writeFileSync(join(dir, 'metrics.jsonl'), text);
  }
  return dir;
}

export interface RawAnswer { status: number; body: string; headers: Record<string, unknown> }

/** A raw HTTP request on its own connection: the path goes on the wire exactly as given. */
export function raw(port: number, path: string, o: { method?: string; headers?: Record<string, string>; body?: unknown; timeoutMs?: number } = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const data = o.body === undefined ? undefined : JSON.stringify(o.body);
    const req = request({ host: '127.0.0.1', port, path, agent: false, method: o.method ?? 'GET', headers: { ...(data ? { 'content-type': 'application/json' } : {}), ...o.headers } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode!, body, headers: res.headers }));
    });
    req.setTimeout(o.timeoutMs ?? 30_000, () => req.destroy(new Error(`${o.method ?? 'GET'} ${path}: no answer in ${o.timeoutMs ?? 30_000} ms`)));
    req.on('error', reject);
    req.end(data);
  });
}

/** Server-sent events of one stream until it ends (or `timeoutMs`), as [event, data] pairs. */
export async function sse(port: number, path: string, token: string, timeoutMs = 30_000): Promise<[string, unknown][]> {
  const r = await raw(port, path, { headers: { 'x-ledgerlab-token': token }, timeoutMs });
  if (r.status !== 200) throw new Error(`${path} → ${r.status}: ${r.body}`);
  return r.body.split('\n\n').filter((b) => b.trim()).map((b) => {
    const event = /^event: (.*)$/m.exec(b)?.[1] ?? '';
    const data = /^data: (.*)$/m.exec(b)?.[1];
    return [event, data === undefined ? undefined : JSON.parse(data)];
  });
}
