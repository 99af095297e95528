/**
 * GET /api/runs/:id/events — server-sent events that follow a run as it writes: `metrics` (the newest lines of
 * metrics.jsonl, the progress with ETA, the status and the loss chart so far), then `end` with the final
 * status once the run has stopped and every line was read. The file is polled (fs.watch misses appends on
 * some file systems) and read in bounded chunks into a digest (metrics.ts), so a run of any length answers
 * in bounded memory; a torn last line waits for its newline. A failure is sent as an `error` event and ends
 * the stream — never swallowed, never a stream left hanging.
 */
import type { FastifyReply } from 'fastify';
import type { ServerResponse } from 'node:http';
import { findRuns } from '../results/index.ts';
import { curveChart } from './charts.ts';
import { JsonlFollower, type LineProblem } from './jsonl-follow.ts';
import { MetricsDigest } from './metrics.ts';
import { artifactFile, progressOf } from './run-view.ts';

/** Least time between two loss charts on one stream (a chart carries every point so far, thinned). */
const CHART_MS = 250;
/** Most bytes read per tick, so one huge file does not hold a tick for long. */
const TICK_BYTES = 16 << 20;
/** Most lines one event carries (the newest); `count` says how many there are in all. */
const MAX_EVENT_LINES = 1000;

export interface EventsOptions {
  root: string;
  runId: string;
  /** The run folder's real path inside the root, or undefined while it does not exist (a launch not started yet). */
  dirOf(): string | undefined;
  pollMs?: number;
  statusOf(runId: string): string | undefined;
}

/** The state of one stream between ticks. */
class Follow {
  readonly digest = new MetricsDigest();
  follower?: JsonlFollower;
  fresh: Record<string, unknown>[] = [];
  warnings: LineProblem[] = [];
  lastChart = 0;
  lastSent = 0;
  lastStatus?: string;
  /** The client went away: stop reading. */
  closed = false;
  /** A sink that keeps the newest lines of this tick and feeds the digest. */
  readonly sink = {
    line: (l: Record<string, unknown>) => {
      this.digest.line(l);
      this.fresh.push(l);
      if (this.fresh.length > MAX_EVENT_LINES) this.fresh.shift();
    },
    bad: (p: LineProblem) => { this.digest.bad(p); this.warnings.push(p); },
  };
}

export function streamRunEvents(reply: FastifyReply, o: EventsOptions): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  const st = new Follow();
  res.on('close', () => { st.closed = true; });
  const loop = async () => {
    while (!st.closed) {
      const done = await tick(res, o, st);
      if (done) break;
      await new Promise((r) => setTimeout(r, o.pollMs ?? 250));
    }
  };
  loop().catch((err) => {
    // Said to the client, then the stream ends: a failure must not look like a run that never writes.
    if (!st.closed) send(res, 'error', { error: (err as Error).message ?? String(err) });
    res.end();
  }).finally(() => { st.closed = true; if (!res.writableEnded) res.end(); });
}

function send(res: ServerResponse, event: string, data: unknown): void {
  res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
}

/** One poll: read what was appended, send a `metrics` event when something changed, `end` once stopped. */
async function tick(res: ServerResponse, o: EventsOptions, st: Follow): Promise<boolean> {
  const status = o.statusOf(o.runId);
  const dir = o.dirOf();
  let config: unknown;
  let run: Record<string, unknown> | undefined;
  if (dir) {
    const [e] = findRuns([dir], o.root);
    config = e.record.config;
    run = { kind: e.record.kind, name: e.record.name, seeds: e.record.seeds, startedAt: e.record.startedAt };
    if (!st.follower) {
      const path = artifactFile(e, 'metrics', 'metrics.jsonl', st.warnings);
      if (path) st.follower = new JsonlFollower(path, `${o.runId}/${e.record.artifacts.metrics ?? 'metrics.jsonl'}`);
    }
  }
  const done = status !== 'running' && status !== 'pending';
  // A stopped run is read to its end (in chunks); a running one gets at most TICK_BYTES per tick.
  if (st.follower) while ((await st.follower.readMore(st.sink, TICK_BYTES)) > TICK_BYTES - 4 && done && !st.closed);
  if (st.closed) return true;
  const now = Date.now();
  if (st.fresh.length || st.warnings.length || done || status !== st.lastStatus || now - st.lastSent > 5000) {
    const withChart = done || now - st.lastChart >= CHART_MS;
    const chart = withChart ? curveChart([{ id: o.runId, points: st.digest.curve('loss') }], 'loss', 'training loss') : undefined;
    if (withChart) st.lastChart = now;
    st.lastSent = now;
    st.lastStatus = status;
    send(res, 'metrics', {
      lines: st.fresh, count: st.digest.count, status: status ?? 'missing', ...(run ? { run } : {}), progress: progressOf(config, st.digest.recent),
      ...(st.warnings.length ? { warnings: st.warnings } : {}), ...(chart ? { chart: chart.spec } : {}),
    });
    st.fresh = [];
    st.warnings = [];
  }
  if (done) {
    send(res, 'end', { status: status ?? 'missing' });
    res.end();
  }
  return done;
}
