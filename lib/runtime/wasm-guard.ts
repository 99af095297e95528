/**
 * Turns failures inside tfjs' wasm backend into located LedgerLabErrors instead of results.
 *
 * Why: at real model sizes the wasm heap (32-bit, 4 GiB at most) fills up, and the backend then fails in
 * three quiet ways, all seen on a 0.5B model: XNNPACK cannot allocate (status 6), prints one line on stderr
 * and the kernel returns garbage; `_malloc` returns 0 and the tensor is written over address 0; or a kernel
 * traps with `memory access out of bounds`. Each kernel registered for wasm is wrapped (in place, in tfjs'
 * kernel registry) so that a trap, a failed allocation or an XNNPACK status seen during the kernel throws
 * right there, naming the kernel and the phase (lib/runtime/phase.ts); reads check the same, so no value
 * computed after a failure is ever returned.
 *
 * @example
 * await sniffWasmStderr(() => tf.setBackend('wasm'), noteWasmStderr);
 * guardWasmBackend();   // after the kernel fixes are registered
 */
import * as tf from '@tensorflow/tfjs';
import { LedgerLabError } from '../errors.ts';
import { currentPhase } from './phase.ts';

/** XNNPACK's xnn_status values (xnnpack.h). */
const XNN_STATUS: Record<number, string> = {
  1: 'uninitialized', 2: 'invalid parameter', 3: 'invalid state', 4: 'unsupported parameter',
  5: 'unsupported hardware', 6: 'out of memory',
};
const XNN_LINE = /XNN status for (\w+) is not successful\. Got status (\d+)/;
const HEAP_HINT = 'the wasm heap holds at most 4 GiB: use a smaller batch or sequence, gradient checkpointing, or a quantized storage (--quant bf16, int8, nf4-dq); to generate, ONNX Runtime keeps the weights outside it (generate --engine ort)';

interface Fault { code: string; problem: string }
let pending: Fault | undefined;
/** The wasm kernel running now (innermost), for allocation failures that happen inside one. */
let running: string | undefined;
const guarded = new WeakSet<object>();

/** Feed for sniffWasmStderr: an XNNPACK status line becomes the pending fault. */
export function noteWasmStderr(text: string): void {
  const m = XNN_LINE.exec(text);
  if (!m || pending) return;
  const status = Number(m[2]);
  pending = { code: 'runtime.xnn_status', problem: `XNNPACK's ${m[1]} failed with status ${status} (${XNN_STATUS[status] ?? 'unknown'}); the kernel's output would be garbage` };
}

function located(fault: Fault, kernel: string | undefined): LedgerLabError {
  const phase = currentPhase();
  const where = [phase, kernel ? `tfjs wasm kernel ${kernel}` : undefined].filter(Boolean).join(', ') || 'tfjs wasm backend';
  return new LedgerLabError({ kind: 'runtime', code: fault.code, problem: fault.problem, where, hint: HEAP_HINT });
}

/** Throws the pending fault (once: it is cleared), located at `kernel`. */
export function throwPendingWasmFault(kernel?: string): void {
  if (!pending) return;
  const fault = pending;
  pending = undefined;
  throw located(fault, kernel);
}

/** A WebAssembly trap (RuntimeError) as a located error; anything else unchanged. */
function asLocated(err: unknown, kernel: string): unknown {
  if (err instanceof LedgerLabError) return err;
  const RuntimeError = (globalThis as unknown as { WebAssembly: { RuntimeError: new () => Error } }).WebAssembly.RuntimeError;
  if (!(err instanceof RuntimeError)) return err;
  const fault = pending ?? { code: 'runtime.wasm_trap', problem: `the wasm backend trapped: ${(err as Error).message}` };
  pending = undefined;
  const e = located(fault, kernel);
  (e as { cause?: unknown }).cause = err;
  return e;
}

function guardKernel(name: string, inner: tf.KernelFunc): tf.KernelFunc {
  return ((args: Parameters<tf.KernelFunc>[0]) => {
    const outer = running;
    running = name;
    let out: ReturnType<tf.KernelFunc>;
    try {
      out = inner(args);
    } catch (err) {
      throw asLocated(err, name);
    } finally {
      running = outer;
    }
    throwPendingWasmFault(name);
    return out;
  }) as tf.KernelFunc;
}

interface WasmBackendLike {
  wasm: { _malloc(bytes: number): number; _free(ptr: number): void; HEAPU8: Uint8Array };
  readSync(...args: unknown[]): unknown;
}

/**
 * `_malloc` returning 0 (heap full) throws instead of letting tfjs write the tensor over address 0; a read
 * after an unreported fault throws it.
 */
function guardBackendCalls(backend: WasmBackendLike): void {
  // Emscripten's `_malloc` stub replaces itself with the raw export on its first call; make that happen
  // now, or it would overwrite the wrapper below.
  backend.wasm._free(backend.wasm._malloc(8));
  const malloc = backend.wasm._malloc.bind(backend.wasm);
  backend.wasm._malloc = (bytes: number) => {
    const ptr = malloc(bytes);
    if (ptr === 0 && bytes > 0) {
      const heap = backend.wasm.HEAPU8.length;
      throw located({ code: 'runtime.wasm_heap_full', problem: `the wasm heap could not allocate ${mib(bytes)} (heap ${mib(heap)}, at most 4096 MiB)` }, running);
    }
    return ptr;
  };
  const readSync = backend.readSync.bind(backend);
  backend.readSync = (...args: unknown[]) => {
    throwPendingWasmFault();
    return readSync(...args);
  };
}

const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

/** Wraps every wasm kernel registered now (idempotent) and the backend's allocator and reads. */
export function guardWasmBackend(): void {
  for (const config of tf.getKernelsForBackend('wasm')) {
    if (guarded.has(config)) continue;
    (config as { kernelFunc: tf.KernelFunc }).kernelFunc = guardKernel(config.kernelName, config.kernelFunc);
    guarded.add(config);
  }
  const backend = tf.findBackend('wasm') as unknown as WasmBackendLike | null;
  if (backend && !guarded.has(backend)) {
    guardBackendCalls(backend);
    guarded.add(backend);
  }
}
