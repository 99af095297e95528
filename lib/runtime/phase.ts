/**
 * What the program is doing when a backend fails ("load", "prompt forward", "decode step 3", "train step 12").
 *
 * Why: a wasm trap or an XNNPACK status arrives from deep inside one tfjs kernel, which knows nothing of the
 * step or stage it belongs to; the error should say both. AsyncLocalStorage keeps the phase correct across
 * awaits and lets phases nest ("generate › decode step 3") without every caller threading a label through.
 *
 * @example
 * await withPhase('prompt forward', async () => model.forward(ids));
 * currentPhase();   // inside: 'prompt forward'; outside: undefined
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const store = new AsyncLocalStorage<string>();

/** Runs `fn` (sync or async) with `name` appended to the current phase. */
export function withPhase<T>(name: string, fn: () => T): T {
  const outer = store.getStore();
  return store.run(outer ? `${outer} › ${name}` : name, fn);
}

/** The phase of the code running now, or undefined outside any. */
export function currentPhase(): string | undefined {
  return store.getStore();
}
