/**
 * Maps Hugging Face GPT-2 checkpoint names onto LedgerLab's neutral parameter names (and back), so a user
 * with real GPT-2 weights in safetensors can load them into the decoder.
 *
 * Neutral scheme (every linear weight is [in, out], used as y = x·W + b; LayerNorm is gamma/beta):
 *
 * | neutral name                        | shape        | GPT-2 (HF) source                                  |
 * |-------------------------------------|--------------|----------------------------------------------------|
 * | embed.token                         | [vocab, d]   | wte.weight                                         |
 * | embed.position                      | [ctx, d]     | wpe.weight                                         |
 * | blocks.{i}.ln1.gamma / .beta        | [d]          | h.{i}.ln_1.weight / .bias                          |
 * | blocks.{i}.attn.q.weight / .bias    | [d, d] / [d] | h.{i}.attn.c_attn.weight[:, 0:d] / .bias[0:d]      |
 * | blocks.{i}.attn.k.weight / .bias    | [d, d] / [d] | c_attn columns d:2d                                |
 * | blocks.{i}.attn.v.weight / .bias    | [d, d] / [d] | c_attn columns 2d:3d                               |
 * | blocks.{i}.attn.o.weight / .bias    | [d, d] / [d] | h.{i}.attn.c_proj.weight / .bias                   |
 * | blocks.{i}.ln2.gamma / .beta        | [d]          | h.{i}.ln_2.weight / .bias                          |
 * | blocks.{i}.mlp.fc.weight / .bias    | [d, 4d]/[4d] | h.{i}.mlp.c_fc.weight / .bias                      |
 * | blocks.{i}.mlp.proj.weight / .bias  | [4d, d]/[d]  | h.{i}.mlp.c_proj.weight / .bias                    |
 * | final_ln.gamma / .beta              | [d]          | ln_f.weight / .bias                                |
 * | head.weight (only if untied)        | [d, vocab]   | lm_head.weight [vocab, d], transposed              |
 *
 * GPT-2's Conv1D already stores [in, out], so only the fused qkv is split (q, k, v in that order along the
 * output axis). A `transformer.` prefix is accepted; `attn.bias` / `attn.masked_bias` (causal-mask buffers
 * of old checkpoints) are skipped; an `lm_head.weight` equal to `wte.weight` is reported as tied and dropped.
 * F32, F16 and BF16 tensors are decoded to float32. Any other name is an error naming the file and tensor.
 */
import { LedgerLabError } from '../errors.ts';
import { readSafetensors, tensorFromArray, toTypedArray, type SafeTensor, type SafetensorsContent } from './safetensors.ts';
import { decodeF16, decodeBf16 } from '../quant/index.ts';

export interface NeutralTensor {
  shape: number[];
  data: Float32Array;
}

export interface Gpt2Config {
  layers: number;
  dModel: number;
  vocab: number;
  context: number;
  /** True when the checkpoint has no lm_head or one identical to wte. */
  tiedHead: boolean;
}

export interface Gpt2Mapped {
  tensors: Map<string, NeutralTensor>;
  config: Gpt2Config;
  /** Source names that were deliberately not mapped (mask buffers, a tied lm_head). */
  skipped: string[];
}

function bad(where: string, problem: string, hint?: string): LedgerLabError {
  return new LedgerLabError({ kind: 'data', problem, where, hint });
}

/** float32 values of an F32/F16/BF16 tensor. */
export function floatValues(t: SafeTensor, where: string): Float32Array {
  const a = toTypedArray(t);
  if (t.dtype === 'F32') return a as Float32Array;
  if (t.dtype === 'F16') return decodeF16(a as Uint16Array);
  if (t.dtype === 'BF16') return decodeBf16(a as Uint16Array);
  throw bad(where, `dtype ${t.dtype} is not a float type`, 'checkpoint weights must be F32, F16 or BF16');
}

const LAYER_PARTS: Record<string, string> = {
  'ln_1.weight': 'ln1.gamma', 'ln_1.bias': 'ln1.beta', 'ln_2.weight': 'ln2.gamma', 'ln_2.bias': 'ln2.beta',
  'attn.c_proj.weight': 'attn.o.weight', 'attn.c_proj.bias': 'attn.o.bias',
  'mlp.c_fc.weight': 'mlp.fc.weight', 'mlp.c_fc.bias': 'mlp.fc.bias',
  'mlp.c_proj.weight': 'mlp.proj.weight', 'mlp.c_proj.bias': 'mlp.proj.bias',
};
const TOP: Record<string, string> = {
  'wte.weight': 'embed.token', 'wpe.weight': 'embed.position', 'ln_f.weight': 'final_ln.gamma', 'ln_f.bias': 'final_ln.beta',
};

/** Columns [c0, c1) of a row-major [rows, cols] matrix. */
function columns(data: Float32Array, rows: number, cols: number, c0: number, c1: number): Float32Array {
  const w = c1 - c0;
  const out = new Float32Array(rows * w);
  for (let r = 0; r < rows; r++) out.set(data.subarray(r * cols + c0, r * cols + c1), r * w);
  return out;
}

function transpose(data: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/**
 * @example
 * const { tensors, config } = gpt2ToNeutral(readSafetensors('gpt2/model.safetensors'), 'gpt2/model.safetensors');
 * config                                // { layers: 12, dModel: 768, vocab: 50257, context: 1024, tiedHead: true }
 * tensors.get('blocks.0.attn.q.weight') // { shape: [768, 768], data: Float32Array }
 */
export function gpt2ToNeutral(content: SafetensorsContent | Map<string, SafeTensor>, source = '<checkpoint>'): Gpt2Mapped {
  const src = content instanceof Map ? content : content.tensors;
  const out = new Map<string, NeutralTensor>();
  const skipped: string[] = [];
  let lmHead: { name: string; t: NeutralTensor } | undefined;
  for (const [rawName, t] of src) {
    const name = rawName.startsWith('transformer.') ? rawName.slice('transformer.'.length) : rawName;
    const where = `${source}: tensor "${rawName}"`;
    const m = /^h\.(\d+)\.(.+)$/.exec(name);
    if (m) {
      const [, layer, part] = m;
      if (part === 'attn.bias' || part === 'attn.masked_bias') { skipped.push(rawName); continue; }
      if (part === 'attn.c_attn.weight' || part === 'attn.c_attn.bias') {
        const values = floatValues(t, where);
        const isW = part.endsWith('weight');
        const [rows, cols] = isW ? t.shape : [1, t.shape[0]];
        if ((isW && t.shape.length !== 2) || (!isW && t.shape.length !== 1) || cols % 3 !== 0) {
          throw bad(where, `fused qkv has shape [${t.shape.join(', ')}]; expected ${isW ? '[d, 3d]' : '[3d]'}`);
        }
        const d = cols / 3;
        ['q', 'k', 'v'].forEach((head, j) => {
          out.set(`blocks.${layer}.attn.${head}.${isW ? 'weight' : 'bias'}`, {
            shape: isW ? [rows, d] : [d], data: columns(values, rows, cols, j * d, (j + 1) * d),
          });
        });
        continue;
      }
      const neutral = LAYER_PARTS[part];
      if (!neutral) throw bad(where, `unknown GPT-2 layer tensor "${part}"`, `known: ${Object.keys(LAYER_PARTS).join(', ')}, attn.c_attn.*`);
      out.set(`blocks.${layer}.${neutral}`, { shape: [...t.shape], data: floatValues(t, where) });
      continue;
    }
    if (name === 'lm_head.weight') { lmHead = { name: rawName, t: { shape: [...t.shape], data: floatValues(t, where) } }; continue; }
    const neutral = TOP[name];
    if (!neutral) throw bad(where, `unknown GPT-2 tensor "${rawName}"`, 'expected wte, wpe, h.<i>.*, ln_f.*, lm_head.weight');
    out.set(neutral, { shape: [...t.shape], data: floatValues(t, where) });
  }
  const wte = out.get('embed.token');
  const wpe = out.get('embed.position');
  if (!wte || !wpe) throw bad(source, `missing ${!wte ? 'wte.weight' : 'wpe.weight'}`, 'is this a GPT-2 checkpoint?');
  const [vocab, dModel] = wte.shape;
  let layers = 0;
  while (out.has(`blocks.${layers}.attn.q.weight`)) layers++;
  const expected = ['ln1.gamma', 'ln1.beta', 'attn.q.weight', 'attn.q.bias', 'attn.k.weight', 'attn.k.bias', 'attn.v.weight',
    'attn.v.bias', 'attn.o.weight', 'attn.o.bias', 'ln2.gamma', 'ln2.beta', 'mlp.fc.weight', 'mlp.fc.bias', 'mlp.proj.weight', 'mlp.proj.bias'];
  for (let i = 0; i < layers; i++) {
    for (const p of expected) if (!out.has(`blocks.${i}.${p}`)) throw bad(source, `layer ${i} lacks blocks.${i}.${p}`, 'the checkpoint is incomplete');
  }
  for (const k of out.keys()) {
    const li = /^blocks\.(\d+)\./.exec(k);
    if (li && Number(li[1]) >= layers) throw bad(source, `tensor ${k} belongs to layer ${li[1]} but layers 0..${layers - 1} have qkv weights`);
  }
  if (!out.has('final_ln.gamma') || !out.has('final_ln.beta')) throw bad(source, 'missing ln_f.weight / ln_f.bias');
  if (out.get('blocks.0.attn.q.weight') && out.get('blocks.0.attn.q.weight')!.shape[0] !== dModel) {
    throw bad(source, `attention width ${out.get('blocks.0.attn.q.weight')!.shape[0]} differs from the embedding width ${dModel}`);
  }
  let tiedHead = true;
  if (lmHead) {
    const same = lmHead.t.data.length === wte.data.length && lmHead.t.data.every((v, i) => Object.is(v, wte.data[i]));
    if (same) skipped.push(lmHead.name);
    else {
      if (lmHead.t.shape[0] !== vocab || lmHead.t.shape[1] !== dModel) {
        throw bad(`${source}: tensor "${lmHead.name}"`, `shape [${lmHead.t.shape.join(', ')}]; expected [${vocab}, ${dModel}]`);
      }
      tiedHead = false;
      out.set('head.weight', { shape: [dModel, vocab], data: transpose(lmHead.t.data, vocab, dModel) });
    }
  }
  return { tensors: out, config: { layers, dModel, vocab, context: wpe.shape[0], tiedHead }, skipped };
}

/** Loads a GPT-2 safetensors file straight into neutral names. */
export function loadGpt2Checkpoint(path: string): Gpt2Mapped {
  return gpt2ToNeutral(readSafetensors(path), path);
}

/**
 * The inverse mapping (neutral → HF GPT-2 names, F32): q/k/v are fused back into c_attn, head.weight becomes
 * lm_head.weight [vocab, d]. Useful to export a trained base in a format GPT-2 tools read.
 */
export function neutralToGpt2(tensors: Map<string, NeutralTensor>): Map<string, SafeTensor> {
  const out = new Map<string, SafeTensor>();
  const put = (name: string, t: NeutralTensor): void => { out.set(name, tensorFromArray('F32', t.shape, t.data)); };
  const topInv = Object.fromEntries(Object.entries(TOP).map(([k, v]) => [v, k]));
  const layerInv = Object.fromEntries(Object.entries(LAYER_PARTS).map(([k, v]) => [v, k]));
  for (const [name, t] of tensors) {
    if (topInv[name]) { put(topInv[name], t); continue; }
    if (name === 'head.weight') { put('lm_head.weight', { shape: [t.shape[1], t.shape[0]], data: transpose(t.data, t.shape[0], t.shape[1]) }); continue; }
    const m = /^blocks\.(\d+)\.(.+)$/.exec(name);
    if (!m) throw bad(`neutral tensor "${name}"`, 'not a neutral GPT-2 name');
    const [, i, part] = m;
    if (/^attn\.[qkv]\./.test(part)) continue; // fused below
    if (!layerInv[part]) throw bad(`neutral tensor "${name}"`, `unknown layer part "${part}"`);
    put(`h.${i}.${layerInv[part]}`, t);
  }
  for (const name of tensors.keys()) {
    const m = /^blocks\.(\d+)\.attn\.q\.(weight|bias)$/.exec(name);
    if (!m) continue;
    const [, i, kind] = m;
    const parts = ['q', 'k', 'v'].map((h) => tensors.get(`blocks.${i}.attn.${h}.${kind}`));
    if (parts.some((p) => !p)) throw bad(`neutral tensors of layer ${i}`, `q, k and v ${kind} must all be present`);
    const [q, k, v] = parts as NeutralTensor[];
    const rows = kind === 'weight' ? q.shape[0] : 1;
    const d = q.shape[q.shape.length - 1];
    const fused = new Float32Array(rows * 3 * d);
    for (let r = 0; r < rows; r++) {
      fused.set(q.data.subarray(r * d, (r + 1) * d), r * 3 * d);
      fused.set(k.data.subarray(r * d, (r + 1) * d), r * 3 * d + d);
      fused.set(v.data.subarray(r * d, (r + 1) * d), r * 3 * d + 2 * d);
    }
    put(`h.${i}.attn.c_attn.${kind}`, { shape: kind === 'weight' ? [rows, 3 * d] : [3 * d], data: fused });
  }
  return out;
}
