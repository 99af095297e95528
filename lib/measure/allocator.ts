/**
 * The allocator timed work runs with: glibc malloc keeping freed memory instead of handing it back to the OS.
 * By default glibc serves blocks over a moving threshold (128 KiB to 32 MiB) with mmap and trims the heap's top
 * once 128 KiB+ is free, so a training step's transient buffers (logits, their gradients, ONNX Runtime's outputs)
 * come back as fresh pages every step: in speedup-quick's grid the slow corner took 942–16,760 minor page faults
 * and 4–60 ms of system time per ~250 ms step, varying from step to step; with these settings, at most a few
 * hundred faults and 0–10 ms (docs/measurements/2026-12-08-timing-states.md). glibc reads them only at process
 * start, so they go to the processes LedgerLab starts for timed work: run workers (`run --jobs N`, queue workers'
 * children) and, from bin/ledgerlab.js (which repeats these two numbers), `bench` commands.
 * `LEDGERLAB_MALLOC=default`, or either variable set by the user, keeps the user's choice.
 *
 * @example
 * fork(child, [], { env: childEnv(allocatorEnv()) });
 */
export const ALLOCATOR_ENV = { MALLOC_MMAP_THRESHOLD_: String(32 * 2 ** 20), MALLOC_TRIM_THRESHOLD_: String(256 * 2 ** 20) } as const;

/** The variables a timed child process should start with (none when the user opted out or set their own). */
export function allocatorEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  if (process.platform !== 'linux' || env.LEDGERLAB_MALLOC === 'default') return {};
  return Object.keys(ALLOCATOR_ENV).some((k) => env[k] !== undefined) ? {} : { ...ALLOCATOR_ENV };
}
