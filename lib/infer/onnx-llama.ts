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
import onnxProto from 'onnx-proto';
import { LedgerLabError } from '../errors.ts';
import { ffnWidth, headDim, kvHeads, normEps, ropeTheta, type GptConfig, ropeArrays, type WeightSource } from '../model/index.ts';
import type { ExternalDataSink } from './onnx-external.ts';
import { GraphBuilder, cachedKeysValues, need, packModel, transpose2d, valueInfo, type IValueInfo } from './onnx-graph.ts';
import type { OnnxExport, PlainPrefix } from './onnx-types.ts';

const { onnx } = onnxProto;
const MASKED = -1e9;
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
  const H = c.heads;
  const KV = kvHeads(c);
  const hd = headDim(c);
  const rep = H / KV;
  const f = ffnWidth(c);
  const eps = normEps(c);
  const prefix = opts.prefix;
  const Pfx = prefix?.length ?? 0;
  if (prefix && (prefix.keys.length !== c.layers || prefix.values.length !== c.layers)) {
    throw new LedgerLabError({ kind: 'data', problem: `prefix has ${prefix.keys.length} key / ${prefix.values.length} value layers, model has ${c.layers}`, where: 'buildOnnxDecoder prefix' });
  }
  const g = new GraphBuilder({ external: opts.external });
  const F = onnx.TensorProto.DataType.FLOAT;
  const I64 = onnx.TensorProto.DataType.INT64;

  const idsShape = g.node('Shape', ['input_ids']);
  const Bvec = g.node('Gather', [idsShape, g.intInit('c_idx0', [0])], { axis: 0 });
  const Tsc = g.node('Gather', [idsShape, g.intInit('c_idx1_scalar', [1], [])], { axis: 0 });
  const Psc = g.node('Gather', [g.node('Shape', ['past.0.key']), g.intInit('c_idx2_scalar', [2], [])], { axis: 0 });
  const one = g.intInit('c_one', [1], []);
  const zero = g.intInit('c_zero', [0], []);
  const PT = g.node('Add', [Psc, Tsc]);
  const positions = g.node('Range', [Psc, PT, one]); // [T]
  const totalKeys = Pfx > 0 ? g.node('Add', [PT, g.intInit('c_pfx', [Pfx], [])]) : PT;
  const keyIdx = g.node('Range', [zero, totalKeys, one]);
  const qIdx = g.node('Unsqueeze', [Pfx > 0 ? g.node('Add', [positions, 'c_pfx']) : positions, g.intInit('c_axes1', [1])]);
  const mask = g.node('Where', [g.node('Greater', [keyIdx, qIdx]), g.scalarFloat('c_masked', MASKED), g.scalarFloat('c_0f', 0)]); // [T,S]

  const tables = ropeArrays(ropeTheta(c), hd, c.context);
  const cos = g.node('Gather', [g.floatInit('rope.cos', tables.cos, [c.context, hd]), positions], { axis: 0 }); // [T,hd]
  const sin = g.node('Gather', [g.floatInit('rope.sin', tables.sin, [c.context, hd]), positions], { axis: 0 });
  const rope = (x: string) => {
    const [x1, x2] = g.split(x, 3, [hd / 2, hd / 2]);
    const rot = g.node('Concat', [g.node('Neg', [x2]), x1], { axis: 3 });
    return g.node('Add', [g.node('Mul', [x, cos]), g.node('Mul', [rot, sin])]);
  };
  const epsC = g.scalarFloat('c_eps', eps);
  const rms = (input: string, p: string) => {
    const ms = g.node('ReduceMean', [g.node('Mul', [input, input])], { axes: [-1], keepdims: 1 });
    const normed = g.node('Div', [input, g.node('Sqrt', [g.node('Add', [ms, epsC])])]);
    return g.node('Mul', [normed, g.floatInit(`${p}.gamma`, need(weights, `${p}.gamma`, [d]), [d])]);
  };

  let x = g.node('Gather', [g.floatInit('embed.token', need(weights, 'embed.token', [c.vocab, d]), [c.vocab, d]), 'input_ids'], { axis: 0 });
  const scaleQ = 1 / Math.sqrt(hd);
  const qkvShape = g.intInit('c_qkv_shape', [0, 0, H + 2 * KV, hd]);
  const groupShape = g.intInit('c_group_shape', [0, KV, -1, hd]);
  const scoresShape = g.intInit('c_scores_shape', [0, H, -1, 0]);
  const scoresBack = g.intInit('c_scores_back', [0, KV, -1, 0]);
  const headsShape = g.intInit('c_heads_shape', [0, H, -1, hd]);
  const mergeShape = g.intInit('c_merge_shape', [0, 0, H * hd]);
  const prefixExpandShape = Pfx > 0 ? g.node('Concat', [Bvec, g.intInit('c_pfx_shape', [KV, Pfx, hd])], { axis: 0 }) : '';

  const inputs: IValueInfo[] = [valueInfo('input_ids', I64, ['batch', 'tokens'])];
  const outputs: IValueInfo[] = [valueInfo('logits', F, ['batch', 'tokens', c.vocab])];
  for (let i = 0; i < c.layers; i++) {
    const p = `blocks.${i}`;
    inputs.push(valueInfo(`past.${i}.key`, F, ['batch', KV, 'past', hd]), valueInfo(`past.${i}.value`, F, ['batch', KV, 'past', hd]));
    outputs.push(valueInfo(`present.${i}.key`, F, ['batch', KV, 'present', hd]), valueInfo(`present.${i}.value`, F, ['batch', KV, 'present', hd]));
    const h = rms(x, `${p}.ln1`);
    const widths = [H * hd, KV * hd, KV * hd];
    const W = hcat(['q', 'k', 'v'].map((m, j) => need(weights, `${p}.attn.${m}.weight`, [d, widths[j]])), widths, d, [scaleQ, 1, 1]);
    let proj = g.node('MatMul', [h, g.floatInit(`${p}.attn.qkv.weight`, W, [d, H * hd + 2 * KV * hd])]);
    if (c.qkvBias) {
      const b = hcat(['q', 'k', 'v'].map((m, j) => need(weights, `${p}.attn.${m}.bias`, [widths[j]])), widths, 1, [scaleQ, 1, 1]);
      proj = g.node('Add', [proj, g.floatInit(`${p}.attn.qkv.bias`, b, [b.length])]);
    }
    const qkv = g.node('Transpose', [g.node('Reshape', [proj, qkvShape])], { perm: [0, 2, 1, 3] }); // [B, H+2KV, T, hd]
    const [qRaw, kRaw, vNew] = g.split(qkv, 1, [H, KV, KV]);
    const q = rope(qRaw);
    const { keys, values } = cachedKeysValues(g, i, rope(kRaw), vNew,
      Pfx > 0 ? { keys: prefix!.keys[i], values: prefix!.values[i], shape: [1, KV, Pfx, hd], expandShape: prefixExpandShape } : undefined);
    const kT = g.node('Transpose', [keys], { perm: [0, 1, 3, 2] });
    const qg = rep === 1 ? q : g.node('Reshape', [q, groupShape]);
    let scores = g.node('MatMul', [qg, kT]);
    if (rep !== 1) scores = g.node('Reshape', [scores, scoresShape]);
    let probs = g.node('Softmax', [g.node('Add', [scores, mask])], { axis: -1 });
    if (rep !== 1) probs = g.node('Reshape', [probs, scoresBack]);
    let attn = g.node('MatMul', [probs, values]);
    if (rep !== 1) attn = g.node('Reshape', [attn, headsShape]);
    const merged = g.node('Reshape', [g.node('Transpose', [attn], { perm: [0, 2, 1, 3] }), mergeShape]);
    x = g.node('Add', [x, g.node('MatMul', [merged, g.floatInit(`${p}.attn.o.weight`, need(weights, `${p}.attn.o.weight`, [H * hd, d]), [H * hd, d])])]);
    const h2 = rms(x, `${p}.ln2`);
    const GU = hcat(['gate', 'up'].map((m) => need(weights, `${p}.mlp.${m}.weight`, [d, f])), [f, f], d, [1, 1]);
    const [gate, up] = g.split(g.node('MatMul', [h2, g.floatInit(`${p}.mlp.gateup.weight`, GU, [d, 2 * f])]), 2, [f, f]);
    const act = g.node('Mul', [g.node('Mul', [gate, g.node('Sigmoid', [gate])]), up]);
    x = g.node('Add', [x, g.node('MatMul', [act, g.floatInit(`${p}.mlp.down.weight`, need(weights, `${p}.mlp.down.weight`, [f, d]), [f, d])])]);
  }
  const hf = rms(x, 'final_ln');
  const headW = c.tiedHead ? transpose2d(need(weights, 'embed.token', [c.vocab, d]), c.vocab, d) : need(weights, 'head.weight', [d, c.vocab]);
  g.node('MatMul', [hf, g.floatInit('head.weight.T', headW, [d, c.vocab])], {}, 'logits');
  const bytes = packModel(g, {
    name: 'ledgerlab_llama', doc: `Llama-family decoder ${c.layers}x${d}, ${H} heads / ${KV} kv heads, ffn ${f}, vocab ${c.vocab}, prefix ${Pfx}`,
    config: c, prefixLength: Pfx, inputs, outputs, opset: opts.opset, irVersion: opts.irVersion,
  });
  return { bytes, config: c, prefixLength: Pfx, inputNames: inputs.map((v) => v.name!), outputNames: outputs.map((v) => v.name!) };
}
