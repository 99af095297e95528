/**
 * The whole machine's CPU time from /proc/stat (Linux), as the quiet-machine guard needs it: busy time (every
 * state but idle, iowait and steal), steal (time the hypervisor gave our vCPUs to someone else) and the total,
 * in clock ticks (USER_HZ, 100 on every Linux kernel ABI Node runs on). Parsing is pure so recorded samples
 * can be replayed in tests; reading returns undefined where /proc/stat does not exist (macOS, Windows).
 *
 * @example
 * const a = readProcStat(); … const b = readProcStat();
 * (b.busy - a.busy) / USER_HZ   // core-seconds the machine spent busy in between
 */
import { readFileSync } from 'node:fs';

export interface ProcStat {
  /** user + nice + system + irq + softirq ticks, summed over every core. */
  busy: number;
  steal: number;
  /** every state's ticks (busy + idle + iowait + steal). */
  total: number;
  /** number of cpuN lines: the cores the kernel reports. */
  cores: number;
}

/** Clock ticks per second of /proc/stat (USER_HZ; fixed at 100 in the kernel's user ABI). */
export const USER_HZ = 100;

/** Parses /proc/stat text; undefined when it has no aggregate `cpu` line. */
export function parseProcStat(text: string): ProcStat | undefined {
  let agg: number[] | undefined;
  let cores = 0;
  for (const line of text.split('\n')) {
    const m = /^cpu(\d*)\s+(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === '') agg = m[2].trim().split(/\s+/).map(Number);
    else cores++;
  }
  if (!agg) return undefined;
  // Fields: user nice system idle iowait irq softirq steal (guest time is already inside user/nice).
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = agg;
  const busy = user + nice + system + irq + softirq;
  return { busy, steal, total: busy + idle + iowait + steal, cores };
}

/** Reads /proc/stat now; undefined where it does not exist or cannot be read. */
export function readProcStat(path = '/proc/stat'): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}
