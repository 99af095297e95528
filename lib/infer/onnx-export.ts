/**
 * The decoder as an ONNX graph built from JS (onnx-proto), so a trained model — LoRA merged, quantized
 * weights dequantized, P-Tuning v2 prefix baked in — runs under ONNX Runtime with a key/value cache.
 *
 * Graph contract (opset 17, IR 8):
 *   inputs  input_ids [B, T] int64; past.{i}.key / past.{i}.value [B, H, P, hd] float32 (P may be 0)
 *   outputs logits [B, T, V]; present.{i}.key / present.{i}.value [B, H, P + T, hd]
 * Positions are P … P+T-1, taken from the past's length, so a cached call needs no extra input. A P-Tuning v2
 * prefix is a constant of the graph, prepended to every layer's keys/values inside the graph and never part of
 * the past/present: the caller's cache is then the same for every method, and positions stay token positions
 * (the tfjs model likewise does not give prefix slots a position).
 *
 * The math is lib/model's (pre-LN, LayerNorm eps 1e-5, tanh-GELU, additive -1e9 causal mask); a few algebraic
 * rewrites that ORT runs faster (fused q|k|v projection with 1/√hd folded into q, GELU in ORT's fusable form)
 * change only float rounding, so logits agree with `model.forward` within 1e-4.
 */
import onnxProto from 'onnx-proto';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LedgerLabError } from '../errors.ts';
import {
  GptConfigSchema, expectedShapes, ffnWidth, isLlama, normEps, type GptConfig, type Gpt, type WeightSource,
} from '../model/index.ts';
import { tensorsOnDevice } from '../runtime/index.ts';
import { writeFileAtomic } from '../results/index.ts';
import type { OnnxExport, PlainPrefix } from './onnx-types.ts';
export type { OnnxExport, PlainPrefix } from './onnx-types.ts';
import { GraphBuilder, cachedKeysValues, decoderInputsOutputs, need, packModel, positionsAndMask, transpose2d } from './onnx-graph.ts';
import { buildLlamaOnnx } from './onnx-llama.ts';
import { ExternalDataSink } from './onnx-external.ts';

const { onnx } = onnxProto;

export const ONNX_OPSET = 17;
export const ONNX_IR_VERSION = 8;
const GELU_C = Math.sqrt(2 / Math.PI);

/**
 * Above this many bytes of weights, exportOnnx writes them as external data: one serialized ModelProto cannot
 * exceed 2 GB (protobuf), and the graph, metadata and small constants need room beside the weights.
 */
export const ONNX_INLINE_MAX_BYTES = 1.5 * 2 ** 30;

/** [d, 3d] = [Wq·s | Wk | Wv] row by row. */
function qkvWeight(weights: WeightSource, p: string, d: number, s: number): Float32Array {
  const parts = ['q', 'k', 'v'].map((m) => need(weights, `${p}.attn.${m}.weight`, [d, d]));
  const out = new Float32Array(d * 3 * d);
  for (let r = 0; r < d; r++) {
    for (let j = 0; j < d; j++) out[r * 3 * d + j] = parts[0][r * d + j] * s;
    out.set(parts[1].subarray(r * d, (r + 1) * d), r * 3 * d + d);
    out.set(parts[2].subarray(r * d, (r + 1) * d), r * 3 * d + 2 * d);
  }
  return out;
}

function qkvBias(weights: WeightSource, p: string, d: number, s: number): Float32Array {
  const out = new Float32Array(3 * d);
  const bq = need(weights, `${p}.attn.q.bias`, [d]);
  for (let j = 0; j < d; j++) out[j] = bq[j] * s;
  out.set(need(weights, `${p}.attn.k.bias`, [d]), d);
  out.set(need(weights, `${p}.attn.v.bias`, [d]), 2 * d);
  return out;
}

/**
 * Builds the decoder graph from effective fp32 weights.
 *
 * @example
 * const exp = buildOnnxDecoder(REFERENCE_CONFIG, await model.exportWeights());
 * const session = await OrtDecoder.create(exp);
 */
export function buildOnnxDecoder(config: GptConfig, weights: WeightSource, prefix?: PlainPrefix, opts: { external?: ExternalDataSink } = {}): OnnxExport {
  const c = GptConfigSchema.parse(config, 'model config');
  if (isLlama(c)) return buildLlamaOnnx(c, weights, { prefix, opset: ONNX_OPSET, irVersion: ONNX_IR_VERSION, external: opts.external });
  const d = c.dModel;
  const H = c.heads;
  if (!Number.isInteger(d / H)) throw new LedgerLabError({ kind: 'config', problem: `dModel ${d} is not divisible by heads ${H}`, where: 'model.heads' });
  const Pfx = prefix?.length ?? 0;
  if (prefix && (prefix.keys.length !== c.layers || prefix.values.length !== c.layers)) {
    throw new LedgerLabError({ kind: 'data', problem: `prefix has ${prefix.keys.length} key / ${prefix.values.length} value layers, model has ${c.layers}`, where: 'buildOnnxDecoder prefix' });
  }
  const g = new GraphBuilder({ external: opts.external });
  const { batch, positions, mask } = positionsAndMask(g, Pfx);

  // Embeddings.
  const tok = g.node('Gather', [g.floatInit('embed.token', need(weights, 'embed.token', [c.vocab, d]), [c.vocab, d]), 'input_ids'], { axis: 0 });
  const pos = g.node('Gather', [g.floatInit('embed.position', need(weights, 'embed.position', [c.context, d]), [c.context, d]), positions], { axis: 0 });
  let x = g.node('Add', [tok, pos]); // [B,T,d]

  const { ln, block } = gpt2Blocks(g, c, weights, { batch, mask, prefix });
  for (let i = 0; i < c.layers; i++) x = block(i, x);
  const hf = ln(x, 'final_ln');
  const headW = c.tiedHead ? transpose2d(need(weights, 'embed.token', [c.vocab, d]), c.vocab, d) : need(weights, 'head.weight', [d, c.vocab]);
  g.node('MatMul', [hf, g.floatInit('head.weight.T', headW, [d, c.vocab])], {}, 'logits');

  const { inputs, outputs } = decoderInputsOutputs(c.layers, H, d / H, c.vocab);
  const bytes = packModel(g, {
    name: 'ledgerlab_gpt', doc: `GPT decoder ${c.layers}x${d}, ${H} heads, vocab ${c.vocab}, prefix ${Pfx}`,
    config: c, prefixLength: Pfx, inputs, outputs, opset: ONNX_OPSET, irVersion: ONNX_IR_VERSION,
  });
  return { bytes, config: c, prefixLength: Pfx, inputNames: inputs.map((v) => v.name!), outputNames: outputs.map((v) => v.name!) };
}

/**
 * The GPT-2 block's constants, added to the graph once, and builders for a LayerNorm and for block i (its
 * input x → its output): pre-LN attention over [prefix | past | new] with the cache, then the tanh-GELU MLP.
 */
function gpt2Blocks(g: GraphBuilder, c: GptConfig, weights: WeightSource, at: { batch: string; mask: string; prefix?: PlainPrefix }): { ln: (input: string, p: string) => string; block: (i: number, x: string) => string } {
  const d = c.dModel;
  const H = c.heads;
  const hd = d / H;
  const ffn = ffnWidth(c);
  const prefix = at.prefix;
  const Pfx = prefix?.length ?? 0;
  const mergeShape = g.intInit('c_merge_shape', [0, 0, d]);
  const scaleQ = 1 / Math.sqrt(hd);
  const qkvShape = g.intInit('c_qkv_shape', [0, 0, 3 * H, hd]);
  const [three, geluA, geluC, half, oneF] = [3, 0.044715, GELU_C, 0.5, 1].map((v, j) => g.scalarFloat(`c_gelu_${j}`, v));
  const prefixExpandShape = Pfx > 0 ? g.node('Concat', [at.batch, g.intInit('c_pfx_shape', [H, Pfx, hd])], { axis: 0 }) : '';
  const ln = (input: string, p: string) =>
    g.node('LayerNormalization', [input, g.floatInit(`${p}.gamma`, need(weights, `${p}.gamma`, [d]), [d]), g.floatInit(`${p}.beta`, need(weights, `${p}.beta`, [d]), [d])], { axis: -1, epsilon: { float: normEps(c) } });
  const linear = (input: string, p: string, inF: number, outF: number) =>
    g.node('Add', [g.node('MatMul', [input, g.floatInit(`${p}.weight`, need(weights, `${p}.weight`, [inF, outF]), [inF, outF])]), g.floatInit(`${p}.bias`, need(weights, `${p}.bias`, [outF]), [outF])]);
  const block = (i: number, x: string): string => {
    const p = `blocks.${i}`;
    const h = ln(x, `${p}.ln1`);
    // One [d, 3d] projection for q|k|v (fewer nodes: per-node overhead dominates a small model's decode
    // step), with 1/√hd folded into the q columns, then split per head into [B, H, T, hd] each.
    const qkv = g.node('Transpose', [g.node('Reshape', [g.node('Add', [g.node('MatMul', [h, g.floatInit(`${p}.attn.qkv.weight`, qkvWeight(weights, p, d, scaleQ), [d, 3 * d])]), g.floatInit(`${p}.attn.qkv.bias`, qkvBias(weights, p, d, scaleQ), [3 * d])]), qkvShape])], { perm: [0, 2, 1, 3] });
    const [q, kNew, vNew] = g.split(qkv, 1, [H, H, H]);
    const { keys, values } = cachedKeysValues(g, i, kNew, vNew,
      Pfx > 0 ? { keys: prefix!.keys[i], values: prefix!.values[i], shape: [1, H, Pfx, hd], expandShape: prefixExpandShape } : undefined);
    const kT = g.node('Transpose', [keys], { perm: [0, 1, 3, 2] });
    const scores = g.node('Add', [g.node('MatMul', [q, kT]), at.mask]);
    const attn = g.node('MatMul', [g.node('Softmax', [scores], { axis: -1 }), values]); // [B,H,T,hd]
    const merged = g.node('Reshape', [g.node('Transpose', [attn], { perm: [0, 2, 1, 3] }), mergeShape]);
    x = g.node('Add', [x, linear(merged, `${p}.attn.o`, d, d)]);
    const h2 = ln(x, `${p}.ln2`);
    const f = linear(h2, `${p}.mlp.fc`, d, ffn);
    // tanh-GELU in the exact form ORT's FastGeluFusion matches (Pow→Mul→Add→Mul→Tanh→Add, ·0.5x): one fused
    // kernel instead of eight nodes. Same function as the model's x·sigmoid(2c·(…)) up to float rounding.
    const inner = g.node('Mul', [g.node('Add', [f, g.node('Mul', [g.node('Pow', [f, three]), geluA])]), geluC]);
    const act = g.node('Mul', [g.node('Mul', [f, half]), g.node('Add', [g.node('Tanh', [inner]), oneF])]);
    return g.node('Add', [x, linear(act, `${p}.mlp.proj`, ffn, d)]);
  };
  return { ln, block };
}

/** The model's metadata_props (key → value) from serialized ONNX bytes. */
export function onnxMetadata(bytes: Uint8Array): Record<string, string> {
  const m = onnx.ModelProto.decode(bytes);
  return Object.fromEntries((m.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
}

/**
 * The P-Tuning v2 prefix a model adds to every call (evaluation mode: no prefix dropout), as plain arrays;
 * undefined for methods without one. Virtual-token methods (P-Tuning v1, prompt tuning) are refused: their
 * prompt shifts positions, which this graph does not model.
 */
export async function methodPrefix(model: Gpt): Promise<PlainPrefix | undefined> {
  const extras = model.extras;
  if (!extras) return undefined;
  let n = 0;
  let hasPrompt = false;
  // tidy frees the prefix computation's intermediates (reshape/transpose of the embedding or its MLP).
  const tensors = tf.tidy(() => {
    const e = extras(1, { training: false, seed: () => n++ });
    hasPrompt = !!e.prompt;
    return e.prefix ? [...e.prefix.keys, ...e.prefix.values] : [];
  });
  try {
    if (hasPrompt) {
      throw new LedgerLabError({ kind: 'usage', problem: 'ONNX export does not support virtual-token methods (ptuning-v1, prompt-tuning)', where: 'exportOnnx', hint: 'export full, lora/qlora or ptuning-v2 models' });
    }
    if (tensors.length === 0) return undefined;
    const data = await Promise.all(tensors.map(async (t) => (await t.data()) as Float32Array));
    const L = tensors.length / 2;
    return { length: tensors[0].shape[2]!, keys: data.slice(0, L), values: data.slice(L) };
  } finally {
    for (const t of tensors) t.dispose();
  }
}

/**
 * Exports a built model (any quant, LoRA merged via exportWeights, P-Tuning v2 prefix baked in) to ONNX bytes,
 * and writes them atomically when `path` is given. Weights over ONNX_INLINE_MAX_BYTES (or `externalData:
 * true`) go to `<path>.data` as ONNX external data, streamed tensor by tensor; without a path such an export
 * goes to a fresh temporary folder (`remove()` deletes it).
 *
 * @example
 * const exp = await exportOnnx(model, 'runs/x/model.onnx');
 * const big = await exportOnnx(model, undefined, { externalData: true });   // big.file, big.file + '.data'
 */
export async function exportOnnx(model: Gpt, path?: string, opts: { externalData?: boolean } = {}): Promise<OnnxExport> {
  const prefix = await methodPrefix(model);
  // fp32 bytes of the effective weights, from the config's shapes (what exportWeights would return)
  let bytes = 0;
  for (const shape of expectedShapes(model.config).values()) bytes += 4 * shape.reduce((a, b) => a * b, 1);
  const externalData = opts.externalData ?? bytes > ONNX_INLINE_MAX_BYTES;
  // Streamed to external data, a large model is read one tensor at a time (no whole fp32 copy in JS); on a
  // GPU backend (no synchronous reads) and inline, all at once as before.
  const weights = externalData && !tensorsOnDevice() ? model.effectiveWeightSource() : await model.exportWeights();
  return writeOnnx(model.config, weights, prefix, { path, externalData });
}

/**
 * Builds the decoder from `weights` (a Map, or a checkpoint read tensor by tensor) and writes it: in one
 * protobuf (to `path` if given), or with external data to `path` + `.data` (a temporary folder without a path).
 */
export function writeOnnx(config: GptConfig, weights: WeightSource, prefix: PlainPrefix | undefined, o: { path?: string; externalData: boolean }): OnnxExport {
  if (!o.externalData) {
    const exp = buildOnnxDecoder(config, weights, prefix);
    if (o.path) writeFileAtomic(o.path, exp.bytes);
    return o.path ? { ...exp, file: o.path } : exp;
  }
  const dir = o.path ? undefined : mkdtempSync(join(tmpdir(), 'ledgerlab-onnx-'));
  const file = o.path ?? join(dir!, 'model.onnx');
  const sink = new ExternalDataSink(`${file}.data`);
  let exp: OnnxExport;
  try {
    exp = buildOnnxDecoder(config, weights, prefix, { external: sink });
  } finally {
    sink.close();
  }
  writeFileAtomic(file, exp.bytes);
  return { ...exp, file, externalData: true, ...(dir ? { remove: () => rmSync(dir, { recursive: true, force: true }) } : {}) };
}
