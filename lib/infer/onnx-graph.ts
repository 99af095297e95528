/**
 * A small ONNX graph builder (onnx-proto) and the helpers both decoder graphs (GPT-2's in onnx-export.ts,
 * the Llama family's in onnx-llama.ts) use: fresh node names, float32/int64 raw-data initializers, value
 * infos, weight lookup with shape checks, the positions and causal mask, and the cache inputs and outputs.
 */
import onnxProto from 'onnx-proto';
import { LedgerLabError } from '../errors.ts';
import type { WeightSource } from '../model/index.ts';
import { EXTERNAL_MIN_BYTES, externalFloatTensor, type ExternalDataSink } from './onnx-external.ts';

const { onnx } = onnxProto;
type INode = onnxProto.onnx.INodeProto;
type ITensor = onnxProto.onnx.ITensorProto;
export type IValueInfo = onnxProto.onnx.IValueInfoProto;
type IAttribute = onnxProto.onnx.IAttributeProto;

/** Same additive mask value as lib/model/attention.ts (finite, so a fully masked row cannot become NaN). */
const MASKED = -1e9;

type AttrValue = number | number[] | string | { float: number } | { floats: number[] } | ITensor;

/**
 * Small graph builder: every node gets a fresh output name, initializers are float32/int64 raw data — or, with
 * an external-data sink, float32 initializers of EXTERNAL_MIN_BYTES or more are written to the sink's file.
 */
export class GraphBuilder {
  readonly nodes: INode[] = [];
  readonly initializers: ITensor[] = [];
  private n = 0;
  private readonly external: ExternalDataSink | undefined;

  constructor(opts: { external?: ExternalDataSink } = {}) {
    this.external = opts.external;
  }

  node(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outName?: string): string {
    const out = outName ?? `${op.toLowerCase()}_${this.n++}`;
    this.nodes.push({ opType: op, input: inputs, output: [out], name: `n${this.nodes.length}_${op}`, attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)) });
    return out;
  }

  /** Split along `axis` into parts of the given sizes (opset ≥ 13: sizes are an input). */
  split(input: string, axis: number, sizes: number[]): string[] {
    const outs = sizes.map(() => `split_${this.n++}`);
    this.nodes.push({ opType: 'Split', input: [input, this.intInit(`c_split_${this.n++}`, sizes)], output: outs, name: `n${this.nodes.length}_Split`, attribute: [attribute('axis', axis)] });
    return outs;
  }

  floatInit(name: string, data: Float32Array, dims: number[]): string {
    if (this.external && data.byteLength >= EXTERNAL_MIN_BYTES) {
      this.initializers.push(externalFloatTensor(this.external, name, data, dims));
      return name;
    }
    this.initializers.push({ name, dataType: onnx.TensorProto.DataType.FLOAT, dims, rawData: leBytes(data) });
    return name;
  }

  intInit(name: string, values: number[], dims: number[] = [values.length]): string {
    this.initializers.push({ name, dataType: onnx.TensorProto.DataType.INT64, dims, rawData: leBytes(BigInt64Array.from(values, BigInt)) });
    return name;
  }

  scalarFloat(name: string, v: number): string {
    return this.floatInit(name, Float32Array.of(v), []);
  }
}

function attribute(name: string, v: AttrValue): IAttribute {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return { name, type: T.INT, i: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: T.INTS, ints: v };
  if ('float' in v) return { name, type: T.FLOAT, f: v.float };
  if ('floats' in v) return { name, type: T.FLOATS, floats: v.floats };
  return { name, type: T.TENSOR, t: v };
}

/** Little-endian bytes of a typed array (ONNX raw_data is little-endian; so is every platform Node runs on here). */
function leBytes(a: Float32Array | BigInt64Array): Uint8Array {
  return new Uint8Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.byteLength));
}

export function valueInfo(name: string, elemType: number, dims: Array<number | string>): IValueInfo {
  return {
    name,
    type: { tensorType: { elemType, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
  };
}

export function need(weights: WeightSource, name: string, shape: number[]): Float32Array {
  const t = weights.get(name);
  if (!t) throw new LedgerLabError({ kind: 'data', problem: `weight "${name}" is missing`, where: 'exportOnnx weights', hint: 'pass model.exportWeights() or initWeights(config, seed)' });
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new LedgerLabError({ kind: 'data', problem: `weight "${name}" has shape [${t.shape}], expected [${shape}]`, where: 'exportOnnx weights' });
  }
  return t.data;
}

/** [rows, cols] → [cols, rows] */
export function transpose2d(a: Float32Array, rows: number, cols: number): Float32Array {
  const out = new Float32Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}


/**
 * Shapes and positions: T from input_ids, P from the first layer's past; positions P … P+T-1, and the causal
 * mask over [prefix | past | new] (query t, at absolute P+t, sees keys at s ≤ Pfx + P + t).
 */
export function positionsAndMask(g: GraphBuilder, Pfx: number): { batch: string; positions: string; mask: string } {
  const idsShape = g.node('Shape', ['input_ids']);
  const batch = g.node('Gather', [idsShape, g.intInit('c_idx0', [0])], { axis: 0 }); // [1]
  const Tsc = g.node('Gather', [idsShape, g.intInit('c_idx1_scalar', [1], [])], { axis: 0 }); // scalar
  const Psc = g.node('Gather', [g.node('Shape', ['past.0.key']), g.intInit('c_idx2_scalar', [2], [])], { axis: 0 });
  const one = g.intInit('c_one', [1], []);
  const zero = g.intInit('c_zero', [0], []);
  const PT = g.node('Add', [Psc, Tsc]);
  const positions = g.node('Range', [Psc, PT, one]); // [T]
  const totalKeys = Pfx > 0 ? g.node('Add', [PT, g.intInit('c_pfx', [Pfx], [])]) : PT;
  const keyIdx = g.node('Range', [zero, totalKeys, one]); // [S]
  const qIdx = g.node('Unsqueeze', [Pfx > 0 ? g.node('Add', [positions, 'c_pfx']) : positions, g.intInit('c_axes1', [1])]); // [T,1]
  const mask = g.node('Where', [g.node('Greater', [keyIdx, qIdx]), g.scalarFloat('c_masked', MASKED), g.scalarFloat('c_0f', 0)]); // [T,S]
  return { batch, positions, mask };
}

/** The graph's inputs (input_ids, each layer's past) and outputs (logits, each layer's present), `heads` being the cache's key/value heads. */
export function decoderInputsOutputs(layers: number, heads: number, hd: number, vocab: number): { inputs: IValueInfo[]; outputs: IValueInfo[] } {
  const F = onnx.TensorProto.DataType.FLOAT;
  const I64 = onnx.TensorProto.DataType.INT64;
  const inputs: IValueInfo[] = [valueInfo('input_ids', I64, ['batch', 'tokens'])];
  const outputs: IValueInfo[] = [valueInfo('logits', F, ['batch', 'tokens', vocab])];
  for (let i = 0; i < layers; i++) {
    inputs.push(valueInfo(`past.${i}.key`, F, ['batch', heads, 'past', hd]), valueInfo(`past.${i}.value`, F, ['batch', heads, 'past', hd]));
    outputs.push(valueInfo(`present.${i}.key`, F, ['batch', heads, 'present', hd]), valueInfo(`present.${i}.value`, F, ['batch', heads, 'present', hd]));
  }
  return { inputs, outputs };
}

/** Serializes a finished graph with LedgerLab's metadata (the config and the baked prefix length). */
export function packModel(g: GraphBuilder, o: { name: string; doc: string; config: unknown; prefixLength: number; inputs: IValueInfo[]; outputs: IValueInfo[]; opset: number; irVersion: number }): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: o.irVersion,
    opsetImport: [{ domain: '', version: o.opset }],
    producerName: 'ledgerlab',
    producerVersion: '0.1.0',
    docString: o.doc,
    graph: { name: o.name, node: g.nodes, initializer: g.initializers, input: o.inputs, output: o.outputs },
    metadataProps: [
      { key: 'ledgerlab.config', value: JSON.stringify(o.config) },
      { key: 'ledgerlab.prefixLength', value: String(o.prefixLength) },
    ],
  });
  const encoded = onnx.ModelProto.encode(model).finish();
  // protobufjs hands back a Node Buffer; callers get a plain Uint8Array view of the same bytes.
  return new Uint8Array(encoded.buffer, encoded.byteOffset, encoded.byteLength);
}

/**
 * Layer i's keys and values for attention, as both decoder graphs build them: the new ones appended to the
 * cache inputs (`past.i.*`, output as `present.i.*`), then a baked P-Tuning v2 prefix (`[1, heads, P, hd]`,
 * expanded to the batch by `expandShape`) placed in front. Returns the cache-extended and attended tensors.
 */
export function cachedKeysValues(
  g: GraphBuilder, i: number, kNew: string, vNew: string,
  prefix: { keys: Float32Array; values: Float32Array; shape: number[]; expandShape: string } | undefined,
): { keys: string; values: string } {
  const k = g.node('Concat', [`past.${i}.key`, kNew], { axis: 2 }, `present.${i}.key`);
  const v = g.node('Concat', [`past.${i}.value`, vNew], { axis: 2 }, `present.${i}.value`);
  if (!prefix) return { keys: k, values: v };
  const pk = g.floatInit(`prefix.${i}.key`, prefix.keys, prefix.shape);
  const pv = g.floatInit(`prefix.${i}.value`, prefix.values, prefix.shape);
  return {
    keys: g.node('Concat', [g.node('Expand', [pk, prefix.expandShape]), k], { axis: 2 }),
    values: g.node('Concat', [g.node('Expand', [pv, prefix.expandShape]), v], { axis: 2 }),
  };
}

