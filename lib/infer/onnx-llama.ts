/**
 * The Llama-family decoder (RMSNorm, rotary q/k, grouped-query attention, SwiGLU; optional q/k/v biases) as
 * an ONNX graph with the same contract as the GPT-2 graph (onnx-export.ts), except that past/present keys
 * and values have the KV key/value heads: [B, KV, P, hd].
 *
 * The math is lib/model/llama's: RMSNorm composed from ReduceMean/Sqrt (opset 17 has no RMSNormalization),
 * rotary tables baked as initializers and gathered at positions P … P+T−1, rotate_half as Split/Neg/Concat,
 * the H/KV query heads of a group stacked along the query axis to meet their group's keys in one MatMul (no
 * repeated keys). Rewrites that change only float rounding: q|k|v and gate|up fused into one MatMul each,
 * 1/√hd folded into the q columns (rotary is linear, so scaling before it is the same function).
 */
import { LedgerLabError } from '../errors.ts';
import { ffnWidth, headDim, kvHeads, normEps, ropeTheta, type GptConfig, ropeArrays, type WeightSource } from '../model/index.ts';
import type { ExternalDataSink } from './onnx-external.ts';
import { GraphBuilder, cachedKeysValues, decoderInputsOutputs, need, packModel, positionsAndMask, transpose2d } from './onnx-graph.ts';
import type { OnnxExport, PlainPrefix } from './onnx-types.ts';

/** Rotary rows baked into the graph; a longer context is capped here (the export's config says so). */
export const ONNX_ROPE_POSITIONS = 4096;

/** Column blocks side by side: [rows, a] | [rows, b] | … → [rows, a + b + …], block j scaled by scales[j]. */
function hcat(parts: Float32Array[], widths: number[], rows: number, scales: number[]): Float32Array {
  const total = widths.reduce((a, b) => a + b, 0);
  const out = new Float32Array(rows * total);
  for (let r = 0; r < rows; r++) {
    let at = r * total;
    parts.forEach((p, j) => {
      const w = widths[j];
      const s = scales[j];
      for (let k = 0; k < w; k++) out[at + k] = p[r * w + k] * s;
      at += w;
    });
  }
  return out;
}

export function buildLlamaOnnx(config: GptConfig, weights: WeightSource, opts: { prefix?: PlainPrefix; opset: number; irVersion: number; external?: ExternalDataSink }): OnnxExport {
  const c = { ...config, context: Math.min(config.context, ONNX_ROPE_POSITIONS) };
  const d = c.dModel;
  const prefix = opts.prefix;
  const Pfx = prefix?.length ?? 0;
  if (prefix && (prefix.keys.length !== c.layers || prefix.values.length !== c.layers)) {
    throw new LedgerLabError({ kind: 'data', problem: `prefix has ${prefix.keys.length} key / ${prefix.values.length} value layers, model has ${c.layers}`, where: 'buildOnnxDecoder prefix' });
  }
  const g = new GraphBuilder({ external: opts.external });
  const { batch, positions, mask } = positionsAndMask(g, Pfx);
  const { rope, rms } = ropeAndRms(g, c, weights, positions);
  let x = g.node('Gather', [g.floatInit('embed.token', need(weights, 'embed.token', [c.vocab, d]), [c.vocab, d]), 'input_ids'], { axis: 0 });
  const parts: BlockParts = { rope, rms, mask, prefix, shapes: llamaShapes(g, c, Pfx, batch) };
  for (let i = 0; i < c.layers; i++) x = llamaBlock(g, c, weights, i, x, parts);
  const hf = rms(x, 'final_ln');
  const headW = c.tiedHead ? transpose2d(need(weights, 'embed.token', [c.vocab, d]), c.vocab, d) : need(weights, 'head.weight', [d, c.vocab]);
  g.node('MatMul', [hf, g.floatInit('head.weight.T', headW, [d, c.vocab])], {}, 'logits');
  const { inputs, outputs } = decoderInputsOutputs(c.layers, kvHeads(c), headDim(c), c.vocab);
  const bytes = packModel(g, {
    name: 'ledgerlab_llama', doc: `Llama-family decoder ${c.layers}x${d}, ${c.heads} heads / ${kvHeads(c)} kv heads, ffn ${ffnWidth(c)}, vocab ${c.vocab}, prefix ${Pfx}`,
    config: c, prefixLength: Pfx, inputs, outputs, opset: opts.opset, irVersion: opts.irVersion,
  });
  return { bytes, config: c, prefixLength: Pfx, inputNames: inputs.map((v) => v.name!), outputNames: outputs.map((v) => v.name!) };
}

/** Rotary position embedding (cos/sin tables gathered at the positions, rotate_half) and RMSNorm, as graph builders. */
function ropeAndRms(g: GraphBuilder, c: GptConfig, weights: WeightSource, positions: string): Pick<BlockParts, 'rope' | 'rms'> {
  const hd = headDim(c);
  const tables = ropeArrays(ropeTheta(c), hd, c.context);
  const cos = g.node('Gather', [g.floatInit('rope.cos', tables.cos, [c.context, hd]), positions], { axis: 0 }); // [T,hd]
  const sin = g.node('Gather', [g.floatInit('rope.sin', tables.sin, [c.context, hd]), positions], { axis: 0 });
  const rope = (x: string) => {
    const [x1, x2] = g.split(x, 3, [hd / 2, hd / 2]);
    const rot = g.node('Concat', [g.node('Neg', [x2]), x1], { axis: 3 });
    return g.node('Add', [g.node('Mul', [x, cos]), g.node('Mul', [rot, sin])]);
  };
  const epsC = g.scalarFloat('c_eps', normEps(c));
  const rms = (input: string, p: string) => {
    const ms = g.node('ReduceMean', [g.node('Mul', [input, input])], { axes: [-1], keepdims: 1 });
    const normed = g.node('Div', [input, g.node('Sqrt', [g.node('Add', [ms, epsC])])]);
    return g.node('Mul', [normed, g.floatInit(`${p}.gamma`, need(weights, `${p}.gamma`, [c.dModel]), [c.dModel])]);
  };
  return { rope, rms };
}

/** What every Llama block shares: the rotary and norm builders, the causal mask, a baked prefix, shape constants. */
interface BlockParts {
  rope: (x: string) => string;
  rms: (input: string, p: string) => string;
  mask: string;
  prefix?: PlainPrefix;
  shapes: LlamaShapes;
}

/** Block i, its input x → its output: attention with rotary q/k over [prefix | past | new], then SwiGLU. */
function llamaBlock(g: GraphBuilder, c: GptConfig, weights: WeightSource, i: number, x: string, b: BlockParts): string {
  const d = c.dModel;
  const H = c.heads;
  const KV = kvHeads(c);
  const hd = headDim(c);
  const Pfx = b.prefix?.length ?? 0;
  const p = `blocks.${i}`;
  const { q, keys, values } = llamaQkv(g, c, weights, p, b.rms(x, `${p}.ln1`), b.shapes, b.rope, (k, v) => cachedKeysValues(g, i, k, v,
    Pfx > 0 ? { keys: b.prefix!.keys[i], values: b.prefix!.values[i], shape: [1, KV, Pfx, hd], expandShape: b.shapes.prefixExpand } : undefined));
  const attn = groupedAttention(g, q, keys, values, b.mask, H / KV, b.shapes);
  const merged = g.node('Reshape', [g.node('Transpose', [attn], { perm: [0, 2, 1, 3] }), b.shapes.merge]);
  x = g.node('Add', [x, g.node('MatMul', [merged, g.floatInit(`${p}.attn.o.weight`, need(weights, `${p}.attn.o.weight`, [H * hd, d]), [H * hd, d])])]);
  return g.node('Add', [x, swiGlu(g, weights, p, b.rms(x, `${p}.ln2`), d, ffnWidth(c))]);
}

/** Shape constants of the Llama block (for reshapes between query heads and their key/value groups). */
interface LlamaShapes { qkv: string; group: string; scores: string; scoresBack: string; heads: string; merge: string; prefixExpand: string }

function llamaShapes(g: GraphBuilder, c: GptConfig, Pfx: number, batch: string): LlamaShapes {
  const H = c.heads;
  const KV = kvHeads(c);
  const hd = headDim(c);
  return {
    qkv: g.intInit('c_qkv_shape', [0, 0, H + 2 * KV, hd]),
    group: g.intInit('c_group_shape', [0, KV, -1, hd]),
    scores: g.intInit('c_scores_shape', [0, H, -1, 0]),
    scoresBack: g.intInit('c_scores_back', [0, KV, -1, 0]),
    heads: g.intInit('c_heads_shape', [0, H, -1, hd]),
    merge: g.intInit('c_merge_shape', [0, 0, H * hd]),
    prefixExpand: Pfx > 0 ? g.node('Concat', [batch, g.intInit('c_pfx_shape', [KV, Pfx, hd])], { axis: 0 }) : '',
  };
}

/**
 * One fused q|k|v projection (1/√hd folded into the q columns; optional biases), split into heads [B, ·, T, hd];
 * rotary on q and the new keys; the keys and values through the cache (and a baked prefix) by `cache`.
 */
function llamaQkv(
  g: GraphBuilder, c: GptConfig, weights: WeightSource, p: string, h: string, shapes: LlamaShapes,
  rope: (x: string) => string, cache: (kNew: string, vNew: string) => { keys: string; values: string },
): { q: string; keys: string; values: string } {
  const d = c.dModel;
  const H = c.heads;
  const KV = kvHeads(c);
  const hd = headDim(c);
  const scaleQ = 1 / Math.sqrt(hd);
  const widths = [H * hd, KV * hd, KV * hd];
  const W = hcat(['q', 'k', 'v'].map((m, j) => need(weights, `${p}.attn.${m}.weight`, [d, widths[j]])), widths, d, [scaleQ, 1, 1]);
  let proj = g.node('MatMul', [h, g.floatInit(`${p}.attn.qkv.weight`, W, [d, H * hd + 2 * KV * hd])]);
  if (c.qkvBias) {
    const b = hcat(['q', 'k', 'v'].map((m, j) => need(weights, `${p}.attn.${m}.bias`, [widths[j]])), widths, 1, [scaleQ, 1, 1]);
    proj = g.node('Add', [proj, g.floatInit(`${p}.attn.qkv.bias`, b, [b.length])]);
  }
  const qkv = g.node('Transpose', [g.node('Reshape', [proj, shapes.qkv])], { perm: [0, 2, 1, 3] }); // [B, H+2KV, T, hd]
  const [qRaw, kRaw, vNew] = g.split(qkv, 1, [H, KV, KV]);
  const q = rope(qRaw);
  return { q, ...cache(rope(kRaw), vNew) };
}

/** Attention with the rep = H/KV query heads of a group stacked along the query axis, to meet their group's keys in one MatMul. */
function groupedAttention(g: GraphBuilder, q: string, keys: string, values: string, mask: string, rep: number, shapes: LlamaShapes): string {
  const kT = g.node('Transpose', [keys], { perm: [0, 1, 3, 2] });
  const qg = rep === 1 ? q : g.node('Reshape', [q, shapes.group]);
  let scores = g.node('MatMul', [qg, kT]);
  if (rep !== 1) scores = g.node('Reshape', [scores, shapes.scores]);
  let probs = g.node('Softmax', [g.node('Add', [scores, mask])], { axis: -1 });
  if (rep !== 1) probs = g.node('Reshape', [probs, shapes.scoresBack]);
  const attn = g.node('MatMul', [probs, values]);
  return rep === 1 ? attn : g.node('Reshape', [attn, shapes.heads]);
}

/** SwiGLU: gate|up fused into one MatMul, silu(gate)·up, then down. */
function swiGlu(g: GraphBuilder, weights: WeightSource, p: string, h: string, d: number, f: number): string {
  const GU = hcat(['gate', 'up'].map((m) => need(weights, `${p}.mlp.${m}.weight`, [d, f])), [f, f], d, [1, 1]);
  const [gate, up] = g.split(g.node('MatMul', [h, g.floatInit(`${p}.mlp.gateup.weight`, GU, [d, 2 * f])]), 2, [f, f]);
  const act = g.node('Mul', [g.node('Mul', [gate, g.node('Sigmoid', [gate])]), up]);
  return g.node('MatMul', [act, g.floatInit(`${p}.mlp.down.weight`, need(weights, `${p}.mlp.down.weight`, [f, d]), [f, d])]);
}
