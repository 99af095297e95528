/**
 * Opens what `ledgerlab generate --model` names: a Hugging Face checkpoint directory (config.json +
 * safetensors, tokenizer from tokenizer.json when present) or a LedgerLab base (a pretrained-base folder:
 * meta.json + weights.safetensors + tokenizer.json). The model comes with a text codec when the directory
 * has a tokenizer, and with the end-of-sequence id generation stops at.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LedgerLabError } from '../errors.ts';
import {
  Gpt, type ModelOptions, GptConfigSchema, loadPretrained, checkpointDigests, type FileDigest, type Pretrained,
  readSafetensors, toTypedArray, type NeutralTensor,
} from '../model/index.ts';
import { loadHfTokenizer, loadTokenizer } from '../data/index.ts';

export interface TextCodec {
  encode(text: string): number[];
  decode(ids: ArrayLike<number>): string;
}

export interface OpenedModel {
  model: Gpt;
  kind: 'hf' | 'ledgerlab-base';
  tokenizer?: TextCodec;
  eos?: number;
  /** sha256 of the files that define the weights. */
  files: () => FileDigest[];
}

/** A checkpoint's text codec (its tokenizer.json, when present) and the end-of-sequence id generation stops at. */
export function checkpointCodec(p: Pretrained): { tokenizer?: TextCodec; eos?: number } {
  let eos = typeof p.eosTokenId === 'number' ? p.eosTokenId : Array.isArray(p.eosTokenId) ? p.eosTokenId[0] : undefined;
  if (!existsSync(join(p.dir, 'tokenizer.json'))) return { eos };
  const t = loadHfTokenizer(p.dir);
  eos = t.eosId ?? eos;
  return { tokenizer: { encode: (text) => t.encode(text).ids, decode: (ids) => t.decode(ids, { skipSpecialTokens: false }) }, eos };
}

export function openModel(dir: string, opts: ModelOptions = {}): OpenedModel {
  if (!existsSync(dir)) throw new LedgerLabError({ kind: 'usage', problem: `${dir} does not exist`, where: '--model', hint: 'pass a Hugging Face checkpoint directory or a LedgerLab base folder' });
  if (existsSync(join(dir, 'config.json'))) {
    const p = loadPretrained(dir);
    const model = Gpt.fromWeights(p.config, p.weights, opts);
    return { model, kind: 'hf', ...checkpointCodec(p), files: () => checkpointDigests(p) };
  }
  if (existsSync(join(dir, 'meta.json')) && existsSync(join(dir, 'weights.safetensors'))) {
    const metaPath = join(dir, 'meta.json');
    const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as { model?: unknown };
    const config = GptConfigSchema.parse(meta.model, `${metaPath}: model`);
    const weights = new Map<string, NeutralTensor>();
    for (const [name, t] of readSafetensors(join(dir, 'weights.safetensors')).tensors) {
      if (t.dtype !== 'F32') throw new LedgerLabError({ kind: 'data', problem: `tensor "${name}" is ${t.dtype}, expected F32`, where: join(dir, 'weights.safetensors') });
      weights.set(name, { shape: t.shape, data: toTypedArray(t) as Float32Array });
    }
    const model = Gpt.fromWeights(config, weights, opts);
    const tok = existsSync(join(dir, 'tokenizer.json')) ? loadTokenizer(join(dir, 'tokenizer.json')) : undefined;
    return {
      model, kind: 'ledgerlab-base', eos: tok?.special.eos,
      tokenizer: tok && { encode: (t) => tok.encode(t), decode: (ids) => tok.decode(ids, { skipSpecial: true }) },
      files: () => [],
    };
  }
  throw new LedgerLabError({ kind: 'usage', problem: `${dir} is neither a Hugging Face checkpoint (config.json) nor a LedgerLab base (meta.json + weights.safetensors)`, where: dir });
}
