/**
 * The decoder's shape, validated at the edge, and the closed-form parameter counts the tests check against.
 */
import { s, type Infer } from '../config/index.ts';

export const GptConfigSchema = s.object({
  layers: s.int({ min: 1 }).describe('transformer blocks'),
  dModel: s.int({ min: 1 }).describe('width of the residual stream'),
  heads: s.int({ min: 1 }).describe('attention heads; must divide dModel'),
  context: s.int({ min: 1 }).describe('longest sequence (positions) the model accepts'),
  vocab: s.int({ min: 1 }).describe('vocabulary size'),
  tiedHead: s.boolean().default(true).describe('output head shares the token embedding'),
  dropout: s.number({ min: 0, max: 0.99 }).default(0).describe('dropout on attention output, MLP output and embeddings'),
});
export type GptConfig = Infer<typeof GptConfigSchema>;

/** The reference step's model (LLaMA-Factory-style comparison, scaled to a CPU): 2 layers, d 128, 4 heads. */
export const REFERENCE_CONFIG: GptConfig = { layers: 2, dModel: 128, heads: 4, context: 256, vocab: 2000, tiedHead: true, dropout: 0 };

/** Parameters of the base model: embeddings + per-block (4·d² + 4d attention, 8·d² + 5d MLP, 4d LayerNorms) + final LN (+ head). */
export function baseParamCount(c: GptConfig): number {
  const d = c.dModel;
  const perBlock = 4 * (d * d + d) + (d * 4 * d + 4 * d) + (4 * d * d + d) + 4 * d;
  return c.vocab * d + c.context * d + c.layers * perBlock + 2 * d + (c.tiedHead ? 0 : d * c.vocab);
}

export function headDim(c: GptConfig): number {
  return c.dModel / c.heads;
}
