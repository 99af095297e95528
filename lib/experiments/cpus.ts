/**
 * Which CPUs a process may run on (Linux: Cpus_allowed_list in /proc/self/status), for pinning `run --jobs`
 * workers to one core each (runner.ts) and for a timed run to record the core it was pinned to (scale kind).
 */
import { readFileSync } from 'node:fs';

/** "0-2,5" → [0, 1, 2, 5]. */
export function parseCpuList(list: string): number[] {
  return list.split(',').map((p) => p.trim()).filter(Boolean).flatMap((part) => {
    const [a, b] = part.split('-').map(Number);
    return b === undefined ? [a] : Array.from({ length: b - a + 1 }, (_, i) => a + i);
  });
}

/** The CPUs this process may run on, or undefined where /proc is not there. */
export function allowedCpus(status = '/proc/self/status'): number[] | undefined {
  try {
    const line = readFileSync(status, 'utf8').split('\n').find((l) => l.startsWith('Cpus_allowed_list:'));
    return line ? parseCpuList(line.split(':')[1]!) : undefined;
  } catch {
    return undefined;
  }
}
