/**
 * Memory by phase, for the real-size measurements (issue 29): with LEDGERLAB_MEMLOG=FILE set, `memLog(phase)`
 * appends one JSON line {phase, rss, maxRss, heap, tfBytes} to FILE (`-` = stderr); unset, it does nothing.
 * `heap` is the tfjs-wasm heap's size, which only grows (emscripten never returns memory), so it is the
 * heap's high-water mark so far; `maxRss` is the process's peak resident size so far.
 */
import { appendFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';

/** Bytes of the tfjs-wasm heap (its high-water mark), or undefined on another backend. */
export function wasmHeapBytes(): number | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const b = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return b.wasm?.HEAPU8?.buffer.byteLength;
}

export function memLog(phase: string): void {
  const to = process.env.LEDGERLAB_MEMLOG;
  if (!to) return;
  const line = JSON.stringify({
    phase, t: Math.round(performance.now()), rss: process.memoryUsage().rss, maxRss: process.resourceUsage().maxRSS * 1024,
    heap: wasmHeapBytes(), tfBytes: tf.memory().numBytes,
  });
  if (to === '-') process.stderr.write(line + '\n');
  else appendFileSync(to, line + '\n');
}
