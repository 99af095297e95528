/**
 * GET /api/runs/:id/events — server-sent events that follow a run as it writes: `metrics` (new lines of
 * metrics.jsonl, the progress with ETA, the status and the loss chart so far), then `end` with the final
 * status once the run has stopped and every line was sent. The file is polled (fs.watch misses appends on
 * some file systems); a torn last line waits for its newline.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyReply } from 'fastify';
import { findRuns } from '../results/index.ts';
import { metricCurve } from './charts.ts';
import { progressOf } from './run-view.ts';

/** Least time between two loss charts on one stream (a chart carries every point so far). */
const CHART_MS = 250;

export interface EventsOptions { root: string; runId: string; pollMs?: number; statusOf(runId: string): string | undefined }

function readFrom(path: string, offset: number): { text: string; size: number } {
  if (!existsSync(path)) return { text: '', size: 0 };
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size <= offset) return { text: '', size };
    const buf = Buffer.alloc(size - offset);
    readSync(fd, buf, 0, buf.length, offset);
    return { text: buf.toString('utf8'), size };
  } finally {
    closeSync(fd);
  }
}

export function streamRunEvents(reply: FastifyReply, o: EventsOptions): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  const send = (event: string, data: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  const dir = join(o.root, o.runId);
  const all: Record<string, unknown>[] = [];
  let offset = 0;
  let pending = '';
  let closed = false;
  let lastChart = 0;
  let lastSent = 0;
  let lastStatus: string | undefined;
  const tick = () => {
    if (closed) return;
    const status = o.statusOf(o.runId);
    let config: unknown;
    let metricsRel = 'metrics.jsonl';
    let run: Record<string, unknown> | undefined;
    if (existsSync(join(dir, 'run.json'))) {
      const [e] = findRuns([dir], o.root);
      config = e.record.config;
      run = { kind: e.record.kind, name: e.record.name, seeds: e.record.seeds, startedAt: e.record.startedAt };
      metricsRel = e.record.artifacts.metrics ?? metricsRel;
    }
    const { text, size } = readFrom(join(dir, metricsRel), offset);
    offset = Math.max(offset, size);
    const parts = (pending + text).split('\n');
    pending = parts.pop() ?? '';
    const fresh = parts.filter((l) => l.trim()).flatMap((l) => { try { return [JSON.parse(l) as Record<string, unknown>]; } catch { return []; } });
    all.push(...fresh);
    const done = status !== 'running' && status !== 'pending';
    const now = Date.now();
    if (fresh.length || done || status !== lastStatus || now - lastSent > 5000) {
      // The chart (every point so far) at most every CHART_MS; lines, progress and status on every tick.
      const withChart = done || now - lastChart >= CHART_MS;
      const chart = withChart ? metricCurve([{ id: o.runId, lines: all }], 'loss', 'training loss') : undefined;
      if (withChart) lastChart = now;
      lastSent = now;
      lastStatus = status;
      send('metrics', { lines: fresh, count: all.length, status: status ?? 'missing', ...(run ? { run } : {}), progress: progressOf(config, all), ...(chart ? { chart: chart.spec } : {}) });
    }
    if (done) {
      send('end', { status: status ?? 'missing' });
      closed = true;
      res.end();
      return;
    }
    setTimeout(tick, o.pollMs ?? 250);
  };
  res.on('close', () => { closed = true; });
  tick();
}
