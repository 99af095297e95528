/**
 * ONNX Runtime (onnxruntime-node, CPU/MLAS) session over an exported decoder, with the key/value cache kept
 * as ORT tensors between calls (present.* fed back as past.*), so no cache data crosses into JS.
 *
 * onnxruntime-node loads its CPU library from the package itself (bin/napi-v6/<platform>/<arch>); its
 * install script only fetches optional CUDA providers and is skipped here (package.json allowScripts).
 */
import * as ort from 'onnxruntime-node';
import { readFileSync } from 'node:fs';
import { LedgerLabError } from '../errors.ts';
import { currentPhase } from '../runtime/index.ts';
import { GptConfigSchema, headDim, kvHeads, type GptConfig } from '../model/index.ts';
import type { CachedDecoder } from './generate.ts';
import { onnxMetadata, type OnnxExport } from './onnx-export.ts';

export interface OrtOptions {
  /** Threads inside one operator (MLAS GEMM); default 1, the fair comparison with single-threaded tfjs-wasm. */
  intraOpThreads?: number;
}

/** Past/present keys and values per layer, [B, H, P, hd] each. */
export interface OrtCache {
  keys: ort.Tensor[];
  values: ort.Tensor[];
  /** Cached positions P. */
  length: number;
}

export class OrtDecoder implements CachedDecoder {
  readonly session: ort.InferenceSession;
  readonly config: GptConfig;
  readonly vocab: number;
  readonly context: number;
  private cache?: OrtCache;

  private constructor(session: ort.InferenceSession, config: GptConfig) {
    this.session = session;
    this.config = config;
    this.vocab = config.vocab;
    this.context = config.context;
  }

  /**
   * Opens a session from an export, or from an .onnx path written by exportOnnx (the config is read from
   * the model's metadata).
   *
   * @example
   * const dec = await OrtDecoder.create(await exportOnnx(model), { intraOpThreads: 1 });
   * const { logits } = await dec.run(Int32Array.of(1, 2, 3), 1, 3);
   */
  static async create(source: OnnxExport | string, opts: OrtOptions = {}): Promise<OrtDecoder> {
    // A path is opened by ORT itself, which resolves external data (`<file>.data`) from the file's folder.
    const file = typeof source === 'string' ? source : source.externalData ? source.file : undefined;
    const bytes = typeof source === 'string' ? readFileSync(source) : source.bytes;
    const threads = opts.intraOpThreads ?? 1;
    if (!Number.isInteger(threads) || threads < 1) throw new LedgerLabError({ kind: 'usage', problem: `intraOpThreads must be an integer ≥ 1, got ${threads}`, where: 'OrtDecoder.create' });
    let session: ort.InferenceSession;
    try {
      const options: ort.InferenceSession.SessionOptions = { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential', graphOptimizationLevel: 'all' };
      session = file ? await ort.InferenceSession.create(file, options) : await ort.InferenceSession.create(bytes, options);
    } catch (err) {
      throw new LedgerLabError({ kind: 'runtime', problem: `ONNX Runtime could not load the model: ${(err as Error).message}`, where: typeof source === 'string' ? source : 'OrtDecoder.create', hint: 'export it again with exportOnnx; check onnxruntime-node is installed' });
    }
    let config: GptConfig;
    if (typeof source === 'string') {
      // ORT's JS API does not expose custom metadata; decode the ModelProto ourselves (a few MB, once).
      const raw = onnxMetadata(bytes)['ledgerlab.config'];
      if (!raw) {
        await session.release();
        throw new LedgerLabError({ kind: 'data', problem: 'the ONNX file has no ledgerlab.config metadata', where: source, hint: 'export it with exportOnnx (lib/infer)' });
      }
      config = GptConfigSchema.parse(JSON.parse(raw), `${source} metadata`);
    } else {
      config = source.config;
    }
    return new OrtDecoder(session, config);
  }

  /** An empty cache (P = 0) for a batch. */
  emptyCache(batch: number): OrtCache {
    // Llama-family exports cache the key/value heads only (grouped-query attention).
    const layers = this.config.layers;
    const dims = [batch, kvHeads(this.config), 0, headDim(this.config)];
    const empty = () => new ort.Tensor('float32', new Float32Array(0), dims);
    return { keys: Array.from({ length: layers }, empty), values: Array.from({ length: layers }, empty), length: 0 };
  }

  /** One call: logits [B, T, V] for ids [B, T] after `past` (default empty), and the grown cache. */
  async run(ids: Int32Array | number[], batch: number, tokens: number, past?: OrtCache): Promise<{ logits: Float32Array; present: OrtCache }> {
    if (ids.length !== batch * tokens) throw new LedgerLabError({ kind: 'usage', problem: `ids has ${ids.length} values, expected ${batch}×${tokens}`, where: 'OrtDecoder.run' });
    const p = past ?? this.emptyCache(batch);
    if (p.length + tokens > this.context) {
      throw new LedgerLabError({ kind: 'usage', problem: `${p.length} cached + ${tokens} new positions exceed the context ${this.context}`, where: 'OrtDecoder.run' });
    }
    const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', BigInt64Array.from(ids, (v) => BigInt(v)), [batch, tokens]) };
    for (let i = 0; i < this.config.layers; i++) {
      feeds[`past.${i}.key`] = p.keys[i];
      feeds[`past.${i}.value`] = p.values[i];
    }
    let out: ort.InferenceSession.ReturnType;
    try {
      out = await this.session.run(feeds);
    } catch (err) {
      // A failed ORT status is an error where it happened, never a result.
      throw new LedgerLabError({ kind: 'runtime', code: 'runtime.ort_status', problem: `ONNX Runtime failed: ${(err as Error).message}`, where: [currentPhase(), 'OrtDecoder.run'].filter(Boolean).join(', '), cause: err });
    }
    const present: OrtCache = { keys: [], values: [], length: p.length + tokens };
    for (let i = 0; i < this.config.layers; i++) {
      present.keys.push(out[`present.${i}.key`]);
      present.values.push(out[`present.${i}.value`]);
    }
    return { logits: out.logits.data as Float32Array, present };
  }

  reset(): void {
    this.cache = undefined;
  }

  async step(ids: Int32Array, batch: number, tokens: number): Promise<Float32Array> {
    const { logits, present } = await this.run(ids, batch, tokens, this.cache);
    this.cache = present;
    if (tokens === 1) return logits;
    const V = this.vocab;
    const last = new Float32Array(batch * V);
    for (let b = 0; b < batch; b++) last.set(logits.subarray((b * tokens + tokens - 1) * V, (b * tokens + tokens) * V), b * V);
    return last;
  }

  async dispose(): Promise<void> {
    this.cache = undefined;
    await this.session.release();
  }
}
