/**
 * `ledgerlab queue status URL`: what the queue holds, per sweep — waiting (including runs backing off before a
 * retry), active, finished and failed (for good) — and how many workers are connected. Read from Redis, so it
 * is the truth about the queue; run folders say what each run did.
 */
import type { RunJob } from './jobs.ts';
import { openRedis, redactUrl } from './connection.ts';
import { openQueue } from './submit.ts';

export interface SweepStatus { sweep: string; waiting: number; active: number; finished: number; failed: number; total: number }
export interface QueueStatus { queue: string; workers: number; sweeps: SweepStatus[] }

const GROUPS = {
  waiting: ['waiting', 'delayed', 'prioritized', 'waiting-children'],
  active: ['active'],
  finished: ['completed'],
  failed: ['failed'],
} as const;

export async function queueStatus(url: string): Promise<QueueStatus> {
  const conn = await openRedis(url, { where: 'URL' });
  const queue = await openQueue(conn);
  try {
    const sweeps = new Map<string, SweepStatus>();
    for (const [group, types] of Object.entries(GROUPS) as [keyof typeof GROUPS, readonly string[]][]) {
      const jobs = await queue.getJobs([...types] as never);
      for (const j of jobs) {
        const sweep = (j.data as RunJob | undefined)?.sweep ?? '(unknown)';
        const st = sweeps.get(sweep) ?? { sweep, waiting: 0, active: 0, finished: 0, failed: 0, total: 0 };
        st[group]++;
        st.total++;
        sweeps.set(sweep, st);
      }
    }
    return { queue: redactUrl(url), workers: await queue.getWorkersCount(), sweeps: [...sweeps.values()].sort((a, b) => a.sweep.localeCompare(b.sweep)) };
  } finally {
    await queue.close();
    conn.disconnect();
  }
}

export function formatQueueStatus(s: QueueStatus): string {
  const head = ['sweep', 'waiting', 'active', 'finished', 'failed'];
  const rows = s.sweeps.map((x) => [x.sweep, String(x.waiting), String(x.active), String(x.finished), String(x.failed)]);
  const widths = head.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j].length)));
  const lines = [`queue ${s.queue}: ${s.workers} worker${s.workers === 1 ? '' : 's'} connected`];
  if (!rows.length) lines.push('no jobs');
  else for (const r of [head, ...rows]) lines.push(r.map((x, j) => (j ? x.padStart(widths[j]) : x.padEnd(widths[j]))).join('  ').trimEnd());
  return lines.join('\n');
}
