/**
 * Memory accounting a reviewer can check: what each part of a training step must hold, computed from the
 * model's actual tensors (theoretical column), next to what the tfjs engine and the process report (measured).
 *
 * @example
 * const m = memoryBreakdown(model, 'adam');
 * m.frozenBytes   // packed base weights (nf4: n/2 + absmax bytes) + fp32 embeddings and LayerNorms
 */
import type { Gpt } from '../model/index.ts';

export interface MemoryBreakdown {
  /** Frozen base bytes by storage dtype (block linears in their packed form; everything else fp32). */
  frozenByDtype: Record<string, number>;
  frozenBytes: number;
  frozenParams: number;
  trainableParams: number;
  /** fp32 trainable tensors, their gradients, and the optimizer's per-parameter slots. */
  trainableBytes: number;
  gradientBytes: number;
  optimizerBytes: number;
  /** Sum of the above: persistent state of a step, activations excluded. */
  stateBytes: number;
}

/** Optimizer slots per parameter: Adam/AdamW keep m and v; SGD none. */
export const OPTIMIZER_SLOTS = { adam: 2, adamw: 2, sgd: 0 } as const;

export function memoryBreakdown(model: Gpt, optimizer: keyof typeof OPTIMIZER_SLOTS): MemoryBreakdown {
  const frozenByDtype: Record<string, number> = {};
  let frozenParams = 0;
  const add = (dtype: string, bytes: number) => (frozenByDtype[dtype] = (frozenByDtype[dtype] ?? 0) + bytes);
  const linearVars = new Set<string>();
  for (const [name, lin] of model.linears) {
    const f = lin.frozenBytes();
    if (f.bytes > 0) {
      add(f.dtype, f.bytes);
      frozenParams += lin.inFeatures * lin.outFeatures + lin.outFeatures;
    }
    linearVars.add(`${name}.weight`).add(`${name}.bias`);
  }
  for (const [name, v] of model.vars) {
    if (model.trainable.has(name) || linearVars.has(name)) continue;
    add('fp32', v.size * 4);
    frozenParams += v.size;
  }
  // frozen tensors the JS layout holds outside the tensor backend (the token embedding)
  for (const t of model.jsTensors.values()) {
    add('fp32', t.data.byteLength);
    frozenParams += t.data.length;
  }
  const trainableParams = model.trainableParams();
  const trainableBytes = trainableParams * 4;
  const optimizerBytes = trainableBytes * OPTIMIZER_SLOTS[optimizer];
  const frozenBytes = Object.values(frozenByDtype).reduce((a, b) => a + b, 0);
  return {
    frozenByDtype, frozenBytes, frozenParams, trainableParams, trainableBytes,
    gradientBytes: trainableBytes, optimizerBytes,
    stateBytes: frozenBytes + 2 * trainableBytes + optimizerBytes,
  };
}
