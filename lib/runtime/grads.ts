/**
 * `variableGrads` with tfjs' arithmetic and less memory (issue 29). tfjs' own `tf.variableGrads` keeps, until
 * the whole backward pass ends, every tensor the forward saved for it, every intermediate gradient, and every
 * temporary a custom op's gradient function makes (RMSNorm's and SwiGLU's several [tokens, width] tensors per
 * layer): on the 0.5B shape a LoRA step's backward doubled the heap the forward had filled. Here the same tape
 * is walked in the same order with the same gradient functions and the same accumulation (`add(previous, new)`),
 * so every gradient is bitwise the one tfjs computes, but
 *   - a node's saved tensors are released as soon as its gradient is computed, and those of nodes that lead
 *     nowhere the gradient needs (frozen-only paths) right after the forward;
 *   - a tensor's gradient is released once the node that produced the tensor has used it;
 *   - each node's gradient runs in its own scope, so its temporaries go with it;
 *   - Add, Sub, Reshape, Concat, Mean, Sum and ExpandDims keep only their inputs' shapes: tfjs saves the
 *     inputs themselves although their gradients read nothing but `.shape`, which keeps every residual stream and pre-reshape tensor of
 *     the forward alive. The saved copies are released at once (a released tensor keeps its shape).
 *
 * It reaches into tfjs' engine (tape, scopes) as `nestedGrads` in lib/model does; the tape format is tfjs
 * 4.x's (tfjs-core/dist/tape.js, engine.js `gradients`).
 *
 * @example
 * const { value, grads } = variableGradsLowMemory(() => lmLoss(model.forward(ids).logits, targets), vars);
 */
import * as tf from '@tensorflow/tfjs';
import { LedgerLabError } from '../errors.ts';

interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, tf.Tensor>;
  outputs: tf.Tensor[];
  saved?: tf.Tensor[];
  gradient?: (dys: Array<tf.Tensor | null>) => Record<string, () => tf.Tensor>;
}

interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  startTape(): void;
  endTape(): void;
  scopedRun<T>(start: () => void, end: () => void, f: () => T): T;
  tidy<T>(name: string, f: () => T): T;
  addTapeNode(kernelName: string, inputs: unknown, outputs: unknown, gradientsFunc: unknown, saved: tf.Tensor[], attrs: unknown): void;
}

const fail = (problem: string) => new LedgerLabError({ kind: 'runtime', problem, where: 'variableGradsLowMemory' });

/** Kernels whose registered gradient reads only the `.shape` of what it saved (tfjs-core 4.x gradients/). */
const SHAPE_ONLY_SAVES = new Set(['Add', 'Sub', 'Reshape', 'Concat', 'Mean', 'Sum', 'ExpandDims']);

/** tfjs' getFilteredNodesXToY: the nodes on a path from xs to y, with inputs not depending on xs pruned. */
function filterTape(tape: TapeNode[], xs: readonly tf.Tensor[], y: tf.Tensor): TapeNode[] {
  const fromX = new Set<number>(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    for (const name in node.inputs) {
      if (fromX.has(node.inputs[name].id)) {
        for (const o of node.outputs) fromX.add(o.id);
        nodesFromX.add(node.id);
        break;
      }
    }
  }
  const leadToY = new Set<number>([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    if (node.outputs.some((o) => leadToY.has(o.id))) {
      for (const name in node.inputs) {
        leadToY.add(node.inputs[name].id);
        nodesToY.add(node.id);
      }
    }
  }
  const out: TapeNode[] = [];
  for (const node of tape) {
    if (!nodesFromX.has(node.id) || !nodesToY.has(node.id)) continue;
    const inputs: Record<string, tf.Tensor> = {};
    for (const name in node.inputs) if (fromX.has(node.inputs[name].id)) inputs[name] = node.inputs[name];
    out.push({ ...node, inputs, outputs: node.outputs });
  }
  return out;
}

/**
 * Same contract as `tf.variableGrads(f, vars)` (trainable variables only; `grads` by variable name; the value
 * must be a scalar), same numbers, lower peak memory.
 */
export function variableGradsLowMemory(f: () => tf.Scalar, vars: readonly tf.Variable[]): { value: tf.Scalar; grads: Record<string, tf.Tensor> } {
  const xs = vars.filter((v) => v.trainable);
  if (xs.length === 0) throw fail('none of the variables is trainable');
  const engine = tf.engine() as unknown as EngineInternals;
  if (engine.state.gradientDepth !== 0) throw fail('cannot run inside another gradient computation');
  const addTapeNode = engine.addTapeNode;
  engine.addTapeNode = function (kernelName, inputs, outputs, gradientsFunc, saved, attrs) {
    if (SHAPE_ONLY_SAVES.has(kernelName)) for (const t of saved) t.dispose();
    return addTapeNode.call(this, kernelName, inputs, outputs, gradientsFunc, saved, attrs);
  };
  let y: tf.Scalar;
  try {
    y = engine.scopedRun(() => engine.startTape(), () => engine.endTape(), () => engine.tidy('forward', f));
  } finally {
    engine.addTapeNode = addTapeNode;
  }
  if (!(y instanceof tf.Tensor) || y.rank !== 0) throw fail(`f must return a scalar, got rank ${(y as tf.Tensor)?.rank}`);
  const tape = engine.state.activeTape ?? [];
  const filtered = filterTape(tape, xs, y);
  const kept = new Set(filtered.map((n) => n.id));
  for (const node of tape) if (!kept.has(node.id)) for (const t of node.saved ?? []) t.dispose();
  try {
    const grads = engine.tidy('backward', () => backprop(filtered, y, xs));
    const named: Record<string, tf.Tensor> = {};
    xs.forEach((v, i) => {
      const g = grads[i];
      if (g) named[v.name] = g;
    });
    if (Object.keys(named).length === 0) throw fail('no variable is connected to the loss');
    return { value: y, grads: named };
  } finally {
    for (const node of tape) for (const t of node.saved ?? []) t.dispose();
    engine.state.activeTape = null;
  }
}

/** The backward pass over the filtered tape, releasing each node's saved tensors and spent gradients. */
function backprop(filtered: TapeNode[], y: tf.Tensor, xs: readonly tf.Tensor[]): Array<tf.Tensor | null> {
  const acc = new Map<number, tf.Tensor>();
  const held = new Set<tf.Tensor>();
  const put = (id: number, g: tf.Tensor) => {
    acc.set(id, g);
    held.add(g);
  };
  put(y.id, tf.onesLike(y));
  for (let i = filtered.length - 1; i >= 0; i--) {
    const node = filtered[i];
    if (!node.gradient) throw fail(`no gradient function for ${node.kernelName}`);
    const dys = node.outputs.map((o) => acc.get(o.id) ?? null);
    const names = Object.keys(node.inputs);
    const dxs = tf.tidy(() => {
      const g = node.gradient!(dys);
      return names.map((name) => {
        if (!(name in g)) throw fail(`cannot backprop through input ${name} of ${node.kernelName} (gradients for ${Object.keys(g)})`);
        return g[name]();
      });
    });
    const seen = new Set<tf.Tensor>();
    names.forEach((name, k) => {
      let dx = dxs[k];
      // a gradient function may hand back its dy, or one tensor for two inputs: give each use its own handle
      if (held.has(dx) || seen.has(dx) || dys.includes(dx)) dx = tf.clone(dx);
      seen.add(dx);
      const x = node.inputs[name];
      if (dx.dtype !== 'float32') throw fail(`the gradient of input '${name}' of ${node.kernelName} is ${dx.dtype}, not float32`);
      if (!tf.util.arraysEqual(dx.shape, x.shape)) throw fail(`the gradient of input '${name}' of ${node.kernelName} has shape [${dx.shape}], the input [${x.shape}]`);
      const prev = acc.get(x.id);
      if (prev === undefined) put(x.id, dx);
      else {
        const sum = tf.add(prev, dx);
        held.delete(prev);
        prev.dispose();
        dx.dispose();
        put(x.id, sum);
      }
    });
    // this node was the only producer of its outputs: their gradients are spent, and so is what it saved
    for (const o of node.outputs) {
      const g = acc.get(o.id);
      if (g === undefined) continue;
      acc.delete(o.id);
      held.delete(g);
      g.dispose();
    }
    for (const t of node.saved ?? []) t.dispose();
  }
  return xs.map((x) => acc.get(x.id) ?? null);
}
