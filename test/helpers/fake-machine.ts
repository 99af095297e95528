/**
 * A fake machine for the timing engine's tests: wall time, this process's CPU time and /proc/stat counters
 * that only move when a step says so, so every decision of the engine (pairing, guard, stop rule) can be
 * checked against hand-computed values without timing anything real.
 */
import type { Probe, ProcStat } from '../../lib/measure/index.ts';

export class FakeMachine {
  wall = 0;
  cpu = 0;
  private busy = 0;
  private steal = 0;
  private total = 0;
  /** Other processes' load (cores) and steal share while steps run; change between rounds to simulate noise. */
  foreignCores = 0;
  stealShare = 0;
  hasProcStat = true;

  readonly cores: number;

  constructor(cores = 2) {
    this.cores = cores;
  }

  /** A step of `ms` wall time that used `cpuMs` of this process (default all of it). */
  advance(ms: number, cpuMs = ms): void {
    this.wall += ms;
    this.cpu += cpuMs;
    const ticks = (this.cores * ms) / 10; // USER_HZ 100: 10 ms per tick per core
    this.busy += (cpuMs + this.foreignCores * ms) / 10;
    this.steal += this.stealShare * ticks;
    this.total += ticks;
  }

  /** A step run by a child process: `ms` of wall time, all of it the child's CPU (machine busy, not ours). */
  child(ms: number): void {
    this.advance(ms, 0);
    this.busy += ms / 10;
  }

  probe(): Probe {
    return {
      wallMs: () => this.wall,
      cpuMs: () => this.cpu,
      procStat: (): ProcStat | undefined => (this.hasProcStat ? { busy: this.busy, steal: this.steal, total: this.total, cores: this.cores } : undefined),
      loadavg: () => [0.25, 0.2, 0.1],
    };
  }
}
