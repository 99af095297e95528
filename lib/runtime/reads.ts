/**
 * Reads of tensor values into JavaScript, counted and batched.
 *
 * On a GPU backend every read is a GPU→CPU transfer that waits for the queued work; a synchronous one
 * (`dataSync`, `arraySync`, `bufferSync` → the backend's `readSync`) also blocks the thread, and
 * tfjs-backend-webgpu cannot do it at all in Node (it draws through `OffscreenCanvas`). So the training,
 * evaluation and generation paths read asynchronously, several values at once, and only when they need
 * them; `countTensorReads` wraps the active backend's `readSync`/`read` so `bench train` can show it.
 *
 * @example
 * const stop = countTensorReads();
 * trainStep(...);
 * const { sync, async } = stop();   // reads made by the step
 */
import * as tf from '@tensorflow/tfjs';

/** Backends whose tensors live in GPU memory: reading them is a transfer, and synchronous reads are refused or slow. */
const DEVICE_BACKENDS = new Set(['webgpu', 'webgl']);

/** True when the active backend keeps tensors on a device (a read is a GPU→CPU transfer). */
export function tensorsOnDevice(): boolean {
  return DEVICE_BACKENDS.has(tf.getBackend());
}

export interface ReadCounts {
  /** Synchronous reads (readSync) of values not already in CPU memory. */
  sync: number;
  /** Asynchronous reads (read) of values not already in CPU memory. */
  async: number;
}

interface CountingBackend {
  readSync(dataId: object): unknown;
  read(dataId: object): Promise<unknown>;
  /** tfjs-backend-webgpu's table: `values` is set when the data is (also) in CPU memory. */
  tensorMap?: { get(dataId: object): { values?: unknown } | undefined };
}

const counts: ReadCounts = { sync: 0, async: 0 };
const wrapped = new WeakSet<object>();

// On a device backend a read of values already cached in CPU memory moves nothing (its kernels' CPU
// hand-offs read those); on a host backend (wasm, cpu) every read counts, being what would be a transfer on a GPU.
function moves(b: CountingBackend, dataId: object): boolean {
  return !b.tensorMap || b.tensorMap.get(dataId)?.values == null;
}

function wrap(b: CountingBackend): void {
  if (wrapped.has(b)) return;
  wrapped.add(b);
  const readSync = b.readSync.bind(b);
  const read = b.read.bind(b);
  b.readSync = (id) => {
    if (moves(b, id)) counts.sync++;
    return readSync(id);
  };
  b.read = (id) => {
    if (moves(b, id)) counts.async++;
    return read(id);
  };
}

/** Starts counting the active backend's reads; the returned function gives the reads since. */
export function countTensorReads(): () => ReadCounts {
  wrap(tf.backend() as unknown as CountingBackend);
  const start = { ...counts };
  return () => ({ sync: counts.sync - start.sync, async: counts.async - start.async });
}

/**
 * The values of `items`, numbers passed through and scalar tensors read with one asynchronous read (then
 * disposed): the way a loop reads the losses and norms of a log interval.
 */
export async function readNumbers(items: ReadonlyArray<number | tf.Tensor>): Promise<number[]> {
  const tensors = items.filter((x): x is tf.Tensor => typeof x !== 'number');
  if (tensors.length === 0) return items as number[];
  const flat = tf.tidy(() => tf.concat(tensors.map((t) => tf.reshape(t, [-1]))));
  const values = await flat.data();
  tf.dispose([flat, ...tensors]);
  let k = 0;
  return items.map((x) => (typeof x === 'number' ? x : values[k++]!));
}
