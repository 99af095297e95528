/**
 * The inputs of the cost model: a model's shape, a training recipe and one step's batch token statistics.
 * Plain data, validated here at the edge (every count below assumes positive integers), no tensors.
 */
import { LedgerLabError } from '../../errors.ts';

export type Arch = 'gpt2' | 'llama';
/** gpt2: q,k,v,o + up/down MLP. llama (also ChatGLM2): q,k,v,o with grouped k/v + gated (SwiGLU) MLP. */
export interface ModelShape {
  arch: Arch;
  layers: number;
  d: number;
  heads: number;
  /** key/value heads (= heads without grouped-query attention; ChatGLM2: 2 "multi-query groups"). */
  kvHeads: number;
  ffn: number;
  vocab: number;
  /** the LM head shares the embedding matrix (GPT-2) rather than having its own (ChatGLM2, Llama). */
  tiedHead: boolean;
}

export type Storage = 'fp32' | 'fp16' | 'bf16' | 'int8' | 'nf4' | 'nf4-dq';
export type Compute = 'fp32' | 'fp16' | 'bf16';
export type LinearName = 'q' | 'k' | 'v' | 'o' | 'gate' | 'up' | 'down';

export type CostMethod =
  | { method: 'lora'; r: number; targets: readonly LinearName[] }
  | { method: 'ptuning-v2'; prefix: number }
  | { method: 'full' };

export interface CostRecipe {
  method: CostMethod;
  checkpoint: boolean;
  /** storage of the frozen block linears; embeddings and head stay in the compute dtype (as bitsandbytes leaves them). */
  storage: Storage;
  /** dtype the matmuls run in and activations are kept in. */
  compute: Compute;
}

/** One training step's tokens: `batchSize` sequences padded to `paddedLength`, of which `realTokens` are not padding. */
export interface BatchStats {
  batchSize: number;
  realTokens: number;
  paddedLength: number;
}

export interface Linear { name: LinearName; in: number; out: number }

/** The weight matrices of one block, in execution order. */
export function blockLinears(m: ModelShape): Linear[] {
  const kv = kvDim(m);
  const attn: Linear[] = [
    { name: 'q', in: m.d, out: m.d }, { name: 'k', in: m.d, out: kv }, { name: 'v', in: m.d, out: kv }, { name: 'o', in: m.d, out: m.d },
  ];
  const mlp: Linear[] = m.arch === 'llama'
    ? [{ name: 'gate', in: m.d, out: m.ffn }, { name: 'up', in: m.d, out: m.ffn }, { name: 'down', in: m.ffn, out: m.d }]
    : [{ name: 'up', in: m.d, out: m.ffn }, { name: 'down', in: m.ffn, out: m.d }];
  return [...attn, ...mlp];
}

/** Width of the key (and of the value) projection: kv heads × head dimension. */
export function kvDim(m: ModelShape): number {
  return m.kvHeads * (m.d / m.heads);
}

export function prefixOf(method: CostMethod): number {
  return method.method === 'ptuning-v2' ? method.prefix : 0;
}

function bad(problem: string, where: string): never {
  throw new LedgerLabError({ kind: 'config', problem, where });
}

const posInt = (x: number, where: string) => {
  if (!Number.isInteger(x) || x < 1) bad(`must be a positive integer, got ${x}`, where);
};

/** Throws a LedgerLabError naming the first field that makes the counts meaningless. */
export function validateInputs(m: ModelShape, r: CostRecipe, b: BatchStats): void {
  for (const k of ['layers', 'd', 'heads', 'kvHeads', 'ffn', 'vocab'] as const) posInt(m[k], `model.${k}`);
  if (m.d % m.heads !== 0) bad(`d ${m.d} is not a multiple of heads ${m.heads}`, 'model.heads');
  if (m.heads % m.kvHeads !== 0) bad(`heads ${m.heads} is not a multiple of kvHeads ${m.kvHeads}`, 'model.kvHeads');
  if (m.arch !== 'gpt2' && m.arch !== 'llama') bad(`unknown arch "${String(m.arch)}" (gpt2 | llama)`, 'model.arch');
  const names = new Set(blockLinears(m).map((l) => l.name));
  if (r.method.method === 'lora') {
    posInt(r.method.r, 'recipe.method.r');
    if (r.method.targets.length === 0) bad('LoRA needs at least one target', 'recipe.method.targets');
    for (const t of r.method.targets) if (!names.has(t)) bad(`"${t}" is not a ${m.arch} block linear (${[...names].join(', ')})`, 'recipe.method.targets');
  } else if (r.method.method === 'ptuning-v2') posInt(r.method.prefix, 'recipe.method.prefix');
  else if (r.method.method === 'full') {
    if (!['fp32', 'fp16', 'bf16'].includes(r.storage)) bad(`full fine-tuning cannot train a ${r.storage} base`, 'recipe.storage');
  } else bad(`unknown method "${String((r.method as { method: unknown }).method)}"`, 'recipe.method.method');
  posInt(b.batchSize, 'batch.batchSize');
  posInt(b.paddedLength, 'batch.paddedLength');
  posInt(b.realTokens, 'batch.realTokens');
  if (b.realTokens > b.batchSize * b.paddedLength) bad(`${b.realTokens} real tokens do not fit in ${b.batchSize} × ${b.paddedLength}`, 'batch.realTokens');
}
