/**
 * The decoder's shape, validated at the edge, and the closed-form parameter counts the tests check against.
 */
import { s, type Infer } from '../config/index.ts';
import { LedgerLabError } from '../errors.ts';

export const GptConfigSchema = s.object({
  layers: s.int({ min: 1 }).describe('transformer blocks'),
  dModel: s.int({ min: 1 }).describe('width of the residual stream'),
  heads: s.int({ min: 1 }).describe('attention heads; must divide dModel'),
  context: s.int({ min: 1 }).describe('longest sequence (positions) the model accepts'),
  vocab: s.int({ min: 1 }).describe('vocabulary size'),
  tiedHead: s.boolean().default(true).describe('output head shares the token embedding'),
  dropout: s.number({ min: 0, max: 0.99 }).default(0).describe('dropout on attention output, MLP output and embeddings'),
  arch: s.enum(['gpt2', 'llama'] as const).optional().describe('block family: gpt2 (LayerNorm, learned positions, GELU) or llama (RMSNorm, RoPE, SwiGLU, grouped-query attention)'),
  kvHeads: s.int({ min: 1 }).optional().describe('llama: key/value heads (grouped/multi-query attention); must divide heads; default heads'),
  ffn: s.int({ min: 1 }).optional().describe('MLP hidden width; default 4·dModel (gpt2), required for llama'),
  ropeTheta: s.number({ exclusiveMin: 0 }).optional().describe('llama: rotary base θ; default 10000'),
  normEps: s.number({ exclusiveMin: 0 }).optional().describe('norm epsilon; default 1e-5 (LayerNorm), 1e-6 (RMSNorm)'),
  qkvBias: s.boolean().optional().describe('llama: q/k/v projections carry biases (Qwen2)'),
});
export type GptConfig = Infer<typeof GptConfigSchema>;

/** The reference step's model (LLaMA-Factory-style comparison, scaled to a CPU): 2 layers, d 128, 4 heads. */
export const REFERENCE_CONFIG: GptConfig = { layers: 2, dModel: 128, heads: 4, context: 256, vocab: 2000, tiedHead: true, dropout: 0 };

/**
 * Parameters of the base model. gpt2: embeddings + per-block (4·d² + 4d attention, 8·d² + 5d MLP, 4d
 * LayerNorms) + final LN (+ head). llama: token embedding + per-block (q, o: d·H·hd; k, v: d·KV·hd; optional
 * q/k/v biases; gate, up, down: 3·d·ffn; two RMSNorm gains) + final norm (+ head).
 */
export function baseParamCount(c: GptConfig): number {
  const d = c.dModel;
  if (isLlama(c)) {
    const hd = headDim(c);
    const kv = kvHeads(c) * hd;
    const q = c.heads * hd;
    const perBlock = 2 * d * q + 2 * d * kv + (c.qkvBias ? q + 2 * kv : 0) + 3 * d * ffnWidth(c) + 2 * d;
    return c.vocab * d + c.layers * perBlock + d + (c.tiedHead ? 0 : d * c.vocab);
  }
  const perBlock = 4 * (d * d + d) + (d * 4 * d + 4 * d) + (4 * d * d + d) + 4 * d;
  return c.vocab * d + c.context * d + c.layers * perBlock + 2 * d + (c.tiedHead ? 0 : d * c.vocab);
}

export function headDim(c: GptConfig): number {
  return c.dModel / c.heads;
}

/** The block family; absent means gpt2 (configs written before llama existed). */
export function isLlama(c: GptConfig): boolean {
  return c.arch === 'llama';
}

/** Rotary base θ (llama). */
export function ropeTheta(c: GptConfig): number {
  return c.ropeTheta ?? 10000;
}

/** Key/value heads: heads for gpt2 and for llama without grouping. */
export function kvHeads(c: GptConfig): number {
  return isLlama(c) ? (c.kvHeads ?? c.heads) : c.heads;
}

/** MLP hidden width: ffn, or 4·dModel for gpt2. */
export function ffnWidth(c: GptConfig): number {
  return c.ffn ?? 4 * c.dModel;
}

/** Norm epsilon: normEps, or 1e-5 (GPT-2's LayerNorm) / 1e-6 (Llama's RMSNorm). */
export function normEps(c: GptConfig): number {
  return c.normEps ?? (isLlama(c) ? 1e-6 : 1e-5);
}

/**
 * Checks what the schema cannot: divisibility of heads and widths. `where` names the config path in errors.
 */
export function checkShape(c: GptConfig, where = 'model'): void {
  const bad = (problem: string, at: string) => new LedgerLabError({ kind: 'config', problem, where: `${where}.${at}` });
  if (c.dModel % c.heads !== 0) throw bad(`dModel ${c.dModel} is not divisible by heads ${c.heads}`, 'heads');
  if (isLlama(c)) {
    if (headDim(c) % 2 !== 0) throw bad(`head width ${headDim(c)} is odd; rotary embeddings rotate pairs`, 'heads');
    if (c.heads % kvHeads(c) !== 0) throw bad(`heads ${c.heads} is not a multiple of kvHeads ${kvHeads(c)}`, 'kvHeads');
    if (c.ffn === undefined) throw bad('llama blocks need an MLP width (ffn)', 'ffn');
  } else if (c.kvHeads !== undefined && c.kvHeads !== c.heads) {
    throw bad('gpt2 blocks have no grouped-query attention (kvHeads must equal heads)', 'kvHeads');
  }
}

/**
 * ChatGLM2-6B's proportions scaled down: 28 layers, d 4096, 32 heads of 128, multi-query attention with 2
 * key/value groups, SwiGLU width 13696 (3.34·d), RMSNorm eps 1e-5, RoPE. Here: 4 layers, d 128, 8 heads
 * of 16, 2 key/value heads, ffn 432 (≈ 3.34·128, rounded to a multiple of 16).
 */
export const CHATGLM2_TINY: GptConfig = {
  arch: 'llama', layers: 4, dModel: 128, heads: 8, kvHeads: 2, ffn: 432, context: 256, vocab: 2000,
  tiedHead: false, dropout: 0, ropeTheta: 10000, normEps: 1e-5, qkvBias: false,
};

/** Named shapes a config may use instead of spelling the numbers out. */
export const PRESETS: Record<string, GptConfig> = { 'chatglm2-tiny': CHATGLM2_TINY, reference: REFERENCE_CONFIG };
