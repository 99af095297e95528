/**
 * The decoder-only transformer on TensorFlow.js, for two block families chosen by `config.arch`:
 * - gpt2 (default): pre-LayerNorm blocks, learned positions, causal multi-head attention, tanh-GELU MLP;
 * - llama (Llama, Qwen2, Mistral, ChatGLM2's shape): RMSNorm, rotary q/k, grouped-query attention, SwiGLU
 *   MLP, optional q/k/v biases (the family's math lives in ./llama/).
 * Both have tied or untied heads, KV caches, padding masks, P-Tuning v2 prefixes and checkpointed blocks.
 * Weights use the neutral names of ./shapes.ts, so they move between tfjs, ONNX (lib/infer) and safetensors
 * unchanged.
 *
 * PEFT methods plug in without subclassing: a method may swap linear layers (LoRA), add trainable variables,
 * and supply per-call extras — virtual prompt embeddings (P-Tuning v1, prompt tuning) or per-layer key/value
 * prefixes (P-Tuning v2). The optimizer sees only `model.trainable`.
 *
 * @example
 * const model = Gpt.fromWeights(config, initWeights(config, 'base'), { trainable: true });
 * const { logits } = model.forward(tf.tensor2d([[1, 2, 3]], [1, 3], 'int32'));   // [1, 3, vocab]
 */
import * as tf from '@tensorflow/tfjs';
import { LedgerLabError } from '../errors.ts';
import { tensorsOnDevice } from '../runtime/index.ts';
import { quantize, type QuantDtype } from '../quant/index.ts';
import { FP32_JS_TILE_VALUES, frozenInJs, transposedInJs, type FrozenLayout } from './frozen-layout.ts';
import { DenseLinear, PackedLinear, gelu, layerNorm, type ApplyContext, type Linear } from './layers.ts';
import { attend, mergeHeads, paddingBias, splitHeads } from './attention.ts';
import { GptConfigSchema, checkShape, headDim, isLlama, normEps, ropeTheta, kvHeads, type GptConfig } from './config.ts';
import { expectedShapes, isLinearTensor, linearRoles, type LinearRole } from './shapes.ts';
import { applyRope, attendGrouped, rmsNorm, swiglu } from './llama/index.ts';
import { LOSS_CHUNK_BYTES, fusedHeadLoss, lmLoss, type FrozenHead } from './loss.ts';
import type { NeutralTensor } from './gpt2-names.ts';
import type { Weights } from './init.ts';

/** Per-layer keys and values prepended to attention, each [1 or B, H, P, hd]. */
export interface KvPrefix {
  keys: tf.Tensor4D[];
  values: tf.Tensor4D[];
}

export interface ForwardOptions {
  /** [B, T] 1 = real token. Only needed when a query can see padding (left padding); right padding is hidden by causality. */
  attentionMask?: tf.Tensor2D;
  /** Virtual token embeddings [1 or B, P, d] placed before the tokens (P-Tuning v1, prompt tuning). */
  prompt?: tf.Tensor3D;
  /** Per-layer key/value prefix: P-Tuning v2's trainable prefix and/or a generation cache. */
  prefix?: KvPrefix;
  /** Position of the first token (a generation cache's length). */
  positionOffset?: number;
  training?: boolean;
  /** Base of the step's dropout seeds; same seed → same dropout masks. */
  seed?: number;
  /** Recompute each block's activations in the backward pass instead of keeping them. */
  checkpoint?: boolean;
  /** Return this call's keys/values (prefix included) for a generation cache. */
  returnPresents?: boolean;
  /**
   * Logits of the last position only ([B, 1, vocab]): what a decoding step reads. The head multiplies one row
   * per sequence instead of B·T (a 16 × 64-token prompt batch at vocab 151,936 made 0.6 GB of logits).
   */
  lastOnly?: boolean;
}

export interface ForwardResult {
  /** [B, T, vocab] for the T real tokens (virtual prompt positions are dropped). */
  logits: tf.Tensor3D;
  presents?: KvPrefix;
  /** Positions used so far (offset + virtual prompt + tokens): the next call's positionOffset with a cache. */
  positions: number;
}

/** What a PEFT method adds to each forward call. */
export interface ForwardExtras {
  prompt?: tf.Tensor3D;
  prefix?: KvPrefix;
}

export interface ModelOptions {
  /** Make every base tensor trainable (full fine-tuning). Default false: the base is frozen. */
  trainable?: boolean;
  /** Storage of the frozen block linears (attention and MLP); embeddings and LayerNorms stay fp32, as in QLoRA. */
  quant?: QuantDtype;
  /** Where frozen fp32 block linears live (frozen-layout.ts): tfjs variables, or JS arrays streamed per tile. Default auto. */
  frozenLayout?: FrozenLayout;
}

let modelCount = 0;

export type { LinearRole };

/** Where base tensors come from: a Map of arrays, or a checkpoint that decodes one tensor per `get` (see hf/). */
export interface WeightSource {
  keys(): Iterable<string>;
  get(name: string): NeutralTensor | undefined;
}

export class Gpt {
  readonly config: GptConfig;
  /** Every fp32 tensor of the model (base and adapters), by neutral name. */
  readonly vars = new Map<string, tf.Variable>();
  /** Block linears by name ("blocks.0.attn.q"); methods may replace entries. */
  readonly linears = new Map<string, Linear>();
  /** The tensors the optimizer updates. */
  readonly trainable = new Map<string, tf.Variable>();
  /**
   * Frozen base tensors held as plain arrays in JS memory instead of variables (the JS frozen layout: the token
   * embedding, 0.54 GB on the 0.5B shape, gathered row by row on the host). Not in `vars`.
   */
  readonly jsTensors = new Map<string, NeutralTensor>();
  readonly quant: QuantDtype;
  /** Set by a PEFT method: per-call prompt/prefix. */
  extras?: (batch: number, ctx: ApplyContext) => ForwardExtras;
  private headT?: tf.Tensor2D;
  /** A frozen tied head held in JS memory (the 'js' frozen layout), used instead of headT. */
  private headJs?: PackedLinear;
  private readonly uid = ++modelCount;

  private constructor(config: GptConfig, quant: QuantDtype) {
    this.config = config;
    this.quant = quant;
  }

  static fromWeights(config: GptConfig, weights: WeightSource, opts: ModelOptions = {}): Gpt {
    const c = GptConfigSchema.parse(config, 'model config');
    checkShape(c);
    const quant = opts.quant ?? 'fp32';
    if (opts.trainable && quant !== 'fp32') {
      throw new LedgerLabError({ kind: 'config', problem: `full fine-tuning needs fp32 weights, got quant "${quant}"`, where: 'model.quant', hint: 'quantized bases are frozen; train adapters (LoRA) on them' });
    }
    const m = new Gpt(c, quant);
    const shapes = expectedShapes(c);
    const get = (name: string) => {
      const t = weights.get(name);
      if (!t) throw new LedgerLabError({ kind: 'data', problem: `weight "${name}" is missing`, where: 'model weights' });
      const want = shapes.get(name);
      if (want && (want.length !== t.shape.length || want.some((d, i) => d !== t.shape[i]))) {
        throw new LedgerLabError({ kind: 'data', problem: `weight "${name}" has shape [${t.shape.join(', ')}]; the config needs [${want.join(', ')}]`, where: 'model weights' });
      }
      return t;
    };
    const variable = (name: string) => {
      const t = get(name);
      // The variable shares the initial tensor's buffer; tidy drops the tensor's own reference so dispose() frees it.
      const v = tf.tidy(() => tf.variable(tf.tensor(t.data, t.shape), !!opts.trainable, m.engineName(name)));
      m.vars.set(name, v);
      if (opts.trainable) m.trainable.set(name, v);
      return v;
    };
    const names = new Set(weights.keys());
    const inJs = quant === 'fp32' && frozenInJs(c, opts.frozenLayout, opts.trainable);
    for (const name of shapes.keys()) if (!names.has(name)) get(name);
    // The JS layout keeps the frozen token embedding in JS too (rows gathered on the host; a GPU backend,
    // which has no cheap synchronous read of the ids, keeps the variable).
    const embedInJs = frozenInJs(c, opts.frozenLayout, opts.trainable) && !tensorsOnDevice();
    for (const name of names) {
      if (isLinearTensor(name)) continue;
      if (embedInJs && name === 'embed.token') m.jsTensors.set(name, get(name));
      else variable(name);
    }
    if (c.tiedHead && frozenInJs(c, opts.frozenLayout, opts.trainable)) {
      m.headJs = new PackedLinear(transposedInJs(get('embed.token').data, c.vocab, c.dModel), undefined, { maxTileValues: FP32_JS_TILE_VALUES });
    }
    for (let i = 0; i < c.layers; i++) {
      for (const role of linearRoles(c)) {
        const name = `blocks.${i}.${role}`;
        // Llama-family linears have no bias, except Qwen2's q/k/v.
        const hasBias = names.has(`${name}.bias`);
        if (quant === 'fp32' && !inJs) {
          m.linears.set(name, new DenseLinear(variable(`${name}.weight`), hasBias ? variable(`${name}.bias`) : undefined));
        } else {
          const w = get(`${name}.weight`);
          const b = hasBias ? get(`${name}.bias`) : undefined;
          m.linears.set(name, new PackedLinear(quantize(w.data, w.shape, quant), b ? tf.keep(tf.tensor1d(b.data)) : undefined, inJs ? { maxTileValues: FP32_JS_TILE_VALUES } : {}));
        }
      }
    }
    return m;
  }

  /** Registers a new trainable tensor (an adapter's) and takes ownership of `value`. */
  addTrainable(name: string, value: tf.Tensor): tf.Variable {
    if (this.vars.has(name)) throw new LedgerLabError({ kind: 'usage', problem: `tensor "${name}" already exists`, where: 'Gpt.addTrainable' });
    const v = tf.variable(value, true, this.engineName(name));
    value.dispose();
    this.vars.set(name, v);
    this.trainable.set(name, v);
    return v;
  }

  /**
   * tfjs registers variables by name in one global engine, so two live models (a run and its reference, a
   * test's A/B) would collide on "embed.token"; each model's engine names carry its own number.
   * `variable.name` is therefore not the neutral name: use the maps' keys.
   */
  private engineName(name: string): string {
    return `${name}@${this.uid}`;
  }

  private v(name: string): tf.Variable {
    const t = this.vars.get(name);
    if (!t) throw new LedgerLabError({ kind: 'usage', problem: `model has no tensor "${name}"`, where: 'Gpt' });
    return t;
  }

  forward(ids: tf.Tensor2D, opts: ForwardOptions = {}): ForwardResult {
    // tidy keeps every tensor reachable from the returned object (presents included); its TensorContainer type
    // cannot express KvPrefix, hence the cast.
    const c = this.config;
    const [B, T] = ids.shape;
    return tf.tidy((): any => {
      const { h, presents, positions } = this.trunk(ids, opts);
      const rows = opts.lastOnly ? tf.reshape(tf.slice(tf.reshape(h, [B, T, c.dModel]), [0, T - 1, 0], [-1, 1, -1]), [B, c.dModel]) as tf.Tensor2D : h;
      const logits = tf.reshape(this.head(rows), [B, opts.lastOnly ? 1 : T, c.vocab]) as tf.Tensor3D;
      return opts.returnPresents ? { logits, presents, positions } : { logits, positions };
    });
  }

  /**
   * The training/evaluation loss of a batch: `lmLoss(forward(ids).logits, targets)`, except that a frozen head
   * whose logits would pass 2 × LOSS_CHUNK_BYTES is fused with the loss and run in chunks of tokens
   * (`fusedHeadLoss`: the [tokens, vocab] logits never exist whole). Small models (every parity test) keep
   * the unfused path and its exact summation order; `chunkRows` forces a chunk size (tests).
   */
  loss(ids: tf.Tensor2D, targets: Int32Array, opts: ForwardOptions & { chunkRows?: number } = {}): tf.Scalar {
    const [B, T] = ids.shape;
    const V = this.config.vocab;
    const head = this.frozenHead();
    const fused = head && (opts.chunkRows !== undefined || B * T * V * 4 > 2 * LOSS_CHUNK_BYTES);
    if (!fused) return tf.tidy(() => lmLoss(this.forward(ids, opts).logits, targets));
    const rows = opts.chunkRows ?? Math.max(1, Math.floor(LOSS_CHUNK_BYTES / (4 * V)));
    return tf.tidy(() => fusedHeadLoss(this.trunk(ids, opts).h, targets, head, V, rows));
  }

  /** The head as two products when it is frozen (undefined when it trains: full fine-tuning). */
  private frozenHead(): FrozenHead | undefined {
    if (this.config.tiedHead) {
      if (this.headJs) {
        const hj = this.headJs;
        return { forward: (x) => hj.apply(x), backward: (g) => hj.q.applyTransposed(g) };
      }
      const emb = this.v('embed.token');
      if (emb.trainable) return undefined;
      if (!this.headT) this.headT = tf.keep(tf.transpose(emb)) as tf.Tensor2D;
      const headT = this.headT;
      return { forward: (x) => tf.matMul(x, headT) as tf.Tensor2D, backward: (g) => tf.matMul(g, emb) as tf.Tensor2D };
    }
    const w = this.v('head.weight');
    if (w.trainable) return undefined;
    return { forward: (x) => tf.matMul(x, w) as tf.Tensor2D, backward: (g) => tf.matMul(g, w, false, true) as tf.Tensor2D };
  }

  /** Embeddings, blocks and the final norm: the hidden states [B·T, d] of the real tokens, before the head. */
  private trunk(ids: tf.Tensor2D, opts: ForwardOptions): { h: tf.Tensor2D; presents: KvPrefix; positions: number } {
    const c = this.config;
    const [B, T] = ids.shape;
    let seedCounter = opts.seed ?? 0;
    const ctx: ApplyContext = { training: !!opts.training, seed: () => seedCounter++ };
    const extras = this.extras && !opts.prefix ? this.extras(B, ctx) : {};
    // A generation cache (opts.prefix) already holds the method's prefix and prompt from the first call.
    const prompt = opts.prefix ? opts.prompt : (opts.prompt ?? extras.prompt);
    const prefix = opts.prefix ?? extras.prefix;
    const Pp = prompt ? prompt.shape[1] : 0;
    const offset = opts.positionOffset ?? 0;
    const S = Pp + T;
    if (offset + S > c.context) {
      throw new LedgerLabError({ kind: 'data', problem: `sequence of ${S} positions from ${offset} exceeds the model's context ${c.context}`, where: 'Gpt.forward', hint: 'shorten maxSource/maxTarget or the prefix, or raise model.context' });
    }
    const tokEmb = this.tokenEmbeddings(ids);
    // Virtual tokens take the first positions, as PEFT's prompt tuning does for GPT-2.
    const p = prompt && prompt.shape[0] !== B ? tf.tile(prompt, [B, 1, 1]) : prompt;
    let x = (p ? tf.concat([p, tokEmb], 1) : tokEmb) as tf.Tensor3D;
    // Llama-family blocks rotate q/k by position instead of adding a position embedding.
    if (!isLlama(c)) x = tf.add(x, tf.expandDims(tf.gather(this.v('embed.position'), tf.range(offset, offset + S, 1, 'int32')), 0)) as tf.Tensor3D;
    x = this.dropout(x, ctx) as tf.Tensor3D;
    let h = tf.reshape(x, [B * S, c.dModel]) as tf.Tensor2D;
    let padBias: tf.Tensor | undefined;
    if (opts.attentionMask) {
      const mask = Pp > 0 ? tf.concat([tf.ones([B, Pp], 'int32'), tf.cast(opts.attentionMask, 'int32')], 1) as tf.Tensor2D : opts.attentionMask;
      padBias = paddingBias(mask, prefix ? prefix.keys[0].shape[2] : 0);
    }
    const presents: KvPrefix = { keys: [], values: [] };
    for (let i = 0; i < c.layers; i++) {
      const pk = prefix?.keys[i];
      const pv = prefix?.values[i];
      const blockSeed = seedCounter + 1000 * (i + 1);
      if (opts.checkpoint && opts.training !== false && !opts.returnPresents) {
        h = this.checkpointedBlock(i, h, B, S, offset, pk, pv, padBias, !!opts.training, blockSeed);
      } else {
        // Each block runs in its own scope and the previous hidden states go: nothing but what the gradient
        // tape saved (kept copies) outlives a block, so a training forward holds the saved tensors only, and
        // inference one block's activations, not every intermediate of every block until the forward ends.
        const r = tf.tidy(() => {
          const out = this.block(i, h, B, S, offset, pk, pv, padBias, blockCtx(!!opts.training, blockSeed));
          return opts.returnPresents ? out : { x: out.x, keys: undefined, values: undefined };
        });
        h.dispose();
        h = r.x;
        if (opts.returnPresents) {
          presents.keys.push(r.keys!);
          presents.values.push(r.values!);
        }
      }
    }
    h = (isLlama(c) ? rmsNorm(h, this.v('final_ln.gamma'), normEps(c), this.trainable.has('final_ln.gamma')) : layerNorm(h, this.v('final_ln.gamma'), this.v('final_ln.beta'), normEps(c))) as tf.Tensor2D;
    if (Pp > 0) h = tf.reshape(tf.slice(tf.reshape(h, [B, S, c.dModel]), [0, Pp, 0], [-1, T, -1]), [B * T, c.dModel]);
    return { h, presents, positions: offset + S };
  }

  /** One pre-norm block over flattened activations [B·S, d]; `offset` is the first token's position. */
  private block(i: number, x: tf.Tensor2D, B: number, S: number, offset: number, pk: tf.Tensor4D | undefined, pv: tf.Tensor4D | undefined, padBias: tf.Tensor | undefined, ctx: ApplyContext) {
    return isLlama(this.config) ? this.llamaBlock(i, x, B, S, offset, pk, pv, padBias, ctx) : this.gpt2Block(i, x, B, S, pk, pv, padBias, ctx);
  }

  /** GPT-2: LayerNorm, multi-head attention with learned positions already in x, tanh-GELU MLP. */
  private gpt2Block(i: number, x: tf.Tensor2D, B: number, S: number, pk: tf.Tensor4D | undefined, pv: tf.Tensor4D | undefined, padBias: tf.Tensor | undefined, ctx: ApplyContext) {
    const c = this.config;
    const p = `blocks.${i}.`;
    const eps = normEps(c);
    const lin = (role: LinearRole, t: tf.Tensor2D) => this.linears.get(p + role)!.apply(t, ctx);
    const h = layerNorm(x, this.v(p + 'ln1.gamma'), this.v(p + 'ln1.beta'), eps) as tf.Tensor2D;
    const q = splitHeads(lin('attn.q', h), B, S, c.heads);
    const k = splitHeads(lin('attn.k', h), B, S, c.heads);
    const v = splitHeads(lin('attn.v', h), B, S, c.heads);
    const a = attend({ q, k, v, prefixK: pk, prefixV: pv, padBias });
    let y = tf.add(x, this.dropout(lin('attn.o', mergeHeads(a.out)), ctx)) as tf.Tensor2D;
    const h2 = layerNorm(y, this.v(p + 'ln2.gamma'), this.v(p + 'ln2.beta'), eps) as tf.Tensor2D;
    y = tf.add(y, this.dropout(lin('mlp.proj', gelu(lin('mlp.fc', h2)) as tf.Tensor2D), ctx)) as tf.Tensor2D;
    return { x: y, keys: a.keys, values: a.values };
  }

  /** Llama family: RMSNorm, rotary q/k, grouped-query attention, SwiGLU MLP (keys/values cached with KV heads). */
  private llamaBlock(i: number, x: tf.Tensor2D, B: number, S: number, offset: number, pk: tf.Tensor4D | undefined, pv: tf.Tensor4D | undefined, padBias: tf.Tensor | undefined, ctx: ApplyContext) {
    const c = this.config;
    const p = `blocks.${i}.`;
    const eps = normEps(c);
    const theta = ropeTheta(c);
    const lin = (role: LinearRole, t: tf.Tensor2D) => this.linears.get(p + role)!.apply(t, ctx);
    const h = rmsNorm(x, this.v(p + 'ln1.gamma'), eps, this.trainable.has(p + 'ln1.gamma')) as tf.Tensor2D;
    const q = applyRope(splitHeads(lin('attn.q', h), B, S, c.heads), offset, theta, c.context);
    const k = applyRope(splitHeads(lin('attn.k', h), B, S, kvHeads(c)), offset, theta, c.context);
    const v = splitHeads(lin('attn.v', h), B, S, kvHeads(c));
    const a = attendGrouped({ q, k, v, prefixK: pk, prefixV: pv, padBias });
    let y = tf.add(x, this.dropout(lin('attn.o', mergeHeads(a.out)), ctx)) as tf.Tensor2D;
    const h2 = rmsNorm(y, this.v(p + 'ln2.gamma'), eps, this.trainable.has(p + 'ln2.gamma')) as tf.Tensor2D;
    const gated = swiglu(lin('mlp.gate', h2), lin('mlp.up', h2)) as tf.Tensor2D;
    y = tf.add(y, this.dropout(lin('mlp.down', gated), ctx)) as tf.Tensor2D;
    return { x: y, keys: a.keys, values: a.values };
  }

  /**
   * The block as one custom op: the forward keeps none of its activations; the backward recomputes them
   * and differentiates the recomputation (what torch.utils.checkpoint does). Trainable tensors of the block
   * and the prefix are explicit inputs, so their gradients come out of the custom op.
   */
  private checkpointedBlock(i: number, x: tf.Tensor2D, B: number, S: number, offset: number, pk: tf.Tensor4D | undefined, pv: tf.Tensor4D | undefined, padBias: tf.Tensor | undefined, training: boolean, seed: number): tf.Tensor2D {
    const own = [...this.trainable].filter(([n]) => n.startsWith(`blocks.${i}.`)).map(([, v]) => v as tf.Tensor);
    const hasPrefix = !!pk && !!pv;
    const inputs: tf.Tensor[] = [x, ...(hasPrefix ? [pk!, pv!] : []), ...own];
    // Recompute uses the same dropout seeds, so it reproduces the forward exactly.
    const run = (xs: tf.Tensor[]) =>
      this.block(i, xs[0] as tf.Tensor2D, B, S, offset, hasPrefix ? (xs[1] as tf.Tensor4D) : undefined, hasPrefix ? (xs[2] as tf.Tensor4D) : undefined, padBias, blockCtx(training, seed)).x;
    const nAct = hasPrefix ? 3 : 1;
    const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
      const xs = args.slice(0, -1) as tf.Tensor[];
      // `save` keeps clones; activations are read back from them, variables must stay the originals the
      // recomputation closes over, or the inner gradient would find no path to them.
      (args[args.length - 1] as tf.GradSaveFunc)(xs.slice(0, nAct));
      return {
        value: run(xs),
        gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => nestedGrads(() => tf.grads((...ys: tf.Tensor[]) => run(ys))([...saved, ...own], dy as tf.Tensor)),
      };
    }) as (...xs: tf.Tensor[]) => tf.Tensor;
    return op(...inputs) as tf.Tensor2D;
  }

  /** Rows of the token embedding for ids (any shape) → [...ids.shape, d]: tf.gather, or copied from JS memory. */
  tokenEmbeddings(ids: tf.Tensor): tf.Tensor {
    const js = this.jsTensors.get('embed.token');
    if (!js) return tf.gather(this.v('embed.token'), ids);
    const d = this.config.dModel;
    const idx = ids.dataSync();
    const out = new Float32Array(idx.length * d);
    for (let i = 0; i < idx.length; i++) out.set(js.data.subarray(idx[i]! * d, (idx[i]! + 1) * d), i * d);
    return tf.tensor(out, [...ids.shape, d]);
  }

  private head(h: tf.Tensor2D): tf.Tensor2D {
    if (!this.config.tiedHead) return tf.matMul(h, this.v('head.weight')) as tf.Tensor2D;
    // a JS-held head exists only for a frozen embedding (checked first: the embedding may be in JS too)
    if (this.headJs) return this.headJs.apply(h);
    const emb = this.v('embed.token');
    if (emb.trainable) return tf.matMul(h, emb, false, true) as tf.Tensor2D;
    // A frozen tied head is transposed once and kept, and its gradient multiplies by the embedding itself:
    // both products are then untransposed, which is what wasm's matmul is fast at.
    if (!this.headT) this.headT = tf.keep(tf.transpose(emb)) as tf.Tensor2D;
    const headT = this.headT;
    const op = tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({
      value: tf.matMul(args[0] as tf.Tensor2D, headT),
      gradFunc: (dy: tf.Tensor | tf.Tensor[]) => tf.matMul(dy as tf.Tensor2D, emb),
    })) as (x: tf.Tensor) => tf.Tensor2D;
    return op(h);
  }

  private dropout(x: tf.Tensor, ctx: ApplyContext): tf.Tensor {
    const rate = this.config.dropout;
    return ctx.training && rate > 0 ? tf.dropout(x, rate, undefined, ctx.seed()) : x;
  }

  /** Number of elements in the trainable tensors. */
  trainableParams(): number {
    let n = 0;
    for (const v of this.trainable.values()) n += v.size;
    return n;
  }

  /**
   * The effective base weights as plain arrays under the neutral names (LoRA merged in, quantized weights
   * dequantized): what ONNX export and checkpoints consume. Adapter-only tensors are not included.
   */
  async exportWeights(): Promise<Weights> {
    const out: Weights = new Map();
    for (const [name, v] of this.vars) {
      if (!isAdapterName(name)) out.set(name, { shape: [...v.shape], data: (await v.data()) as Float32Array });
    }
    for (const [name, t] of this.jsTensors) out.set(name, t);
    // Biases the family does not have (Llama's) are zero in effective() and left out here.
    const shapes = expectedShapes(this.config);
    for (const [name, lin] of this.linears) {
      const { weight, bias } = lin.effective();
      out.set(`${name}.weight`, { shape: [...weight.shape], data: (await weight.data()) as Float32Array });
      if (shapes.has(`${name}.bias`)) out.set(`${name}.bias`, { shape: [...bias.shape], data: (await bias.data()) as Float32Array });
      weight.dispose();
      bias.dispose();
    }
    return out;
  }

  /**
   * The same effective weights as `exportWeights`, read one tensor per `get` (synchronously: host backends
   * only) instead of all at once: an export that streams tensors to a file (ONNX external data) then holds one
   * fp32 tensor at a time, not a second copy of the model (2 GB on the 0.5B shape, next to ONNX Runtime's).
   */
  effectiveWeightSource(): WeightSource {
    const shapes = expectedShapes(this.config);
    // as exportWeights: every variable and JS-held tensor, then each linear's effective weight (and bias) in
    // place of its raw variables
    const linearNames = new Set<string>();
    for (const name of this.linears.keys()) {
      linearNames.add(`${name}.weight`);
      if (shapes.has(`${name}.bias`)) linearNames.add(`${name}.bias`);
    }
    const names = [...new Set([...this.vars.keys(), ...this.jsTensors.keys()].filter((n) => !isAdapterName(n)).concat([...linearNames]))];
    return {
      keys: () => names,
      get: (name) => {
        const m = /^(.*)\.(weight|bias)$/.exec(name);
        const lin = m && linearNames.has(name) ? this.linears.get(m[1]) : undefined;
        if (!lin) {
          const v = this.vars.get(name);
          if (v && !isAdapterName(name)) return { shape: [...v.shape], data: v.dataSync() as Float32Array };
          return this.jsTensors.get(name);
        }
        const { weight, bias } = lin.effective();
        const t = m![2] === 'weight' ? weight : bias;
        try {
          return { shape: [...t.shape], data: t.dataSync() as Float32Array };
        } finally {
          weight.dispose();
          bias.dispose();
        }
      },
    };
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    for (let l of this.linears.values()) {
      // Adapters wrap the base linear (LoRA's `base`); the packed bias at the bottom is the model's to free.
      while ('base' in l) l = (l as { base: Linear }).base;
      if (l instanceof PackedLinear) l.bias?.dispose();
    }
    this.headT?.dispose();
    this.jsTensors.clear();
    this.vars.clear();
    this.trainable.clear();
    this.linears.clear();
  }
}

/** Adapter tensors live under names with a method segment (lora_A, prefix., prompt.). */
export function isAdapterName(name: string): boolean {
  return /(^|\.)(lora_[AB]|prefix|prompt)(\.|$)/.test(name);
}

/**
 * Runs a gradient computation inside another one's backward pass. tfjs' engine clears its active tape when a
 * top-level gradient call ends, and an inner call made during the outer backward pass is "top-level" by its
 * depth counter, so the outer call would then find its tape gone. Keep the outer tape and put it back.
 */
function nestedGrads<T>(f: () => T): T {
  const state = (tf.engine() as unknown as { state: { activeTape: unknown } }).state;
  const outer = state.activeTape;
  try {
    return f();
  } finally {
    state.activeTape = outer;
  }
}

function blockCtx(training: boolean, seed: number): ApplyContext {
  let s = seed;
  return { training, seed: () => s++ };
}

export { headDim };
