/**
 * A process's identity beyond its pid: a pid is reused once its process exits, so "pid N" in a file written
 * yesterday may name anyone's process today. The kernel's start time of the process (field 22 of
 * /proc/PID/stat, clock ticks since boot) does not repeat for a pid while the machine is up, so pid + start
 * time names one process. Linux only: elsewhere (no /proc) the start time is unknown (undefined).
 */
import { readFileSync } from 'node:fs';

/** What a run records about the process that runs it, to be matched before it is ever signalled. */
export interface ProcessIdentity { pid: number; startTicks?: number }

function readProc(pid: number, file: string): string | undefined {
  if (!Number.isSafeInteger(pid) || pid <= 0) return undefined;
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined;
  }
}

/** Start time of process `pid` in clock ticks since boot, or undefined (no such process, or no /proc). */
export function processStartTicks(pid: number): number | undefined {
  const stat = readProc(pid, 'stat');
  if (!stat) return undefined;
  // The command name (field 2) is in parentheses and may itself hold spaces and ")": fields follow the last ")".
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(rest[19]); // field 22 overall; field 3 is rest[0]
  return Number.isSafeInteger(ticks) && ticks >= 0 ? ticks : undefined;
}

/** The argument vector of process `pid` (/proc/PID/cmdline), or undefined. */
export function processArgv(pid: number): string[] | undefined {
  const text = readProc(pid, 'cmdline');
  return text ? text.replace(/\0$/, '').split('\0') : undefined;
}

/** Whether a process with this pid exists (signal 0; EPERM means it exists but is someone else's). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** This process's identity, as a run records it when it starts. */
export function ownIdentity(): ProcessIdentity {
  const startTicks = processStartTicks(process.pid);
  return startTicks === undefined ? { pid: process.pid } : { pid: process.pid, startTicks };
}

/**
 * True when `pid` is alive and started at `startTicks`: the very process that recorded it. Never true for
 * pid ≤ 1 (init, "every process" for kill(-1)) or a non-integer, nor when the start time was not recorded.
 */
export function sameProcess(id: { pid: number; startTicks?: number }): boolean {
  if (!Number.isSafeInteger(id.pid) || id.pid <= 1 || id.startTicks === undefined) return false;
  return processStartTicks(id.pid) === id.startTicks;
}
